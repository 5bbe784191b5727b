/**
 * Experiment: what a crawl's archive writes cost Elasticsearch. P synthetic listing pages go
 * through core's RawArchive as a crawl writes them (`put`: the compressed body and the URL record in one
 * bulk request), paced at R pages a second, 8 at a time, into archive indices made from the pages
 * template. Then the page's paper list (`paperIds` on its URL record) is written, by variant:
 * - `archive` mode: not at all (`put` alone), in an update of its own (`setPaperIds`, as the
 *   deduplicator wrote it), and so with scheduled refreshes off (-1: reads by id are realtime);
 * - `papers` mode, where each page's 50 documents are also bulk-written (`bulkWrite`, into a
 *   papers index made from the template): not at all, in an update of its own, and riding in the
 *   papers' bulk request (`paperIdsRider`, as the indexer writes it).
 * Each round ends with a flush of every index and waits until no merge runs, so every variant has
 * written every page to segments. Prints Elasticsearch's CPU per page (its /proc stat) and the
 * archive's refreshes and merges of each round; each round runs every variant, in rotating order.
 *
 *   pnpm exec tsx bench/src/experiments/archive-writes.ts [pages=600] [pagesPerSecond=40] [rounds=3] [archive|papers]
 */
import { loadConfig } from '@paperline/core/config';
import { bulkWrite, createEsClient, pagesTemplate, RawArchive } from '@paperline/core/es';
import { storedDocument } from '@paperline/identity';
import { esCpuMs } from '../infra.js';
import { archivedPages, dropExperiment, paced, rotatedRounds, settle } from './archive-pages.js';
import { createLoadIndex, syntheticRecords } from './bulk-load.js';
import { provenance } from './measure.js';

const pages = Number(process.argv[2] ?? 600);
const rate = Number(process.argv[3] ?? 40);
const rounds = Number(process.argv[4] ?? 3);
const mode = process.argv[5] === 'papers' ? 'papers' : 'archive';
const es = createEsClient(loadConfig(process.env).elasticsearch, { requestTimeoutMs: 120_000 });
const tag = `bench-exp-archive-writes-${Date.now().toString(36)}`;
const pagesToWrite = archivedPages(pages);
/** Each page's papers as the indexer writes them (`papers` mode only). */
const pagePapers =
  mode === 'papers'
    ? Array.from({ length: pages }, (_, p) =>
        syntheticRecords(1, p).map((r) => ({ id: r.id, version: 1, doc: storedDocument(r) })),
      )
    : [];
const paperIdsOf = (i: number): string[] =>
  pagePapers[i]?.map((d) => d.id) ??
  Array.from({ length: 50 }, (_, k) => `arxiv:2501.${String(k).padStart(5, '0')}`);

interface Variant {
  refreshInterval: string;
  paperIds: 'none' | 'apart' | 'riding';
}
const VARIANTS: Record<string, Variant> =
  mode === 'papers'
    ? {
        'papers, ids apart': { refreshInterval: '5s', paperIds: 'apart' },
        'papers, no ids': { refreshInterval: '5s', paperIds: 'none' },
        'papers, ids riding': { refreshInterval: '5s', paperIds: 'riding' },
      }
    : {
        'put + paper ids, 5 s': { refreshInterval: '5s', paperIds: 'apart' },
        'put alone, 5 s': { refreshInterval: '5s', paperIds: 'none' },
        'put + paper ids, -1': { refreshInterval: '-1', paperIds: 'apart' },
      };

async function createArchive(index: string, refreshInterval: string): Promise<RawArchive> {
  const t = pagesTemplate().template;
  const { refresh_interval: _given, ...settings } = t.settings as Record<string, unknown>;
  for (const name of [index, `${index}-urls`]) {
    await es.indices.create({
      index: name,
      settings: { ...settings, refresh_interval: refreshInterval } as never,
      mappings: t.mappings as never,
    });
  }
  return new RawArchive(es, index);
}

/** A page's papers (`papers` mode) and its paper list, as the variant writes them. */
async function writePapers(
  archive: RawArchive,
  papers: string | undefined,
  i: number,
  v: Variant,
  url: string,
) {
  const docs = pagePapers[i] ?? [];
  if (v.paperIds === 'riding') {
    const rider = archive.paperIdsRider(url, paperIdsOf(i));
    await Promise.all([bulkWrite(es, papers!, docs, [rider]), rider.recorded]);
    return;
  }
  if (papers) await bulkWrite(es, papers, docs);
  if (v.paperIds === 'apart') await archive.setPaperIds(url, paperIdsOf(i));
}

/** Writes every page as a crawl does, `rate` pages a second (8 at a time). */
async function crawl(archive: RawArchive, papers: string | undefined, v: Variant): Promise<void> {
  await paced(pages, rate, async (i) => {
    const page = pagesToWrite[i]!;
    await archive.put(page);
    await writePapers(archive, papers, i, v, page.url);
  });
}

async function round(name: string, v: Variant, r: number): Promise<string> {
  const index = `${tag}-${r}-${name.replace(/[^a-z0-9]+/g, '-')}`;
  const indices = [index, `${index}-urls`];
  const archive = await createArchive(index, v.refreshInterval);
  const papers = mode === 'papers' ? `${index}-papers` : undefined;
  if (papers) indices.push(await createLoadIndex(es, papers));
  const cpu0 = await esCpuMs(es);
  await crawl(archive, papers, v);
  await settle(es, indices);
  const perPage = ((await esCpuMs(es)) - cpu0) / pages;
  const s = await es.indices.stats({ index: indices.slice(0, 2), metric: ['refresh', 'merge'] });
  const refreshes = s._all.total?.refresh?.total ?? 0;
  const merges = s._all.total?.merges?.total ?? 0;
  await es.indices.delete({ index: indices });
  return `${name.padEnd(22)} ES CPU ${perPage.toFixed(2)} ms per page, ${refreshes} refreshes, ${merges} merges`;
}

try {
  console.log(provenance());
  const kb = pagesToWrite.reduce((n, p) => n + p.size, 0) / pages / 1024;
  console.log(
    `${pages} pages of ${kb.toFixed(0)} KB at ${rate} pages/s, ${rounds} rounds, ${mode} mode, the variants' order rotating each round`,
  );
  await rotatedRounds(rounds, VARIANTS, round);
} finally {
  await dropExperiment(es, tag);
  await es.close();
}
