/**
 * Experiment: where a crawl's Elasticsearch CPU goes, apart from the papers' own writes. The
 * ceiling and the Crawlee peer spend about 0.11 ms of Elasticsearch CPU per paper; the chained
 * pipeline, with the same documents, about 0.19 (bench/README.md). This replays, with no workers
 * running, the requests a chained crawl makes of Elasticsearch for P synthetic listing pages of 50
 * papers, 8 pages at once, and adds one element at a time:
 * - `bulk-load`: every paper in bulks of 1,000, refresh off, one refresh at the end (the ceiling);
 * - `bulk 400, refresh 10s`: bulks of about 400 documents (8 pages), the pipeline's refresh while
 *   it bulk-loads;
 * - `+ mget of new ids`: each page first reads its 50 papers by id (the deduplicator's state read);
 * - `+ archive`: each page's body archived (RawArchive.put: gzip, one bulk with the URL record);
 * - `+ the URL record's papers`: then its papers recorded on the URL record (RawArchive.setPaperIds,
 *   an update, which reads the record written moments before).
 * Each variant writes into fresh indices made from the real templates; variants are interleaved
 * and repeated. Prints Elasticsearch CPU ms per paper.
 *
 *   pnpm exec tsx bench/src/experiments/es-crawl-traffic.ts [pages=600] [rounds=2]
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '@paperline/core/config';
import {
  bulkWrite,
  createEsClient,
  ensureArchiveIndices,
  ensurePapersIndex,
  getPapers,
  RawArchive,
} from '@paperline/core/es';
import { buildRecord, canonicalId, identityKeys } from '@paperline/identity';
import { parsePage } from '@paperline/sources';
import { esCpuMs } from '../infra.js';
import { SYNTHETIC_BASES as bases, syntheticPage } from './synthetic-page.js';

const pages = Number(process.argv[2] ?? 600);
const rounds = Number(process.argv[3] ?? 2);
const es = createEsClient(loadConfig(process.env).elasticsearch, { requestTimeoutMs: 120_000 });
const tag = `bench-exp-traffic-${Date.now().toString(36)}`;

interface Page {
  url: string;
  body: Buffer;
  docs: { id: string; doc: string }[];
}
const fetchedAt = new Date().toISOString();
const corpus: Page[] = Array.from({ length: pages }, (_, p) => {
  const { url, body } = syntheticPage(p);
  const { candidates } = parsePage({ url, finalUrl: url, body, contentType: 'text/html', fetchedAt }, bases);
  const docs = candidates.map((c) => {
    const record = buildRecord(canonicalId(identityKeys(c)), [c], {
      firstSeenAt: fetchedAt,
      updatedAt: fetchedAt,
    });
    return { id: record.id, doc: JSON.stringify(record) };
  });
  return { url, body: Buffer.from(body), docs };
});
const papers = corpus.reduce((n, p) => n + p.docs.length, 0);

interface Variant {
  bulkSize: number;
  refresh: string;
  mget: boolean;
  archive: boolean;
  paperIds: boolean;
  /** Pages whose archive writes share one bulk request (1: RawArchive.put, one request a page). */
  archiveBatch?: number;
}
const VARIANTS: Record<string, Variant> = {
  'bulk-load (ceiling)': { bulkSize: 1000, refresh: '-1', mget: false, archive: false, paperIds: false },
  'bulk 400, refresh 10s': { bulkSize: 400, refresh: '10s', mget: false, archive: false, paperIds: false },
  '+ mget of new ids': { bulkSize: 400, refresh: '10s', mget: true, archive: false, paperIds: false },
  '+ archive': { bulkSize: 400, refresh: '10s', mget: true, archive: true, paperIds: false },
  '+ archive, 8 pages a request': {
    bulkSize: 400,
    refresh: '10s',
    mget: true,
    archive: true,
    paperIds: false,
    archiveBatch: 8,
  },
  "+ the URL record's papers": { bulkSize: 400, refresh: '10s', mget: true, archive: true, paperIds: true },
};

