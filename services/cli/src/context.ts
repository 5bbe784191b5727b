import { loadConfig, type PaperlineConfig } from '@paperline/core/config';
import { createLogger, type Logger } from '@paperline/core/process';
import { createRedis, type RedisClient } from '@paperline/core/redis';
import { createEsClient, type EsClient } from '@paperline/core/es';
import {
  ChangeFeed,
  CrawlStore,
  Enqueuer,
  closeQueues,
  createQueues,
  type StageQueues,
} from '@paperline/core/pipeline';
import type { Queue } from 'bullmq';
import { deliverQueue, type DeliveryPayload } from '@paperline/ops';

/** What the CLI's commands need: opened lazily, closed once. */
export class CliContext {
  readonly cfg: PaperlineConfig;
  readonly log: Logger;
  private _redis?: RedisClient;
  private _es?: EsClient;
  private _queues?: StageQueues;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.cfg = loadConfig(env);
    this.log = createLogger({ level: env.PAPERLINE_LOG_LEVEL ? this.cfg.logLevel : 'warn', name: 'cli' });
  }

  get redis(): RedisClient {
    if (!this._redis) {
      this._redis = createRedis(this.cfg, 'producer');
      this._redis.on('error', () => undefined); // surfaced by the failing command instead
    }
    return this._redis;
  }

  get es(): EsClient {
    return (this._es ??= createEsClient(this.cfg.elasticsearch));
  }

  get queues(): StageQueues {
    return (this._queues ??= createQueues(this.redis, this.cfg.queuePrefix, this.cfg));
  }

  private _crawls?: CrawlStore;
  private _enqueuer?: Enqueuer;

  get crawls(): CrawlStore {
    return (this._crawls ??= new CrawlStore(this.redis, this.cfg.queuePrefix, {
      failureTtlSeconds: this.cfg.failedRetentionSeconds,
    }));
  }

  private _feed?: ChangeFeed;

  get feed(): ChangeFeed {
    return (this._feed ??= new ChangeFeed(this.redis, this.cfg.queuePrefix, {
      maxEntries: this.cfg.feedMaxEntries,
    }));
  }

  private _deliverQueue?: Queue<DeliveryPayload>;

  /** The webhook deliveries' queue: its failed jobs are parked batches (`failed`, `retry`, `webhooks list`). */
  get deliverQueue(): Queue<DeliveryPayload> {
    return (this._deliverQueue ??= deliverQueue(this.redis, this.cfg.queuePrefix));
  }

  /** One per command, so its backlog cache (backpressure) lasts across enqueues. */
  get enqueuer(): Enqueuer {
    return (this._enqueuer ??= new Enqueuer(this.queues, this.crawls, { maxBacklog: this.cfg.maxBacklog }));
  }

  async close(): Promise<void> {
    if (this._queues) await closeQueues(this._queues);
    if (this._deliverQueue) await this._deliverQueue.close();
    if (this._es) await this._es.close();
    this._redis?.disconnect();
  }
}
