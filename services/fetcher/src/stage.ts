import type { PaperlineConfig } from '@paperline/core/config';
import { HttpClient, decodeBody } from '@paperline/core/http';
import { RawArchive, ensureArchiveIndices } from '@paperline/core/es';
import { withFetchMetrics } from '@paperline/core/metrics';
import { HostLimiter, RobotsPolicy, defineStage, hostIntervals } from '@paperline/core/pipeline';
import { routeUrl } from '@paperline/sources';
import { processFetch, type FetchDeps } from './process.js';

/** A host slot this near is waited for (a nap within the job); a later one defers the job. */
const SLOT_HOLD_MS = 2000;

/**
 * A fetch job's default time limit: robots.txt (when not cached) and the page, each under the
 * HTTP client's total timeout, the nap for the host's slot, and 10 s for the archive and books.
 */
function fetchTimeoutMs(cfg: PaperlineConfig): number {
  return cfg.jobTimeoutMs.fetch ?? 2 * cfg.fetch.totalTimeoutMs + SLOT_HOLD_MS + 10_000;
}

/** fetch: one URL → its body in the raw archive, and a parse job that refers to it. */
export const fetchStage = defineStage({
  queue: 'fetch',
  worker: 'fetcher',
  concurrency: (cfg) => cfg.concurrency.fetch,
  timeoutMs: fetchTimeoutMs,
  async wire(rt) {
    const { cfg } = rt;
    await ensureArchiveIndices(rt.es, cfg.archiveIndex, cfg.indexLayout);
    const http = new HttpClient({ userAgent: cfg.userAgent, allowHosts: cfg.allowHosts, ...cfg.fetch });
    const robotsHttp = new HttpClient({
      userAgent: cfg.userAgent,
      allowHosts: cfg.allowHosts,
      ...cfg.fetch,
      maxBodyBytes: 512 * 1024,
      acceptContentTypes: ['text/plain', 'text/html', 'application/octet-stream'],
    });
    const robots = new RobotsPolicy(rt.redis, cfg.queuePrefix, (u) => robotsHttp.fetch(u), decodeBody);
    const deps: FetchDeps = {
      http: withFetchMetrics(http, rt.metrics),
      archive: new RawArchive(rt.es, cfg.archiveIndex),
      limiter: new HostLimiter(rt.redis, cfg.queuePrefix, hostIntervals(cfg), SLOT_HOLD_MS),
      legacyRoute: (url) => routeUrl(url, cfg.bases),
      robots: (url) => robots.check(url),
      markFetched: (crawlId, url) => rt.crawls.markFetched(crawlId, url),
      fetchedBefore: (crawlId, url) => rt.crawls.contains(crawlId, 'fetched', url),
      markPagePapers: (crawlId, url, ids) => rt.crawls.markCandidates(crawlId, url, ids),
    };
    return {
      deps,
      async close() {
        await http.close();
        await robotsHttp.close();
      },
    };
  },
  process: processFetch,
});
