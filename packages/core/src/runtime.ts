import type { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import type { Stage } from '@paperline/contracts';
import { loadConfig, type PaperlineConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createRedis } from './redis.js';
import { createQueues, closeQueues, type StageQueues } from './queues.js';
import { CrawlStore } from './crawl-state.js';
import { Enqueuer } from './enqueuer.js';
import { createEsClient, type EsClient } from './es/client.js';
import { createStageWorker, type Processor } from './runner.js';
import { installShutdown } from './shutdown.js';
import { MetricsRecorder } from './metrics/recorder.js';

/** The connections one worker process holds; built once in `main.ts` and handed out narrowly. */
export interface Runtime {
  cfg: PaperlineConfig;
  log: Logger;
  redis: Redis;
  es: EsClient;
  queues: StageQueues;
  crawls: CrawlStore;
  enqueuer: Enqueuer;
  /** Worker-side metrics, flushed to Redis every ~2 s and on close. */
  metrics: MetricsRecorder;
  close(): Promise<void>;
}

export function createRuntime(service: string, env: NodeJS.ProcessEnv = process.env): Runtime {
  const cfg = loadConfig(env);
  const log = createLogger({ level: cfg.logLevel, name: service });
  const redis = createRedis(cfg.redisUrl, 'worker');
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const es = createEsClient(cfg.elasticsearch);
  const queues = createQueues(redis, cfg.queuePrefix, cfg);
  const crawls = new CrawlStore(redis, cfg.queuePrefix, { failureTtlSeconds: cfg.failedRetentionSeconds });
  const enqueuer = new Enqueuer(queues, crawls, { maxBacklog: cfg.maxBacklog });
  const metrics = new MetricsRecorder(redis, cfg.queuePrefix, { log });
  return {
    cfg,
    log,
    redis,
    es,
    queues,
    crawls,
    enqueuer,
    metrics,
    async close() {
      await metrics.close();
      await closeQueues(queues);
      await es.close();
      redis.disconnect();
    },
  };
}

/**
 * Runs one stage's worker in this process until SIGINT/SIGTERM: then stops taking jobs, lets
 * active ones finish, runs `beforeClose` (e.g. flush a buffer) and closes the clients.
 */
export function runStageProcess<S extends Stage>(
  rt: Runtime,
  stage: S,
  processor: Processor<S>,
  opts: { concurrency: number; beforeClose?: () => Promise<void> },
): Worker {
  const worker = createStageWorker(stage, processor, {
    connection: rt.redis,
    prefix: rt.cfg.queuePrefix,
    concurrency: opts.concurrency,
    lockMs: rt.cfg.lockMs,
    crawls: rt.crawls,
    enqueuer: rt.enqueuer,
    log: rt.log,
    onOutcome: (s, outcome, ms) => rt.metrics.observeJob(s, outcome, ms),
  });
  rt.log.info({ queue: stage, concurrency: opts.concurrency, prefix: rt.cfg.queuePrefix }, 'worker started');
  installShutdown(rt.log, async () => {
    await worker.close();
    await opts.beforeClose?.();
    await rt.close();
  });
  return worker;
}
