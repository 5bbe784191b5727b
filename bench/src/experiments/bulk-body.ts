/**
 * Experiment: what a bulk request of 1,000 papers costs the client, its body built by the
 * Elasticsearch client's serializer (one string of every line joined, as `bulkWrite` sent it
 * before `BulkBodies`) or by `BulkBodies` (each line written into a buffer kept from an earlier
 * request). The papers are those of P synthetic listing pages, as `storedDocument` stores them,
 * written with `bulkWrite`'s own operation (index, external version) into an index made for a load
 * (refresh off) that is deleted at the end; one request at a time, both ways in alternating
 * rounds. Prints this process's CPU (`process.cpuUsage`) and minor page faults per request.
 *
 *   pnpm exec tsx bench/src/experiments/bulk-body.ts [pages=200] [rounds=4]
 */
import type { Client } from '@elastic/elasticsearch';
import { loadConfig } from '@paperline/core/config';
import { bulkWrite, createEsClient } from '@paperline/core/es';
import { storedDocument } from '@paperline/identity';
import { createLoadIndex, syntheticRecords } from './bulk-load.js';
import { perRun, provenance } from './measure.js';

const pages = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 4);
const es = createEsClient(loadConfig(process.env).elasticsearch, { requestTimeoutMs: 120_000 });
const alias = `bench-exp-bulk-body-${Date.now().toString(36)}`;
const docs = syntheticRecords(pages).map((r) => ({ id: r.id, doc: storedDocument(r) }));
const batches = Array.from({ length: Math.ceil(docs.length / 1000) }, (_, i) =>
  docs.slice(i * 1000, (i + 1) * 1000),
);

/** The body as the client's serializer builds it: every line joined into one string. */
async function serializerBody(client: Client, batch: typeof docs): Promise<void> {
  const operations: Array<object | string> = [];
  for (const d of batch) {
    operations.push({ index: { _index: alias, _id: d.id, version: 1, version_type: 'external' } });
    operations.push(d.doc);
  }
  const res = await client.bulk({ operations, refresh: false, require_alias: true });
  if (res.items.some((i) => i.index!.status >= 300 && i.index!.status !== 409))
    throw new Error('bulk failed');
}

async function bulkBodies(client: Client, batch: typeof docs): Promise<void> {
  const outcomes = await bulkWrite(
    client,
    alias,
    batch.map((d) => ({ ...d, version: 1 })),
  );
  if (outcomes.some((o) => o.result === 'failed' || o.result === 'retry')) throw new Error('bulk failed');
}

const VARIANTS = { "the client's serializer": serializerBody, BulkBodies: bulkBodies };

/** This process's CPU and page faults per request, the round's requests sent one after another. */
const perRequest = (write: (client: Client, batch: typeof docs) => Promise<void>) =>
  perRun(batches.length, async () => {
    for (const batch of batches) await write(es, batch);
  });

const index = await createLoadIndex(es, alias);
try {
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d.doc), 0);
  console.log(provenance());
  console.log(
    `${docs.length} papers (${Math.round(bytes / docs.length)} bytes each), ${batches.length} requests of 1,000 per round, node ${process.version}`,
  );
  for (const write of Object.values(VARIANTS)) await perRequest(write); // warm-up
  for (let round = 1; round <= rounds; round++) {
    for (const [name, write] of Object.entries(VARIANTS)) {
      const { cpuMs, faults } = await perRequest(write);
      console.log(
        `round ${round}: ${name.padEnd(24)} ${cpuMs.toFixed(2)} ms of client CPU per request, ${faults.toFixed(0)} page faults`,
      );
    }
  }
} finally {
  await es.indices.delete({ index });
}
