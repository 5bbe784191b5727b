/**
 * Experiment: what coalescing a process's archive requests saves Elasticsearch. P synthetic listing
 * pages go through core's RawArchive as a fetcher handles them, 8 at a time (a fetcher's
 * concurrency), at most R pages a second: the URL's fetch record read (`getUrl`), then the page
 * archived (`put`). By variant, each call is its own request (as before coalescing), or the calls
 * made while 1 (or 2) requests of their kind are out share the next one (an mget, a bulk). Then
 * every body is read back as a parse of the archive reads it (`getBody`), and every page is
 * fetched again as a 304 (its record read, then `touch`), the same way. Each round
 * writes into fresh archive indices made from the pages template, flushing them and waiting for
 * merges before the reads; the variants' order rotates each round. Prints Elasticsearch's CPU per
 * page for the writes (with the merges they caused), the reads and the 304s, this process's CPU per page
 * for each, the requests Elasticsearch counted (`_nodes/usage`) and the wall time.
 *
 *   pnpm exec tsx bench/src/experiments/archive-coalescing.ts [pages=600] [pagesPerSecond=Infinity] [rounds=3]
 */
import type { Client } from '@elastic/elasticsearch';
import { loadConfig } from '@paperline/core/config';
import { createEsClient, ensureArchiveIndices, RawArchive } from '@paperline/core/es';
import { esCpuMs } from '../infra.js';
import { archivedPages, dropExperiment, paced, rotatedRounds, settle } from './archive-pages.js';
import { provenance } from './measure.js';

const pages = Number(process.argv[2] ?? 600);
const rate = Number(process.argv[3] ?? Infinity);
const rounds = Number(process.argv[4] ?? 3);
const es = createEsClient(loadConfig(process.env).elasticsearch, { requestTimeoutMs: 120_000 });
const tag = `bench-exp-archive-coalescing-${Date.now().toString(36)}`;
const pagesToWrite = archivedPages(pages);

/** Variants by the archive's requests in flight of each kind. */
const VARIANTS: Record<string, number> = {
  'a request per call': Infinity,
  'coalesced, 1 out': 1,
  'coalesced, 2 out': 2,
};

/** The REST requests Elasticsearch has answered, by action, since it started. */
async function restActions(client: Client): Promise<Record<string, number>> {
  const usage = await client.nodes.usage();
  return Object.values(usage.nodes)[0]?.rest_actions ?? {};
}

/**
 * Runs `work` for every page, 8 at a time at most `rate` a second, then `after`: Elasticsearch's CPU
 * per page for both, this process's for the work, the requests Elasticsearch answered, the wall
 * time of the work.
 */
async function measure(work: (i: number) => Promise<unknown>, after = async () => {}): Promise<string> {
  const before = await restActions(es);
  const cpu0 = await esCpuMs(es);
  const t0 = performance.now();
  const client0 = process.cpuUsage();
  await paced(pages, rate, work);
  const client = process.cpuUsage(client0);
  const wallMs = performance.now() - t0;
  await after();
  const perPage = ((await esCpuMs(es)) - cpu0) / pages;
  const counted = await restActions(es);
  const requests = (action: string) => (counted[action] ?? 0) - (before[action] ?? 0);
  return (
    `ES CPU ${perPage.toFixed(2)}, client ${((client.user + client.system) / 1000 / pages).toFixed(2)} ms per page ` +
    `(${requests('bulk_action')} bulk, ` +
    `${requests('document_mget_action')} mget, ${requests('document_get_action')} get; ${(wallMs / 1000).toFixed(1)} s)`
  );
}

async function round(name: string, inFlight: number, r: number): Promise<string> {
  const index = `${tag}-${r}-${name.replace(/[^a-z0-9]+/g, '-')}`;
  await ensureArchiveIndices(es, index);
  const archive = new RawArchive(es, index, inFlight);
  const writes = await measure(
    async (i) => {
      const page = pagesToWrite[i]!;
      await archive.getUrl(page.url);
      await archive.put(page);
    },
    () => settle(es, [index, `${index}-urls`]),
  );
  const reads = await measure((i) => archive.getBody(pagesToWrite[i]!.sha256, pagesToWrite[i]!.url));
  const notModified = await measure(async (i) => {
    const url = pagesToWrite[i]!.url;
    await archive.getUrl(url);
    await archive.touch(url, new Date().toISOString());
  });
  await es.indices.delete({ index: [index, `${index}-urls`] });
  return [`writes: ${writes}`, `reads:  ${reads}`, `304s:   ${notModified}`]
    .map((line, k) => `${(k === 0 ? name : '').padEnd(20)} ${line}`)
    .join('\n');
}

try {
  console.log(provenance());
  console.log(
    `${pages} pages, 8 at a time, at most ${rate} pages/s, ${rounds} rounds, the variants' order rotating`,
  );
  await rotatedRounds(rounds, VARIANTS, round);
} finally {
  await dropExperiment(es, tag);
  await es.close();
}
