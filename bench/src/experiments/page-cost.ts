/**
 * Experiment: the CPU a page's data costs in a worker's own code, apart from I/O, for one
 * synthetic listing page of 50 papers: parsing it, validating and (de)serializing its jobs, and
 * the deduplicator's merge work. Compare with the bench's CPU per page of each worker (CPU ms per
 * paper × 50): what is left over is I/O (Redis, Elasticsearch, BullMQ), garbage collection and
 * Node itself. CPU time of this process (`process.cpuUsage`), after a warm-up.
 *   pnpm exec tsx bench/src/experiments/page-cost.ts [iterations=500]
 */
import { JOB_SCHEMAS } from '@paperline/contracts';
import { aliasKeys, buildRecord, canonicalId, embeddingTextHash, identityKeys } from '@paperline/identity';
import { parsePage } from '@paperline/sources';
import { SYNTHETIC_BASES as bases, syntheticPage } from './synthetic-page.js';

const n = Number(process.argv[2] ?? 500);
const { url, body } = syntheticPage(3);
const fetchedAt = new Date().toISOString();
const input = { url, finalUrl: url, body, contentType: 'text/html', fetchedAt };
const { candidates } = parsePage(input, bases);
const dedupeJob = { crawlId: 'c1', url, candidates };
const dedupeJson = JSON.stringify(dedupeJob);
const records = candidates.map((c) =>
  buildRecord(canonicalId(identityKeys(c)), [c], { firstSeenAt: fetchedAt, updatedAt: fetchedAt }),
);
const indexJob = {
  crawlId: 'c1',
  url,
  docs: records.map((r) => ({ id: r.id, version: 1, doc: JSON.stringify(r) })),
};

/** CPU ms per page of `f`, after a warm-up of a tenth of the iterations. */
function cpuMs(f: () => unknown): number {
  for (let i = 0; i < Math.ceil(n / 10); i++) f();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / n;
}

const rows: Array<[stage: string, what: string, ms: number]> = [
  ['parser', 'parsePage (HTML → 50 validated candidates)', cpuMs(() => parsePage(input, bases))],
  [
    'parser',
    'validate the dedupe job (as it is emitted)',
    cpuMs(() => JOB_SCHEMAS.dedupe.safeParse(dedupeJob)),
  ],
  ['parser', 'serialize the dedupe job (BullMQ)', cpuMs(() => JSON.stringify(dedupeJob))],
  ['deduplicator', 'deserialize the dedupe job (BullMQ)', cpuMs(() => JSON.parse(dedupeJson))],
  [
    'deduplicator',
    'validate the dedupe job (as it is taken)',
    cpuMs(() => JOB_SCHEMAS.dedupe.safeParse(dedupeJob)),
  ],
  [
    'deduplicator',
    'identity keys and aliases',
    cpuMs(() => candidates.map((c) => aliasKeys(identityKeys(c)))),
  ],
  [
    'deduplicator',
    'merge: build 50 records (content hashes)',
    cpuMs(() =>
      candidates.map((c) =>
        buildRecord(canonicalId(identityKeys(c)), [c], { firstSeenAt: fetchedAt, updatedAt: fetchedAt }),
      ),
    ),
  ],
  ['deduplicator', 'embedding text hashes', cpuMs(() => records.map((r) => embeddingTextHash(r)))],
  [
    'deduplicator',
    'serialize 50 source views (dedup cache)',
    cpuMs(() => candidates.map((c) => JSON.stringify(c))),
  ],
  [
    'deduplicator',
    'serialize 50 records (index job docs)',
    cpuMs(() => records.map((r) => JSON.stringify(r))),
  ],
  ['deduplicator', 'serialize the index job (BullMQ)', cpuMs(() => JSON.stringify(indexJob))],
];
process.stdout.write(
  `one page: ${(Buffer.byteLength(body) / 1024).toFixed(0)} KB of HTML, ${candidates.length} papers; dedupe job ${(dedupeJson.length / 1024).toFixed(0)} KB, index job ${(JSON.stringify(indexJob).length / 1024).toFixed(0)} KB; ${n} iterations\n`,
);
for (const [stage, what, ms] of rows)
  process.stdout.write(`${stage.padEnd(13)} ${what.padEnd(46)} ${ms.toFixed(3).padStart(7)} ms\n`);
for (const stage of ['parser', 'deduplicator'])
  process.stdout.write(
    `${stage.padEnd(13)} ${'total'.padEnd(46)} ${rows
      .filter((r) => r[0] === stage)
      .reduce((s, r) => s + r[2], 0)
      .toFixed(3)
      .padStart(7)} ms\n`,
  );
