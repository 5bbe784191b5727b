/**
 * Experiment: the raw archive's body compression, Brotli at quality 1 (core's RawArchive as
 * shipped) against gzip at level 1 (the layout before: the same bulk request, `encoding: 'gzip'`).
 * P synthetic listing pages are written as a crawl writes them (8 at a time, R pages a second) into
 * archive indices made from the pages template, flushed until no merge runs, then read back by
 * `RawArchive.getBody` (8 at a time), which reads both layouts. Per variant and round: the stored
 * base64 KB per page, Elasticsearch's CPU per page (its /proc stat) for the writes and for the
 * reads, and this process's CPU per page for each (compression and request; request and
 * decompression). Each round runs both variants, in alternating order.
 *
 *   pnpm exec tsx bench/src/experiments/archive-encoding.ts [pages=600] [pagesPerSecond=40] [rounds=4]
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as zlibGzip } from 'node:zlib';
import { loadConfig } from '@paperline/core/config';
import { createEsClient, pagesTemplate, RawArchive, type ArchivedPage } from '@paperline/core/es';
import { esCpuMs } from '../infra.js';
import { archivedPages, dropExperiment, paced, rotatedRounds, settle } from './archive-pages.js';
import { provenance } from './measure.js';

const pages = Number(process.argv[2] ?? 600);
const rate = Number(process.argv[3] ?? 40);
const rounds = Number(process.argv[4] ?? 4);
const es = createEsClient(loadConfig(process.env).elasticsearch, { requestTimeoutMs: 120_000 });
const tag = `bench-exp-archive-encoding-${Date.now().toString(36)}`;
const gzip = promisify(zlibGzip);

const pagesToWrite = archivedPages(pages);

/** The id core's RawArchive gives a URL's record. */
const urlRecordId = (url: string): string => createHash('sha256').update(url).digest('hex').slice(0, 40);

/** The layout before Brotli: `RawArchive.put` as it was, gzip at level 1 in one output chunk. */
async function putGzip(archive: RawArchive, index: string, page: ArchivedPage): Promise<void> {
  const { body, ...rec } = page;
  const doc = {
    sha256: page.sha256,
    body: (await gzip(body, { level: 1, chunkSize: 256 * 1024 })).toString('base64'),
    encoding: 'gzip',
    contentType: page.contentType,
    size: page.size,
    url: page.url,
  };
  const res = await es.bulk({
    operations: [
      { create: { _index: index, _id: page.sha256 } },
      doc,
      { index: { _index: archive.urlsIndex, _id: urlRecordId(page.url) } },
      rec,
    ],
  });
  if (res.errors) throw new Error(`gzip put of ${page.url} failed`);
}

const VARIANTS = {
  'brotli q1 (as shipped)': (a: RawArchive, _index: string, p: ArchivedPage) => a.put(p),
  'gzip l1 (before)': putGzip,
} as const;
type VariantName = keyof typeof VARIANTS;

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function round(name: VariantName, r: number): Promise<string> {
  const index = `${tag}-${r}-${name.split(' ')[0]}`;
  const t = pagesTemplate().template;
  for (const n of [index, `${index}-urls`])
    await es.indices.create({ index: n, settings: t.settings as never, mappings: t.mappings as never });
  const archive = new RawArchive(es, index);
  const [es0, cli0] = [await esCpuMs(es), cpuMs()];
  await paced(pages, rate, (i) => VARIANTS[name](archive, index, pagesToWrite[i]!));
  const cliPut = cpuMs() - cli0;
  await settle(es, [index, `${index}-urls`]);
  const esPut = (await esCpuMs(es)) - es0;
  const [es1, cli1] = [await esCpuMs(es), cpuMs()];
  await paced(pages, Infinity, async (i) => {
    const p = pagesToWrite[i]!;
    const body = await archive.getBody(p.sha256, p.url);
    if (body.utf8?.length !== p.size)
      throw new Error(`${p.url} read back as ${body.utf8?.length} bytes, not ${p.size}`);
  });
  const [esGet, cliGet] = [(await esCpuMs(es)) - es1, cpuMs() - cli1];
  const stored = await es.indices.stats({ index, metric: 'store' });
  const bytes = stored._all.primaries?.store?.size_in_bytes ?? 0;
  await es.indices.delete({ index: [index, `${index}-urls`] });
  const per = (ms: number) => (ms / pages).toFixed(2).padStart(6);
  return `${name.padEnd(24)} store ${(bytes / pages / 1024).toFixed(1).padStart(5)} KB   ES put ${per(esPut)}  client put ${per(cliPut)}   ES get ${per(esGet)}  client get ${per(cliGet)}   (ms per page)`;
}

try {
  console.log(provenance());
  const kb = pagesToWrite.reduce((n, p) => n + p.size, 0) / pages / 1024;
  console.log(
    `${pages} pages of ${kb.toFixed(0)} KB written at ${rate} pages/s, ${rounds} rounds, the variants' order alternating`,
  );
  await rotatedRounds(rounds, VARIANTS, (name, _variant, r) => round(name as VariantName, r));
} finally {
  await dropExperiment(es, tag);
  await es.close();
}
