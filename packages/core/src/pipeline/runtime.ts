import { loadConfig, type PaperlineConfig } from '../config/config.js';
import { createLogger, type Logger } from '../process/logger.js';
import { createRedis, type RedisClient } from '../redis/redis.js';
import { createQueues, closeQueues, type StageQueues } from './queues.js';
import { CrawlStore } from './crawl-state.js';
import { Enqueuer } from './enqueuer.js';
import { createEsClient, type EsClient } from '../es/client.js';
import { MetricsRecorder } from '../metrics/recorder.js';
import { LocalStages } from './chain.js';
import { ActiveJobs } from './active-jobs.js';

/** The connections one worker process holds; built once per process and handed out narrowly. */
export interface Runtime {
  cfg: PaperlineConfig;
  log: Logger;
  /** Paperline's own state in Redis: crawl books, caches, limiters, metrics, the change feed. */
  redis: RedisClient;
  /**
   * BullMQ's connection (the queues and stage workers). BullMQ defines its ~50 scripts as commands
   * on the client it is given, and ioredis copies every defined command into each pipeline and
   * MULTI built on that client: on a client of their own, the crawl books' MULTI costs 55–63 µs of
   * client CPU instead of 89–130 (`bench/src/experiments/pipeline-construction.ts`).
   */
  queueRedis: RedisClient;
  es: EsClient;
  queues: StageQueues;
  crawls: CrawlStore;
  enqueuer: Enqueuer;
  /** Worker-side metrics, flushed to Redis every ~2 s and on close. */
  metrics: MetricsRecorder;
  /** The stages started in this process, which chain where they follow one another. */
  local: LocalStages;
  /** The jobs the process's stage workers are running. */
  active: ActiveJobs;
  close(): Promise<void>;
}

export function createRuntime(service: string, env: NodeJS.ProcessEnv = process.env): Runtime {
  const cfg = loadConfig(env);
  const log = createLogger({ level: cfg.logLevel, name: service });
  const [redis, queueRedis] = [createRedis(cfg, 'worker'), createRedis(cfg, 'worker')];
  for (const r of [redis, queueRedis])
    r.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const es = createEsClient(cfg.elasticsearch);
  const queues = createQueues(queueRedis, cfg.queuePrefix, cfg);
  const crawls = new CrawlStore(redis, cfg.queuePrefix, {
    failureTtlSeconds: cfg.failedRetentionSeconds,
    writeBehind: true,
  });
  const enqueuer = new Enqueuer(queues, crawls, { maxBacklog: cfg.maxBacklog });
  const metrics = new MetricsRecorder(redis, cfg.queuePrefix, { log });
  return {
    cfg,
    log,
    redis,
    queueRedis,
    es,
    queues,
    crawls,
    enqueuer,
    metrics,
    local: new LocalStages(cfg.chainStages),
    active: new ActiveJobs(),
    async close() {
      await metrics.close();
      await crawls.close().catch((err: unknown) => log.warn({ err: String(err) }, 'crawl books not written'));
      await closeQueues(queues);
      await es.close();
      redis.disconnect();
      queueRedis.disconnect();
    },
  };
}
