/**
 * The reprocessing phase (`--reprocess`): the whole archive the crawl wrote is parsed again and
 * every paper rewritten, as after a parser version change (`paperline reprocess --rewrite`), by the
 * same running workers. Nothing is fetched, so this is the pipeline's CPU-bound path: papers/s is
 * timed from the operation's start to its crawl finishing with the index refreshed.
 */
import type { CrawlSummary } from '@paperline/contracts';
import { startReprocess } from '@paperline/ops';
import {
  serviceCpuWindow,
  waitForPhaseCrawl,
  type Pipeline,
  type PipelineOptions,
  type ServiceCpu,
} from './pipeline.js';
import { now } from './searchable.js';

export interface ReprocessResult {
  /** Archived pages parsed again. */
  pages: number;
  /** Papers written again (the crawl's `indexed`). */
  papers: number;
  crawl: CrawlSummary;
  durationSeconds: number;
  papersPerSecond: number;
  cpuSeconds: Record<string, number>;
  services: ServiceCpu;
}

export async function runReprocess(p: Pipeline, o: PipelineOptions): Promise<ReprocessResult> {
  p.cpu.mark();
  const services = await serviceCpuWindow(o.es, o.redis);
  const started = now();
  const { crawlId, pages } = await startReprocess(
    { es: o.es, crawls: p.crawls, enqueuer: p.enqueuer, cfg: p.cfg },
    { rewrite: true },
  );
  o.say(`[reprocess] crawl ${crawlId}: ${pages} archived pages queued, every paper rewritten`);
  const crawl = await waitForPhaseCrawl(p, o, crawlId, {
    started,
    pollMs: 250,
    line: (s, seconds) =>
      `[reprocess] ${seconds.toFixed(1)} s  parsed ${s.parsed}/${pages}  rewritten ${s.indexed}`,
  });
  await o.es.indices.refresh({ index: p.cfg.index });
  const durationSeconds = (now() - started) / 1000;
  return {
    pages,
    papers: crawl.indexed,
    crawl,
    durationSeconds,
    papersPerSecond: crawl.indexed / durationSeconds,
    cpuSeconds: p.cpu.read(),
    services: await services(),
  };
}
