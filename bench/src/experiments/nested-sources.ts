/**
 * Experiment: what mapping `sources` as `nested` costs Elasticsearch at bulk load. Each nested
 * source is a Lucene document of its own, so a paper is at least two; mapped as `object`, its
 * fields are indexed in the paper's document (a source filter is then a plain term, as any source
 * matching is all it asks). This bulk-loads the documents of P synthetic listing pages, as
 * `storedDocument` stores them (bulks of 1,000, 2 at once, refresh off, one refresh at the end:
 * the ceiling's load), into indices made from the real papers template, once with `sources` as in
 * the template and once as `object`, interleaved and repeated, and prints Elasticsearch CPU ms per
 * paper and the Lucene documents each index holds.
 *
 *   pnpm exec tsx bench/src/experiments/nested-sources.ts [pages=1000] [rounds=3]
 */
import { loadConfig } from '@paperline/core/config';
import { bulkWrite, createEsClient, papersTemplate } from '@paperline/core/es';
import { buildRecord, canonicalId, identityKeys, storedDocument } from '@paperline/identity';
import { parsePage } from '@paperline/sources';
import { esCpuMs } from '../infra.js';
import { SYNTHETIC_BASES as bases, syntheticPage } from './synthetic-page.js';

const pages = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 3);
const es = createEsClient(loadConfig(process.env).elasticsearch, { requestTimeoutMs: 120_000 });
const tag = `bench-exp-nested-${Date.now().toString(36)}`;
const fetchedAt = new Date().toISOString();

const docs = Array.from({ length: pages }, (_, p) => {
  const { url, body } = syntheticPage(p);
  const { candidates } = parsePage({ url, finalUrl: url, body, contentType: 'text/html', fetchedAt }, bases);
  return candidates.map((c) => {
    const r = buildRecord(canonicalId(identityKeys(c)), [c], {
      firstSeenAt: fetchedAt,
      updatedAt: fetchedAt,
    });
    return { id: r.id, doc: storedDocument(r), version: 1 };
  });
}).flat();

/** The template's mappings with `sources` as `type` (the template has it nested). */
function mappings(type: 'nested' | 'object'): Record<string, unknown> {
  const m = structuredClone(papersTemplate().template.mappings) as {
    properties: Record<string, { type?: string }>;
  };
  m.properties.sources = { ...m.properties.sources, type };
  return m;
}

async function load(type: 'nested' | 'object', round: number): Promise<{ ms: number; luceneDocs: number }> {
  const alias = `${tag}-${round}-${type}`;
  const index = `${alias}-v1`;
  const settings = { ...papersTemplate().template.settings, refresh_interval: '-1', number_of_replicas: 0 };
  await es.indices.create({ index, settings, mappings: mappings(type), aliases: { [alias]: {} } });
  const before = await esCpuMs(es);
  let next = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (next < docs.length) await bulkWrite(es, alias, docs.slice(next, (next += 1000)));
    }),
  );
  await es.indices.refresh({ index });
  const ms = ((await esCpuMs(es)) - before) / docs.length;
  const luceneDocs = (await es.cat.segments({ index, format: 'json' })).reduce(
    (n, s) => n + Number(s['docs.count'] ?? 0),
    0,
  );
  await es.indices.delete({ index });
  return { ms, luceneDocs };
}

const results = new Map<string, Array<{ ms: number; luceneDocs: number }>>();
for (let round = 0; round < rounds; round++)
  for (const type of ['nested', 'object'] as const)
    results.set(type, [...(results.get(type) ?? []), await load(type, round)]);
console.log(
  `${pages} pages, ${docs.length} papers, bulks of 1,000, 2 at once, ${rounds} rounds, interleaved`,
);
for (const [type, runs] of results) {
  console.log(
    `sources ${type.padEnd(7)} ${runs[0]!.luceneDocs} Lucene documents, ES CPU ms per paper: ${runs.map((r) => r.ms.toFixed(3)).join(', ')}`,
  );
}
