import { QueueKeys } from 'bullmq';

/** The parts of one crawl's books (their meaning: {@link CrawlStore}). */
const CRAWL_PARTS = [
  'meta',
  'jobs',
  'open',
  'failed',
  'fetched',
  'parsed',
  'papers',
  'cands',
  'written',
  'embedded',
  'yield',
] as const;
export type CrawlPart = (typeof CRAWL_PARTS)[number];

/** The keys of one crawl's books, by part. */
type CrawlKeys = Readonly<Record<CrawlPart, string>>;

/**
 * Every Redis key Paperline uses, built in this one place under the queue prefix (in the manner of
 * BullMQ's own `QueueKeys`, which builds the queues' keys and is used here for them). Each family
 * has one owning module that reads and writes it; that module is named on each method.
 *
 * **Slots.** On Redis Cluster the keys of one script call, one MULTI or one pipeline must share a
 * slot. A key's slot comes from its `{hash tag}` when it has one, else from the whole key, so a
 * family's tag says which of its keys live together (the same shapes on a single server):
 * - one crawl's books share `{<crawl id>}` (its scripts and transactions span its parts);
 * - each queue's keys share `{<queue>}`, put in BullMQ's prefix ({@link queuePrefix});
 * - the metrics hashes share `{metrics}` (flushed and read in one pipeline, folded by one script);
 * - every other key is a slot of its own (a paper's cache entry, a failure record, a host's
 *   politeness slot…): keys spread over the cluster, and callers that touch many of them group
 *   them by slot (`groupBySlot`, `pipelinePerKey`).
 * `keys.slots.test.ts` checks every Lua script's KEYS against these builders.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** A SCAN pattern matching every key under the prefix, the queues' included. */
  get everything(): string {
    return `${this.prefix}:*`;
  }

  /** Crawl ids by start time (CrawlStore). */
  get crawls(): string {
    return `${this.prefix}:crawls`;
  }

  /** One crawl's books (CrawlStore), all in the crawl's slot. */
  crawl(crawlId: string): CrawlKeys {
    const base = `${this.prefix}:crawl:{${crawlId}}:`;
    const keys = {} as Record<CrawlPart, string>;
    for (const part of CRAWL_PARTS) keys[part] = base + part;
    return keys;
  }

  /** A failed job's failure record (CrawlStore). */
  failure(jobId: string): string {
    return `${this.prefix}:failure:${jobId}`;
  }

  /** Records set aside as invalid (CrawlStore). */
  get quarantine(): string {
    return `${this.prefix}:quarantine`;
  }

  /** A source's health baseline (CrawlStore). */
  healthBaseline(source: string): string {
    return `${this.prefix}:health:${source}`;
  }

  /** A paper's dedup cache entry (PaperCache). */
  paper(paperId: string): string {
    return `${this.prefix}:paper:${paperId}`;
  }

  /** A SCAN pattern matching every dedup cache entry (PaperCache). */
  get papers(): string {
    return this.paper('*');
  }

  /** The alias table: every known key of a paper → its canonical id (the deduplicator's DedupStore). */
  get alias(): string {
    return `${this.prefix}:alias`;
  }

  /** The indexer processes that want an index refreshed at the backfill interval (BackfillHolders). */
  backfillHolders(index: string): string {
    return `${this.prefix}:backfill-holders:${index}`;
  }

  /** The indexer processes writing to an index now (IndexWriters). */
  indexWriters(index: string): string {
    return `${this.prefix}:index-writers:${index}`;
  }

  /**
   * Where the enrichment queue's keys live (EnrichmentQueue). Its scripts touch several at once, so
   * they share one hash slot: the `{enrich}` tag names it, unless the prefix is a hash tag already
   * (Redis Cluster hashes the first `{…}` of a key), in which case every key shares the prefix's.
   */
  private get enrichment(): string {
    return `${this.prefix}:{enrich}`;
  }

  /** An arXiv id claimed for enrichment: the dedupe job that queued it (EnrichmentQueue). */
  enrichClaim(arxivId: string): string {
    return `${this.enrichment}:claim:${arxivId}`;
  }

  /** A crawl's arXiv ids waiting for a batch, oldest first (EnrichmentQueue). */
  enrichPending(crawlId: string): string {
    return `${this.enrichment}:pending:${crawlId}`;
  }

  /** The enrichment job that will take a crawl's next batch (EnrichmentQueue). */
  enrichKeeper(crawlId: string): string {
    return `${this.enrichment}:keeper:${crawlId}`;
  }

  /** The batch an enrichment job took: its crawl, ids and whether ids were left (EnrichmentQueue). */
  enrichTaken(jobId: string): string {
    return `${this.enrichment}:taken:${jobId}`;
  }

  /** The enrichment job whose batch is the export-API request in flight (EnrichmentQueue). */
  get enrichInFlight(): string {
    return `${this.enrichment}:inflight`;
  }

  /** A host's next free request slot (HostLimiter). */
  polite(host: string): string {
    return `${this.prefix}:polite:${host}`;
  }

  /** An origin's robots.txt, shared by every fetcher (RobotsCache). */
  robots(origin: string): string {
    return `${this.prefix}:robots:${origin}`;
  }

  /** One worker metric's hash (the metrics recorder, reader and paper totals), all in one slot. */
  metric(name: string): string {
    return `${this.prefix}:{metrics}:${name}`;
  }

  /** The last crawl a schedule started (the scheduler). */
  scheduleLastCrawl(schedule: string): string {
    return `${this.prefix}:schedule:${schedule}:crawl`;
  }

  /**
   * One webhook endpoint's follower state (WebhookCursors): `state`, a hash of its cursor in the
   * change feed and the delivery job last handed to the queue; `lease`, which process follows it.
   */
  webhook(endpoint: string): { state: string; lease: string } {
    const base = `${this.prefix}:webhook:${endpoint}:`;
    return { state: `${base}state`, lease: `${base}lease` };
  }

  /** The crawl of a backfill of one source over a date range (the `backfill` command). */
  backfillCrawl(source: string, from: string, to: string): string {
    return `${this.prefix}:backfill:${source}:${from}:${to}`;
  }

  /** The crawl of the latest `embed --missing` of an alias (@paperline/ops `startEmbedMissing`). */
  embedMissingCrawl(alias: string): string {
    return `${this.prefix}:embed-missing:${alias}`;
  }

  /** The index a rebuild is filling, which indexers also write to (ShadowTarget). */
  reindexShadow(alias: string): string {
    return `${this.prefix}:reindex:${alias}`;
  }

  /**
   * The change feed (ChangeFeed): `entries`, the stream of changes; `versions`, each paper's last
   * appended external version (the guard); `meta`, the feed's epoch and how far it was trimmed. Its
   * scripts use them together, so they always share a slot on Redis Cluster: the prefix's
   * `{hash tag}` if it has one, else `{feed}`.
   */
  get feed(): { entries: string; versions: string; meta: string } {
    const base = `${this.prefix}:{feed}:`;
    return { entries: `${base}entries`, versions: `${base}versions`, meta: `${base}meta` };
  }

  /**
   * The `prefix` option of BullMQ's `Queue`, `Worker` and `QueueEvents` for one queue: the queue
   * prefix and the queue's hash tag, so each queue's keys share a slot (BullMQ's scripts span
   * them) while different queues spread over the cluster.
   */
  queuePrefix(queue: string): string {
    return `${this.prefix}:{${queue}}`;
  }

  /** One of BullMQ's keys of a queue (e.g. `meta`, `failed`), as BullMQ builds it. */
  queue(name: string, type: string): string {
    return new QueueKeys(this.queuePrefix(name)).toKey(name, type);
  }
}
