/**
 * Experiment: Elasticsearch CPU per write request against per document — 500 single-document
 * index requests, 500 single-document bulks, and one bulk of 500, into a scratch index.
 *
 *   pnpm exec tsx bench/src/experiments/es-request-cost.ts [docs=500] [bytes=2000]
 */
import { loadConfig } from '@paperline/core/config';
import { createEsClient } from '@paperline/core/es';
import { esCpuMs } from '../infra.js';

const n = Number(process.argv[2] ?? 500);
const bytes = Number(process.argv[3] ?? 2000);
const es = createEsClient(loadConfig(process.env).elasticsearch, { requestTimeoutMs: 120_000 });
const index = `bench-exp-req-${Date.now().toString(36)}`;
await es.indices.create({
  index,
  settings: { number_of_shards: 1, number_of_replicas: 0 },
  mappings: { dynamic: false },
});
const body = 'x'.repeat(bytes);
async function measure(name: string, f: () => Promise<void>): Promise<void> {
  const e0 = await esCpuMs(es);
  const t0 = performance.now();
  await f();
  const ms = performance.now() - t0;
  const e1 = await esCpuMs(es);
  console.log(
    `${name.padEnd(28)} ES ${((e1 - e0) / n).toFixed(3)} ms/doc  wall ${(ms / n).toFixed(3)} ms/doc`,
  );
}
async function pool(k: number, f: (i: number) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: k }, async () => {
      while (i < n) await f(i++);
    }),
  );
}
for (let round = 0; round < 2; round++) {
  await measure('index, 1 doc/request', () =>
    pool(8, (i) => es.index({ index, id: `a${round}-${i}`, document: { body } })),
  );
  await measure('create, 1 doc/request', () =>
    pool(8, (i) => es.create({ index, id: `b${round}-${i}`, document: { body } })),
  );
  await measure('bulk of 2 (create+index)', () =>
    pool(8, (i) =>
      es.bulk({
        operations: [
          { create: { _index: index, _id: `c${round}-${i}` } },
          { body },
          { index: { _index: index, _id: `d${round}-${i}` } },
          { body },
        ],
      }),
    ),
  );
  await measure('bulk of 16 per request', async () => {
    for (let i = 0; i < n; i += 16) {
      const ops: object[] = [];
      for (let j = i; j < Math.min(n, i + 16); j++)
        ops.push({ create: { _index: index, _id: `e${round}-${j}` } }, { body });
      await es.bulk({ operations: ops });
    }
  });
  await measure('get, 1 doc/request', () => pool(8, (i) => es.get({ index, id: `a${round}-${i}` })));
}
await es.indices.delete({ index });
