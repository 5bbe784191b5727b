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
import { bulkWrite, createEsClient, papersTemplate } from '@paperline/core/es';
import { buildRecord, canonicalId, identityKeys, storedDocument } from '@paperline/identity';
import { parsePage } from '@paperline/sources';
import { esCpuMs } from '../infra.js';
import { SYNTHETIC_BASES as bases, syntheticPage } from './synthetic-page.js';

const pages = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 3);
const es = createEsClient(loadConfig(process.env).elasticsearch, { requestTimeoutMs: 120_000 });
const tag = `bench-exp-vectors-${Date.now().toString(36)}`;
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

const VARIANTS = { default: {}, 'vectors in _source': { 'index.mapping.exclude_source_vectors': false } };
type Variant = keyof typeof VARIANTS;

async function load(variant: Variant, round: number): Promise<{ ms: number }> {
  const alias = `${tag}-${round}-${Object.keys(VARIANTS).indexOf(variant)}`;
  const index = `${alias}-v1`;
  const { mappings } = papersTemplate().template;
  const settings = {
    ...papersTemplate().template.settings,
    ...VARIANTS[variant],
    refresh_interval: '-1',
    number_of_replicas: 0,
  };
  await es.indices.create({ index, settings, mappings, aliases: { [alias]: {} } });
  const before = await esCpuMs(es);
  let next = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (next < docs.length) await bulkWrite(es, alias, docs.slice(next, (next += 1000)));
    }),
  );
  await es.indices.refresh({ index });
  const ms = ((await esCpuMs(es)) - before) / docs.length;
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
