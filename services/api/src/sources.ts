import { STAGES } from '@paperline/contracts';
import type { RedisClient } from '@paperline/core/redis';
import { readChanges, recentCrawls, retryFailed, type RetrySelection } from '@paperline/ops';
import type { Logger } from '@paperline/core/process';
import { esReachable, type EsClient } from '@paperline/core/es';
import { findSimilar, getPaper, searchPapers, type QueryEmbedder } from '@paperline/core/es/search';
import { foldPaperTotals, readMetrics, type PaperResult } from '@paperline/core/metrics';
import { ChangeFeed, jobCounts, type CrawlStore, type StageQueues } from '@paperline/core/pipeline';
import type { AppDeps } from './app.js';
import type { ApiOptions } from './config.js';
import { collectOverview, type OverviewSources } from './overview.js';
import { createPromRegistry } from './prom.js';
import { memo } from './memo.js';
import type { QueueSet } from './queue-set.js';

/** Recent crawls whose books are folded into the paper counters at each scrape. */
export const PAPERS_WINDOW = 50;

/** Recent crawls whose source health `/metrics` reports (each source's newest). */
export const HEALTH_WINDOW = 20;

/** The connections the API holds; opened in `main.ts`. */
export interface ApiClients {
  redis: RedisClient;
  es: EsClient;
  queues: StageQueues;
  queueSet: QueueSet;
  crawls: CrawlStore;
  /** The query embedder; `error` (a missing or corrupt model) when it could not be loaded. */
  embedder: { embed: QueryEmbedder } | { error: Error };
}

/** Wires the app's narrow dependencies to the real Redis, Elasticsearch and queues. */
export function createAppDeps(
  c: ApiClients,
  cfg: { index: string; queuePrefix: string },
  options: ApiOptions,
  log: Logger,
): AppDeps {
  const prefix = cfg.queuePrefix;
  const papers = async (): Promise<Record<PaperResult, number>> =>
    foldPaperTotals(c.redis, prefix, await recentCrawls(c.crawls, PAPERS_WINDOW));
  /** Retries among the failed jobs of every queue shown (the stages, and `schedule` once it exists). */
  const retry = async (selection: RetrySelection) =>
    retryFailed({ queues: await c.queueSet.list(), crawls: c.crawls }, selection);

  const overviewSources: OverviewSources = {
    prefix,
    queues: () => c.queueSet.list(),
    crawls: c.crawls,
    jobs: (id) => c.crawls.jobCounts(id),
    papers: (s) => foldPaperTotals(c.redis, prefix, s),
  };

  const metrics = createPromRegistry({
    queueCounts: async () => {
      const list = await c.queueSet.list();
      const counts = await Promise.all(list.map((q) => jobCounts(q.queue)));
      return list.map((q, i) => ({ name: q.name, counts: counts[i]! }));
    },
    workerMetrics: () => readMetrics(c.redis, prefix),
    papers,
    sourceHealth: async () => {
      const seen = new Map<string, { source: string; degraded: boolean; papersPerPage: number }>();
      for (const s of await recentCrawls(c.crawls, HEALTH_WINDOW)) {
        for (const [source, h] of Object.entries(s.health ?? {})) {
          if (!seen.has(source))
            seen.set(source, { source, degraded: h.status === 'degraded', papersPerPage: h.papersPerPage });
        }
      }
      return [...seen.values()];
    },
  });

  // Without the model, search defaults to keyword mode; similar papers answer the model's error.
  const embed = 'embed' in c.embedder ? c.embedder.embed : undefined;
  const { embedder } = c;
  const embedOrFail: QueryEmbedder =
    'embed' in embedder ? embedder.embed : () => Promise.reject(embedder.error);
  const feed = new ChangeFeed(c.redis, prefix);
  return {
    options,
    log,
    search: (p) => searchPapers(c.es, cfg.index, p, embed),
    getPaper: (id) => getPaper(c.es, cfg.index, id),
    similar: (req) => findSimilar(c.es, cfg.index, req, embedOrFail),
    changes: (q) => readChanges({ feed, papers: c.es, alias: cfg.index }, q),
    checks: {
      redis: async () => (await c.redis.ping()) === 'PONG',
      elasticsearch: () => esReachable(c.es),
    },
    overview: memo(() => collectOverview(overviewSources), 2000),
    metrics,
    actions: {
      retryJob: async (jobId) => (await retry({ jobId }))[0] ?? null,
      retryByCode: async (code, stage) => (await retry({ code, stage })).length,
    },
    dashboard: {
      queues: STAGES.map((s) => c.queues[s]),
      subscribe: (add) => c.queueSet.subscribe(add),
    },
  };
}
