/**
 * The re-crawl phase (`--recrawl`): the crawl's pages crawled again, unchanged, as a scheduled
 * crawl of a site finds most of them. The archive knows each page's ETag and papers, so each fetch
 * is conditional: the site answers 304 Not Modified, and the page's papers count as unchanged
 * without a parse, a merge or a write. Then once more from a site that answers every request with
 * the whole page (`wholePages`: a server that computes no 304s), whose bytes are those archived.
 * Each pass is timed from its crawl's start to its end.
 */
import type { CrawlSummary } from '@paperline/contracts';
import { startCrawl } from '@paperline/ops';
import { dateOf } from './model.js';
import {
  serviceCpuWindow,
  waitForPhaseCrawl,
  type Pipeline,
  type PipelineOptions,
  type ServiceCpu,
} from './pipeline.js';
import { now } from './searchable.js';

export interface RecrawlResult {
  /** The site answered every request 200 with the whole page, conditional or not. */
  wholePages: boolean;
  pages: number;
  /** Pages the site answered 304 Not Modified. */
  notModified: number;
  crawl: CrawlSummary;
  durationSeconds: number;
  pagesPerSecond: number;
  cpuSeconds: Record<string, number>;
  services: ServiceCpu;
}

export async function runRecrawl(
  p: Pipeline,
  o: PipelineOptions,
  pages: number,
  wholePages: boolean,
): Promise<RecrawlResult> {
  const seeds = Array.from({ length: pages }, (_, i) => `${o.site.url}/papers/date/${dateOf(i)}`);
  o.site.reset();
  o.site.answersConditionals = !wholePages;
  p.cpu.mark();
  const services = await serviceCpuWindow(o.es, o.redis);
  const started = now();
  const crawlId = await startCrawl(p, seeds, { depth: 0 });
  o.say(
    `[recrawl] crawl ${crawlId}: the crawl's ${pages} pages again${wholePages ? ', each answered with the whole page' : ''}`,
  );
  const crawl = await waitForPhaseCrawl(p, o, crawlId, {
    started,
    pollMs: 100,
    line: (s, seconds) =>
      `[recrawl] ${seconds.toFixed(1)} s  fetched ${s.fetched}/${pages}  not modified ${o.site.log.notModified}`,
  }).finally(() => (o.site.answersConditionals = true));
  const durationSeconds = (now() - started) / 1000;
  return {
    wholePages,
    pages,
    notModified: o.site.log.notModified,
    crawl,
    durationSeconds,
    pagesPerSecond: pages / durationSeconds,
    cpuSeconds: p.cpu.read(),
    services: await services(),
  };
}