async function run(name: string, v: Variant, round: number): Promise<number> {
  const alias = `${tag}-${round}-${Object.keys(VARIANTS).indexOf(name)}`;
  const index = await ensurePapersIndex(es, alias);
  await es.indices.putSettings({ index, settings: { refresh_interval: v.refresh } });
  const archive = new RawArchive(es, `${alias}-pages`);
  if (v.archive) await ensureArchiveIndices(es, `${alias}-pages`);
  const before = await esCpuMs(es);
  let batch: { id: string; version: number; doc: string }[] = [];
  const flush = async () => {
    const items = batch;
    batch = [];
    if (items.length > 0) await bulkWrite(es, alias, items);
  };
  // The archive writes of up to `size` pages in one bulk request, as RawArchive.put writes them.
  let pending: { ops: object[]; done: Promise<void>; release: () => void } | undefined;
  const archiveInBatch = async (page: Page, size: number) => {
    const sha256 = createHash('sha256').update(page.body).digest('hex');
    const body = gzipSync(page.body, { level: 1, chunkSize: 256 * 1024 }).toString('base64');
    if (!pending) {
      let release!: () => void;
      const done = new Promise<void>((r) => (release = r));
      pending = { ops: [], done, release };
    }
    const mine = pending;
    mine.ops.push(
      { create: { _index: `${alias}-pages`, _id: sha256 } },
      { sha256, body, encoding: 'gzip', contentType: 'text/html', size: page.body.length, url: page.url },
      { index: { _index: archive.urlsIndex, _id: sha256.slice(0, 40) } },
      { url: page.url, sha256, status: 200, fetchedAt, source: 'hf', size: page.body.length },
    );
    if (mine.ops.length >= size * 4 || next >= corpus.length) {
      pending = undefined;
      await es.bulk({ operations: mine.ops });
      mine.release();
    } else await mine.done;
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < corpus.length) {
        const page = corpus[next++]!;
        if (v.archive && (v.archiveBatch ?? 1) > 1) await archiveInBatch(page, v.archiveBatch!);
        else if (v.archive) {
          const sha256 = createHash('sha256').update(page.body).digest('hex');
          await archive.put({
            url: page.url,
            finalUrl: page.url,
            sha256,
            status: 200,
            contentType: 'text/html; charset=utf-8',
            fetchedAt,
            source: 'hf',
            size: page.body.length,
            body: page.body,
          });
        }
        if (v.mget)
          await getPapers(
            es,
            alias,
            page.docs.map((d) => d.id),
          );
        batch.push(...page.docs.map((d) => ({ ...d, version: 1 })));
        if (batch.length >= v.bulkSize) await flush();
        if (v.paperIds)
          await archive.setPaperIds(
            page.url,
            page.docs.map((d) => d.id),
          );
      }
    }),
  );
  if (pending) {
    await es.bulk({ operations: pending.ops });
    pending.release();
  }
  await flush();
  await es.indices.refresh({ index });
  const perPaper = ((await esCpuMs(es)) - before) / papers;
  const archived = v.archive ? [archive.urlsIndex, `${alias}-pages`] : [];
  await es.indices.delete({ index: [index, ...archived] });
  for (const name of [`${alias}-template`, ...(v.archive ? [`${alias}-pages-template`] : [])])
    await es.indices.deleteIndexTemplate({ name });
  return perPaper;
}

const results = new Map<string, number[]>();
for (let round = 0; round < rounds; round++)
  for (const [name, v] of Object.entries(VARIANTS))
    results.set(name, [...(results.get(name) ?? []), await run(name, v, round)]);
console.log(`${pages} pages, ${papers} papers, 8 pages at once, ${rounds} rounds, interleaved`);
for (const [name, ms] of results)
  console.log(`${name.padEnd(28)} ES CPU ms per paper: ${ms.map((m) => m.toFixed(3)).join(', ')}`);
