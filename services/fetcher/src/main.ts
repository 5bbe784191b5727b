import {
  HostLimiter,
  HttpClient,
  RawArchive,
  RobotsPolicy,
  createRuntime,
  decodeBody,
  ensureArchiveIndices,
  runStageProcess,
  shortHash,
  withFetchMetrics,
} from '@paperline/core';
import { routeUrl } from '@paperline/sources';
import { processFetch, type FetchDeps } from './process.js';

const rt = createRuntime('fetcher');
const { cfg } = rt;
await ensureArchiveIndices(rt.es, cfg.archiveIndex);
const http = new HttpClient({ userAgent: cfg.userAgent, allowHosts: cfg.allowHosts, ...cfg.fetch });
const archive = new RawArchive(rt.es, cfg.archiveIndex);
const arxivHosts = new Set(
  [cfg.bases.arxivBaseUrl, cfg.bases.arxivApiUrl, cfg.bases.oaiBaseUrl].map((u) => new URL(u).host),
);

const limiter = new HostLimiter(rt.redis, cfg.queuePrefix, (host) =>
  arxivHosts.has(host) ? Math.max(cfg.hostIntervalMs, cfg.arxivIntervalMs) : cfg.hostIntervalMs,
);
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
  archive,
  limiter,
  route: (url) => routeUrl(url, cfg.bases),
  robots: (url) => robots.check(url),
  markFetched: (crawlId, url) => rt.crawls.markFetched(crawlId, url),
  markPagePapers: (crawlId, url, ids) => rt.crawls.markCandidates(crawlId, shortHash(url), ids),
};
runStageProcess(rt, 'fetch', (job, ctx) => processFetch(job, deps, ctx), {
  concurrency: cfg.concurrency.fetch,
  beforeClose: async () => {
    await http.close();
    await robotsHttp.close();
  },
});
