import { startCrawl as startCrawlWith, type CrawlStore, type Enqueuer } from '@paperline/core/pipeline';
import { routeUrl, type SourceBases } from '@paperline/sources';

/** What starting a crawl needs: a process's runtime, the CLI's context and the bench's pipeline all fit. */
export interface StartCrawlDeps {
  crawls: CrawlStore;
  enqueuer: Enqueuer;
  /** Seeds must be pages under these base URLs (some source parses them). */
  cfg: { bases: SourceBases };
}

/** Depth, kind, and whether an existing crawl is resumed. */
export type StartCrawlOptions = Parameters<typeof startCrawlWith>[2];

/**
 * Starts a crawl from seed URLs and returns its id: how the CLI, the scheduler and the benchmark
 * all start one. Seeds no source parses are refused up front (`UNSUPPORTED_URL`).
 */
export function startCrawl(deps: StartCrawlDeps, seeds: string[], opts: StartCrawlOptions): Promise<string> {
  const { bases } = deps.cfg;
  return startCrawlWith(
    {
      crawls: deps.crawls,
      enqueuer: deps.enqueuer,
      route: (url) => routeUrl(url, bases),
      bases,
    },
    seeds,
    opts,
  );
}
