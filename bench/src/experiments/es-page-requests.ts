/**
 * Experiment: the Elasticsearch CPU of the small requests a crawled page costs besides its bulk
 * of papers, against an index of the crawl's size. Per page, the pipeline reads the states of its
 * new papers by id (an `mget` of ids that are not there yet) and records which papers the page
 * yielded on the URL's archive record, which the fetcher wrote moments before (an `update`, which
 * reads the record first). Each variant runs R times, interleaved, and prints ES CPU ms per call.
 *
 *   pnpm exec tsx bench/src/experiments/es-page-requests.ts [docs=95000] [calls=400] [rounds=3]
 */
import { loadConfig } from '@paperline/core/config';
import { createEsClient } from '@paperline/core/es';
import { esCpuMs } from '../infra.js';

const docs = Number(process.argv[2] ?? 95_000);
const calls = Number(process.argv[3] ?? 400);
const rounds = Number(process.argv[4] ?? 3);
const es = createEsClient(loadConfig(process.env).elasticsearch, { requestTimeoutMs: 120_000 });
const tag = `bench-exp-page-${Date.now().toString(36)}`;
const papers = `${tag}-papers`;
const urls = `${tag}-urls`;
const settings = { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '10s' };
await es.indices.create({ index: papers, settings, mappings: { dynamic: false } });
await es.indices.create({
  index: urls,
  settings: { ...settings, refresh_interval: '5s' },
  mappings: { dynamic: false },
});

const paperDoc = { title: 'x'.repeat(120), abstract: 'y'.repeat(1500), authors: ['A. Author', 'B. Author'] };
for (let i = 0; i < docs; i += 1000) {
  const operations: object[] = [];
  for (let j = i; j < Math.min(docs, i + 1000); j++)
    operations.push({ index: { _index: papers, _id: `arxiv:2401.${String(j).padStart(5, '0')}` } }, paperDoc);
  await es.bulk({ operations });
}

const urlRecord = (n: number, round: number, variant: string) => ({
  url: `http://127.0.0.1/papers?date=${variant}-${round}-${n}`,
  sha256: 'f'.repeat(64),
  status: 200,
  contentType: 'text/html; charset=utf-8',
  fetchedAt: new Date().toISOString(),
  source: 'hf',
  size: 440_000,
});
const paperIds = Array.from({ length: 50 }, (_, i) => `arxiv:2412.${String(i).padStart(5, '0')}`);
let fresh = 0;
const newIds = () => Array.from({ length: 50 }, () => `arxiv:2501.${String(fresh++).padStart(6, '0')}`);

const variants: Record<string, (i: number, round: number) => Promise<unknown>> = {
  'mget 50 new ids': () => es.mget({ index: papers, ids: newIds() }),
  'mget 50 new ids, realtime=false': () => es.mget({ index: papers, ids: newIds(), realtime: false }),
  'url record, then update paperIds': async (i, round) => {
    const rec = urlRecord(i, round, 'u');
    await es.index({ index: urls, id: rec.url, document: rec });
    await es.update({ index: urls, id: rec.url, doc: { paperIds }, retry_on_conflict: 3 });
  },
  'url record, then index it whole': async (i, round) => {
    const rec = urlRecord(i, round, 'w');
    await es.index({ index: urls, id: rec.url, document: rec });
    await es.index({ index: urls, id: rec.url, document: { ...rec, paperIds } });
  },
  'url record only': (i, round) => {
    const rec = urlRecord(i, round, 'o');
    return es.index({ index: urls, id: rec.url, document: rec });
  },
};

const results = new Map<string, number[]>();
for (let round = 0; round < rounds; round++) {
  for (const [name, call] of Object.entries(variants)) {
    const before = await esCpuMs(es);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < calls) await call(next++, round);
      }),
    );
    const perCall = ((await esCpuMs(es)) - before) / calls;
    results.set(name, [...(results.get(name) ?? []), perCall]);
  }
}
console.log(`${docs} papers in the index, ${calls} calls per variant, 8 at once, ${rounds} rounds`);
for (const [name, ms] of results)
  console.log(`${name.padEnd(36)} ES CPU ms per call: ${ms.map((m) => m.toFixed(2)).join(', ')}`);
await es.indices.delete({ index: [papers, urls] });
