/**
 * Experiment: what the dedup cache's commit script costs Redis per page, as written and with fewer
 * calls per paper (one HMGET of the revision and version, one HSET of every field). Each round
 * commits P pages of 50 new papers (the views of a synthetic listing page, as the deduplicator
 * encodes them), then commits them again as a re-crawl does (revision 1), for each variant in
 * rotating order, into keys of its own. Prints Redis's CPU (INFO cpu) and this process's CPU per page.
 *
 *   pnpm exec tsx bench/src/experiments/commit-script.ts [pages=1000] [rounds=4] [variant.lua…]
 *   (bench/src/experiments/paper-commit-hmget.lua is the variant measured on 2026-12-07)
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '@paperline/core/config';
import { LuaScript, createRedis, unlinkMatching } from '@paperline/core/redis';
import { parsePage } from '@paperline/sources';
import { redisCpuSeconds } from '../infra.js';
import { perRun, provenance } from './measure.js';
import { SYNTHETIC_BASES as bases, syntheticPage } from './synthetic-page.js';

const pages = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 4);
const variants: Array<[string, LuaScript]> = [
  ['as written', LuaScript.file('paper-commit')],
  ...process.argv.slice(4).map((f): [string, LuaScript] => [f, new LuaScript(readFileSync(f, 'utf8'))]),
];
const redis = createRedis(loadConfig(process.env), 'worker');
const tag = `bench-exp-commit-${Date.now().toString(36)}`;

const { url, body } = syntheticPage(3);
const fetchedAt = new Date().toISOString();
const { candidates } = parsePage({ url, finalUrl: url, body, contentType: 'text/html', fetchedAt }, bases);
/** One paper's fields as `PaperCache` encodes a first write: its view, first-seen time and hash. */
const fieldsOf = (i: number): string[] => {
  const v = candidates[i % candidates.length]!;
  return [
    `src:${v.source}`,
    JSON.stringify(v),
    `at:${v.source}`,
    v.fetchedAt,
    'first',
    fetchedAt,
    'hash',
    'h'.repeat(64),
    'hashJob',
    `dedupe:${i}`,
  ];
};

async function commitAll(script: LuaScript, prefix: string, rev: string): Promise<void> {
  for (let p = 0; p < pages; p++) {
    const keys: string[] = [];
    const args: (string | number)[] = [604800];
    for (let k = 0; k < 50; k++) {
      const fields = fieldsOf(p * 50 + k);
      keys.push(`${prefix}:paper:${p}-${k}`);
      args.push(rev, 0, fields.length, ...fields);
    }
    const res = (await script.run(redis, keys, args)) as string[];
    if (res.some((r) => r === '-1')) throw new Error(`a commit of page ${p} lost its compare-and-set`);
  }
}

console.log(provenance());
console.log(`${pages} pages of 50 papers a round; Redis CPU and client CPU in ms per page`);
for (let r = 0; r < rounds; r++) {
  for (let v = 0; v < variants.length; v++) {
    const [name, script] = variants[(r + v) % variants.length]!;
    const prefix = `${tag}:${r}:${v}`;
    for (const [phase, rev] of [
      ['new', '0'],
      ['again', '1'],
    ] as const) {
      const before = await redisCpuSeconds(redis);
      const client = await perRun(pages, () => commitAll(script, prefix, rev));
      const redisMs = (((await redisCpuSeconds(redis)) - before) * 1000) / pages;
      console.log(
        `round ${r + 1}  ${name.padEnd(40)} ${phase.padEnd(6)} redis ${redisMs.toFixed(3)}  client ${client.cpuMs.toFixed(3)}`,
      );
    }
    await unlinkMatching(redis, `${prefix}:*`);
  }
}
await redis.quit();
