/**
 * Experiment: what each paper's stored source view (`sources[].record`, kept for later merges)
 * costs Elasticsearch. A document carried its merged fields and, per source, that source's whole
 * view, so a one-source paper's title, abstract and authors were in its `_source` twice.
 * This bulk-loads the documents of P synthetic listing pages (bulks of 1,000, refresh off, one
 * refresh at the end: the ceiling's load) into fresh indices made from the real template, as
 * built before (`whole view`) and as `storedDocument` stores them, each view without the fields
 * it shares with the record (docs/record-schema.md#stored-source-views), interleaved and
 * repeated. Prints the average document's bytes and Elasticsearch CPU ms per paper.
 *
 *   pnpm exec tsx bench/src/experiments/source-view-size.ts [pages=1000] [rounds=3]
 */
import { loadConfig } from '@paperline/core/config';
import { createEsClient, ensurePapersIndex } from '@paperline/core/es';
import { storedDocument } from '@paperline/identity';
import { bulkLoadEsMs, syntheticRecords, type SyntheticRecord } from './bulk-load.js';

const pages = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 3);
const es = createEsClient(loadConfig(process.env).elasticsearch, { requestTimeoutMs: 120_000 });
const tag = `bench-exp-view-${Date.now().toString(36)}`;

type Doc = { id: string; doc: string };

const VARIANTS: Record<string, (r: SyntheticRecord) => string> = {
  'whole view': (r) => JSON.stringify(r),
  'views without the shared fields': storedDocument,
};

const records = syntheticRecords(pages);

async function load(name: string, docs: Doc[], round: number): Promise<number> {
  const alias = `${tag}-${round}-${Object.keys(VARIANTS).indexOf(name)}`;
  const index = await ensurePapersIndex(es, alias);
  await es.indices.putSettings({ index, settings: { refresh_interval: '-1', number_of_replicas: 0 } });
  const perPaper = await bulkLoadEsMs(es, alias, index, docs);
  await es.indices.delete({ index });
  await es.indices.deleteIndexTemplate({ name: `${alias}-template` });
  return perPaper;
}

const corpora = Object.fromEntries(
  Object.entries(VARIANTS).map(([name, shape]) => [name, records.map((r) => ({ id: r.id, doc: shape(r) }))]),
);
const results = new Map<string, number[]>();
for (let round = 0; round < rounds; round++)
  for (const name of Object.keys(VARIANTS))
    results.set(name, [...(results.get(name) ?? []), await load(name, corpora[name]!, round)]);
console.log(
  `${pages} pages, ${records.length} papers, bulks of 1,000, 2 at once, ${rounds} rounds, interleaved`,
);
for (const [name, ms] of results) {
  const bytes = corpora[name]!.reduce((n, d) => n + Buffer.byteLength(d.doc), 0) / records.length;
  console.log(
    `${name.padEnd(32)} ${bytes.toFixed(0)} bytes a document, ES CPU ms per paper: ${ms.map((m) => m.toFixed(3)).join(', ')}`,
  );
}
