/**
 * The re-crawl phase (`--recrawl`): the crawl's pages crawled again, unchanged, as a scheduled
 * crawl of a site finds most of them. The archive knows each page's ETag and papers, so each fetch
 * is conditional, the site answers 304 Not Modified, and the page's papers count as unchanged
 * without a parse, a merge or a write. Timed from the crawl's start to its end.
 */
import type { CrawlSummary } from '@paperline/contracts';
import { waitForCrawl } from '@paperline/core/pipeline';
import { startCrawl } from '@paperline/ops';
import { dateOf } from './model.js';
import { serviceCpuWindow, type Pipeline, type PipelineOptions, type ServiceCpu } from './pipeline.js';
import { now } from './searchable.js';

export interface RecrawlResult {
  pages: number;
  /** Pages the site answered 304 Not Modified. */
  notModified: number;
  crawl: CrawlSummary;
  durationSeconds: number;
  pagesPerSecond: number;
  cpuSeconds: Record<string, number>;
  services: ServiceCpu;
}

export async function runRecrawl(p: Pipeline, o: PipelineOptions, pages: number): Promise<RecrawlResult> {
  const seeds = Array.from({ length: pages }, (_, i) => `${o.site.url}/papers/date/${dateOf(i)}`);
  o.site.reset();
  p.cpu.mark();
  const services = await serviceCpuWindow(o.es, o.redis);
  const started = now();
  const crawlId = await startCrawl(p, seeds, { depth: 0 });
  o.say(`[recrawl] crawl ${crawlId}: the crawl's ${pages} pages again`);
  let lastSay = 0;
  const crawl = await Promise.race([
    waitForCrawl(p.crawls, crawlId, {
      pollMs: 100,
      onProgress: (s) => {
        if (now() - lastSay < 2000) return;
        lastSay = now();
        o.say(
          `[recrawl] ${((lastSay - started) / 1000).toFixed(1)} s  fetched ${s.fetched}/${pages}  not modified ${o.site.log.notModified}`,
        );
      },
    }),
    p.died,
  ]);
  const durationSeconds = (now() - started) / 1000;
  return {
    pages,
    notModified: o.site.log.notModified,
    crawl,
    durationSeconds,
    pagesPerSecond: pages / durationSeconds,
    cpuSeconds: p.cpu.read(),
    services: await services(),
  };
}
