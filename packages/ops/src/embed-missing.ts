import type { RedisClient } from '@paperline/core/redis';
import type { EmbedJob } from '@paperline/contracts';
import { scanPapers, type EsClient } from '@paperline/core/es';
import { RedisKeys } from '@paperline/core/redis';
import { jobIdFor, newCrawlId, type CrawlStore, type Enqueuer } from '@paperline/core/pipeline';
import { embeddingTextHash } from '@paperline/identity';

/** What `embed --missing` needs: the CLI's context fits, and so does a test's or the bench's. */
export interface EmbedMissingDeps {
  es: EsClient;
  redis: RedisClient;
  crawls: CrawlStore;
  enqueuer: Enqueuer;
  cfg: { index: string; queuePrefix: string };
}

export interface EmbedMissingOptions {
  /** Documents read per search request. @defaultValue 1000 */
  pageSize?: number;
}

/** What {@link startEmbedMissing} did. */
export interface EmbedMissingStart {
  /** The crawl whose books hold the embed jobs; null when no paper needed a vector. */
  crawlId: string | null;
  /** Whether that crawl is the unfinished one of an earlier run, resumed. */
  resumed: boolean;
  /** Papers found without a current vector (pending jobs of a resumed run included). */
  found: number;
  /** Embed jobs this run added that no earlier run had (0 when run again). */
  enqueued: number;
  /** The resumed crawl's papers embedded and jobs failed before this run (0 for a new crawl). */
  before: { embedded: number; failed: number };
}

/** The crawl of an unfinished earlier run is remembered this long. */
const REMEMBER_SECONDS = 30 * 86_400;

/** The fields a document is read with: enough to tell whether its vector is current. */
const FIELDS = ['title', 'abstract', 'embedding.textHash', 'sources.url'];

/**
 * Queues an embed job for every paper in the index without a vector, or whose vector was computed
 * from another title or abstract (`embedding.textHash` differs from the text's hash), as the
 * deduplicator does for the papers it merges: the same job contract, the same deterministic job
 * ids, the same embedder. The papers are read from one point in time. The jobs belong to a crawl of
 * kind `embed-missing`, so `waitForCrawl`, `failed` and `retry` work on them as on any crawl's.
 *
 * Running it again while that crawl is unfinished resumes it: the papers still without a vector get
 * the job ids they already have, so nothing is queued twice. Once it is finished, a new run starts
 * a new crawl for whatever still lacks a vector (none, when every job succeeded).
 */
export async function startEmbedMissing(
  deps: EmbedMissingDeps,
  opts: EmbedMissingOptions = {},
): Promise<EmbedMissingStart> {
  const remembered = new RedisKeys(deps.cfg.queuePrefix).embedMissingCrawl(deps.cfg.index);
  const previous = await deps.redis.get(remembered);
  const earlier = previous === null ? null : await deps.crawls.summary(previous);
  const resumed = earlier?.finished === false;
  const before = resumed
    ? { embedded: earlier.embedded, failed: earlier.failed }
    : { embedded: 0, failed: 0 };
  let crawlId = resumed ? previous : null;
  let found = 0;
  let enqueued = 0;
  if (await deps.es.indices.exists({ index: deps.cfg.index })) {
    const pages = scanPapers(deps.es, deps.cfg.index, {
      fields: FIELDS,
      ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
    });
    for await (const page of pages) {
      const stale = page
        .map(({ id, doc }) => ({ id, doc, textHash: textHashOf(doc) }))
        .filter(({ doc, textHash }) => storedTextHash(doc) !== textHash);
      if (stale.length === 0) continue;
      if (crawlId === null) {
        crawlId = newCrawlId();
        await deps.crawls.create(crawlId, [], { depth: 0, kind: 'embed-missing' });
        await deps.redis.set(remembered, crawlId, 'EX', REMEMBER_SECONDS);
      }
      const jobs = stale.map(({ id, doc, textHash }): EmbedJob => ({
        crawlId: crawlId!,
        url: pageOf(doc),
        id,
        textHash,
      }));
      const fresh = await deps.crawls.unregistered(
        crawlId,
        jobs.map((j) => jobIdFor('embed', j)),
      );
      await deps.enqueuer.enqueue(
        'seed',
        jobs.map((payload) => ({ stage: 'embed' as const, payload })),
      );
      found += jobs.length;
      enqueued += fresh.length;
    }
  }
  if (crawlId !== null) await deps.crawls.seal(crawlId);
  return { crawlId, resumed, found, enqueued, before };
}

/** The hash of the text a document's vector should be computed from (its title and abstract). */
function textHashOf(doc: Record<string, unknown>): string {
  const abstract = typeof doc.abstract === 'string' ? doc.abstract : undefined;
  return embeddingTextHash({ title: typeof doc.title === 'string' ? doc.title : '', abstract });
}

/** The hash of the text its stored vector was computed from; undefined when it has none. */
function storedTextHash(doc: Record<string, unknown>): unknown {
  return (doc.embedding as { textHash?: unknown } | undefined)?.textHash;
}

/** The page an embed job names: the paper's first source, as the deduplicator would name it. */
function pageOf(doc: Record<string, unknown>): string {
  const sources = (doc.sources ?? []) as Array<{ url?: unknown }>;
  const url = sources.map((s) => s.url).find((u) => typeof u === 'string');
  return typeof url === 'string' ? url : '';
}
