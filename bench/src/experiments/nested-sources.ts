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
import { createEsClient, papersTemplate } from '@paperline/core/es';
import { storedDocument } from '@paperline/identity';
import { bulkLoadEsMs, createLoadIndex, syntheticRecords } from './bulk-load.js';

const pages = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 3);
const es = createEsClient(loadConfig(process.env).elasticsearch, { requestTimeoutMs: 120_000 });
const tag = `bench-exp-nested-${Date.now().toString(36)}`;
const docs = syntheticRecords(pages).map((r) => ({ id: r.id, doc: storedDocument(r) }));

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
  const index = await createLoadIndex(es, alias, { mappings: mappings(type) });
  const ms = await bulkLoadEsMs(es, alias, index, docs);
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
