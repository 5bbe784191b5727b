import type { Redis } from 'ioredis';
import {
  CrawlStore,
  Enqueuer,
  closeQueues,
  createQueues,
  createRedis,
  type StageQueues,
} from '@paperline/core';
import { EsContext } from './es-context.js';

/** What the CLI's commands need: opened lazily, closed once. */
export class CliContext extends EsContext {
  private _redis?: Redis;
  private _queues?: StageQueues;

  get redis(): Redis {
    if (!this._redis) {
      this._redis = createRedis(this.cfg.redisUrl, 'producer');
      this._redis.on('error', () => undefined); // surfaced by the failing command instead
    }
    return this._redis;
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

  /** One per command, so its backlog cache (backpressure) lasts across enqueues. */
  get enqueuer(): Enqueuer {
    return (this._enqueuer ??= new Enqueuer(this.queues, this.crawls, { maxBacklog: this.cfg.maxBacklog }));
  }

  override async close(): Promise<void> {
    if (this._queues) await closeQueues(this._queues);
    await super.close();
    this._redis?.disconnect();
  }
}
