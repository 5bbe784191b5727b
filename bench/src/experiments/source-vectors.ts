/**
 * Experiment: what Elasticsearch 9's `index.mapping.exclude_source_vectors` costs at bulk load.
 * An index that maps a `dense_vector` (the papers index does, for the embedder) keeps vectors out
 * of `_source` by default, and to do so copies every document's `_source` event by event while
 * indexing it, vector or not (`SourceFieldMapper.removeSyntheticVectorFields`, 4.5 % of
 * Elasticsearch's samples in a crawl's JFR profile). This bulk-loads the documents of P synthetic
 * listing pages, as `storedDocument` stores them and without vectors, as the crawl writes them
 * (bulks of 1,000, 2 at once, refresh off, one refresh at the end: the ceiling's load), into
 * indices made from the real papers template, with the setting at its default and turned off,
 * interleaved and repeated, and prints Elasticsearch CPU ms per paper. Needs Elasticsearch 9.1+.
 *
 *   pnpm exec tsx bench/src/experiments/source-vectors.ts [pages=1000] [rounds=3]
 */
import { loadConfig } from '@paperline/core/config';
import { createEsClient } from '@paperline/core/es';
import { storedDocument } from '@paperline/identity';
import { bulkLoadEsMs, createLoadIndex, syntheticRecords } from './bulk-load.js';

const pages = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 3);
const es = createEsClient(loadConfig(process.env).elasticsearch, { requestTimeoutMs: 120_000 });
const tag = `bench-exp-vectors-${Date.now().toString(36)}`;
const docs = syntheticRecords(pages).map((r) => ({ id: r.id, doc: storedDocument(r) }));

const VARIANTS = { default: {}, 'vectors in _source': { 'index.mapping.exclude_source_vectors': false } };
type Variant = keyof typeof VARIANTS;

async function load(variant: Variant, round: number): Promise<{ ms: number }> {
  const alias = `${tag}-${round}-${Object.keys(VARIANTS).indexOf(variant)}`;
  const index = await createLoadIndex(es, alias, { settings: VARIANTS[variant] });
  const ms = await bulkLoadEsMs(es, alias, index, docs);
  await es.indices.delete({ index });
  return { ms };
}

const results = new Map<string, Array<{ ms: number }>>();
for (let round = 0; round < rounds; round++)
  for (const variant of Object.keys(VARIANTS) as Variant[])
    results.set(variant, [...(results.get(variant) ?? []), await load(variant, round)]);
console.log(
  `${pages} pages, ${docs.length} papers, bulks of 1,000, 2 at once, ${rounds} rounds, interleaved`,
);
for (const [variant, runs] of results) {
  console.log(`${variant.padEnd(20)} ES CPU ms per paper: ${runs.map((r) => r.ms.toFixed(3)).join(', ')}`);
}
