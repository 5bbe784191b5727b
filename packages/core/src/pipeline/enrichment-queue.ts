import type { RedisClient } from '../redis/redis.js';
import { LuaScript } from '../redis/scripts.js';
import { RedisKeys } from '../redis/keys.js';

const QUEUE = LuaScript.file('enrich-queue');
const TAKE = LuaScript.file('enrich-take');

/** What an enrichment job is to do, as {@link EnrichmentQueue.take} decided it. */
export type TakeResult =
  /** Hand these ids to one fetch job; `more`: ids of the crawl still wait (add the successor). */
  | { kind: 'taken'; ids: string[]; more: boolean }
  /** Nothing: `keeper` keeps the crawl and will take its next batch. */
  | { kind: 'keeper'; keeper: string }
  /** Nothing: no id of the crawl waits. */
  | { kind: 'empty' }
  /** Wait: the batch `job` took is the request in flight, not done yet. */
  | { kind: 'in-flight'; job: string }
  /** Wait: the export API host's politeness slot is not free. */
  | { kind: 'slot' };

export interface TakeRequest {
  crawlId: string;
  /** The enrichment job asking. */
  jobId: string;
  /** The job that keeps the crawl when this one takes a batch and ids remain (its successor). */
  successor: string;
  /** ms until the export API host's slot opens (0: a request may go out now). */
  slotWaitMs: number;
  /** The in-flight job the caller found settled (its request done), which may be replaced. */
  settled?: string;
  /** A keeper the caller found gone (failed, or no such job), which this job replaces. */
  goneKeeper?: string;
}

/** A batch an enrichment job took: its crawl and its ids, in request order. */
export interface TakenBatch {
  crawlId: string;
  ids: string[];
}

interface EnrichmentQueueOptions {
  /** The most ids one export-API request carries. @defaultValue 100 */
  batchSize?: number;
  /** An id is queued at most once in this long, whichever crawl sees it. @defaultValue 7 days */
  claimTtlSeconds?: number;
  /**
   * How long a crawl's waiting ids and a taken batch are kept: as long as the crawl's books, so a
   * failed enrichment job retried late still finds its batch. @defaultValue 30 days
   */
  keepSeconds?: number;
  /** How long the keeper and in-flight marks outlive their last write. @defaultValue 1 day */
  markSeconds?: number;
}

/**
 * arXiv ids waiting for an export-API look-up, in Redis so that the ids of many dedupe jobs, on
 * any number of processes, join one `id_list` request. The one module that reads and writes the
 * enrichment keys (`{enrich}:*`: claims, each crawl's waiting ids and keeper, taken batches, the
 * in-flight mark); its scripts are `packages/core/lua/enrich-*.lua`.
 *
 * - {@link add}: a dedupe job queues ids it claims (an id is claimed once in 7 days).
 * - {@link take}: an enrichment job of the crawl takes up to {@link batchSize} of its oldest
 *   waiting ids when a request may go out (the host's slot is free and no batch is in flight),
 *   recorded under the job, so a job re-run after a crash hands on the same batch. A batch holds
 *   ids of one crawl only, so the crawl's books hold its whole look-up.
 */
export class EnrichmentQueue {
  readonly batchSize: number;
  private readonly keys: RedisKeys;
  private readonly claimTtlSeconds: number;
  private readonly keepSeconds: number;
  private readonly markSeconds: number;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    opts: EnrichmentQueueOptions = {},
  ) {
    this.keys = new RedisKeys(prefix);
    this.batchSize = opts.batchSize ?? 100;
    this.claimTtlSeconds = opts.claimTtlSeconds ?? 7 * 86_400;
    this.keepSeconds = opts.keepSeconds ?? 30 * 86_400;
    this.markSeconds = opts.markSeconds ?? 86_400;
  }

  /**
   * Claims ids for a crawl's look-up and queues those not claimed before; returns the ids this
   * job (`owner`) queued, now or in an earlier run of it (a re-run queues nothing twice).
   */
  async add(crawlId: string, owner: string, arxivIds: string[]): Promise<string[]> {
    const ids = [...new Set(arxivIds)];
    if (ids.length === 0) return [];
    const keys = [this.keys.enrichPending(crawlId), ...ids.map((id) => this.keys.enrichClaim(id))];
    const args = [owner, this.claimTtlSeconds, this.keepSeconds, ...ids];
    return (await QUEUE.run(this.redis, keys, args)) as string[];
  }

  /** Takes the crawl's next batch if a request may go out now; see {@link TakeResult}. */
  async take(req: TakeRequest): Promise<TakeResult> {
    const keys = [
      this.keys.enrichPending(req.crawlId),
      this.keys.enrichKeeper(req.crawlId),
      this.keys.enrichInFlight,
      this.keys.enrichTaken(req.jobId),
    ];
    const args = [
      req.jobId,
      req.crawlId,
      req.goneKeeper ?? '',
      req.settled ?? '',
      Math.max(0, Math.ceil(req.slotWaitMs)),
      this.batchSize,
      req.successor,
      this.keepSeconds,
      this.markSeconds,
    ];
    const [kind, a, b] = (await TAKE.run(this.redis, keys, args)) as [TakeResult['kind'], string?, string?];
    switch (kind) {
      case 'taken':
        return { kind, ids: a!.split(','), more: b === '1' };
      case 'keeper':
        return { kind, keeper: a! };
      case 'in-flight':
        return { kind, job: a! };
      default:
        return { kind };
    }
  }

  /** The job whose batch is the request in flight (or was, until another batch is taken). */
  async inFlight(): Promise<string | null> {
    return this.redis.get(this.keys.enrichInFlight);
  }

  /** The batch a job took, or null (it took none, or the record expired). */
  async taken(jobId: string): Promise<TakenBatch | null> {
    const [crawlId, ids] = await this.redis.hmget(this.keys.enrichTaken(jobId), 'crawl', 'ids');
    return crawlId && ids ? { crawlId, ids: ids.split(',') } : null;
  }

  /** How many ids of a crawl wait for a batch. */
  async waiting(crawlId: string): Promise<number> {
    return this.redis.zcard(this.keys.enrichPending(crawlId));
  }
}
