/**
 * Experiment: what a page's cache commit costs the client with its arguments as strings or as
 * Buffers. The deduplicator stores each of a page's 50 papers' source views (the parser's
 * candidates for a synthetic listing, as JSON) in one command; ioredis writes a command whose
 * arguments are all strings as one concatenated string, and copies Buffer arguments into one
 * buffer instead. A string over 128 KB would sit in V8's large-object space, memory mapped anew
 * from the kernel each time (see `json-pieces.ts`); a page's views come to about 90 KB. Runs an
 * HSET of the 50 views both ways, in alternating rounds, and prints the client's CPU
 * (`process.cpuUsage`) and minor page faults per command. The key lives under a unique prefix
 * and is deleted at the end.
 *
 *   pnpm exec tsx bench/src/experiments/redis-arguments.ts [commands=300] [rounds=4]
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@paperline/core/config';
import { createRedis, unlinkMatching } from '@paperline/core/redis';
import { parsePage } from '@paperline/sources';
import { perRun, provenance } from './measure.js';
import { SYNTHETIC_BASES as bases, syntheticPage } from './synthetic-page.js';

const commands = Number(process.argv[2] ?? 300);
const rounds = Number(process.argv[3] ?? 4);
const redis = createRedis(loadConfig(), 'worker');
const key = `ra-${randomBytes(4).toString('hex')}:views`;

const { url, body } = syntheticPage(3);
const { candidates } = parsePage(
  { url, finalUrl: url, body, contentType: 'text/html', fetchedAt: new Date().toISOString() },
  bases,
);
const views = candidates.map((c) => JSON.stringify(c));

const variants: Record<string, () => (string | Buffer)[]> = {
  strings: () => views.flatMap((v, i) => [`src:${i}`, v]),
  Buffers: () => views.flatMap((v, i) => [`src:${i}`, Buffer.from(v)]),
};

/** The client's CPU and page faults per command, sent one after another. */
const perCommand = (args: () => (string | Buffer)[]) =>
  perRun(commands, async () => {
    for (let i = 0; i < commands; i++) await redis.hset(key, ...args());
  });

const bytes = views.reduce((n, v) => n + Buffer.byteLength(v), 0);
console.log(provenance());
console.log(`${views.length} views, ${bytes} bytes of JSON per command, node ${process.version}`);
for (const args of Object.values(variants)) await perCommand(args); // warm-up
for (let r = 1; r <= rounds; r++) {
  for (const [name, args] of Object.entries(variants)) {
    const { cpuMs, faults } = await perCommand(args);
    console.log(
      `round ${r}: ${name.padEnd(8)} ${cpuMs.toFixed(3)} ms of client CPU per command, ${faults.toFixed(1)} page faults`,
    );
  }
}
await unlinkMatching(redis, key);
redis.disconnect();
