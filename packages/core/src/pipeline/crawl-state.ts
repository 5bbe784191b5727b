import type { RedisClient } from '../redis/redis.js';
import type { CrawlSummary, DELIVER_QUEUE, ErrorCode, Stage } from '@paperline/contracts';
import { LuaScript } from '../redis/scripts.js';
import { RedisKeys, type CrawlPart } from '../redis/keys.js';
import { pipelinePerKey } from '../redis/slots.js';
import { shortHash } from '../ids.js';
import { BookBuffer, type CrawlAdditions } from './book-buffer.js';

const REGISTER = LuaScript.file('crawl-register');
const TRANSITION = LuaScript.file('crawl-transition');
const SEAL = LuaScript.file('crawl-seal');

/** What the transition and seal scripts answer when they finished the crawl. */
const FINISHED = 2;

export interface FailureRecord {
  jobId: string;
  /** '' for a job that names no crawl (a poison payload added by hand). */
  crawlId: string;
  /** The pipeline stage, or `deliver` for a parked webhook batch. */
  stage: Stage | typeof DELIVER_QUEUE;
  code: ErrorCode | 'UNKNOWN';
  message: string;
  url?: string;
  at: string;
}

/** A crawl's sets: URLs fetched, pages parsed, papers seen, written and embedded, sightings, failed jobs. */
const CRAWL_SETS = ['fetched', 'parsed', 'papers', 'written', 'embedded', 'cands', 'failed'] as const;
type CrawlSet = (typeof CRAWL_SETS)[number];

/** The values of a transaction's replies; the first error is thrown. */
function replies(res: Array<[Error | null, unknown]> | null): unknown[] {
  return (res ?? []).map(([err, v]) => {
    if (err) throw err;
    return v;
  });
}

const setSizes = (sizes: unknown[]): Record<CrawlSet, number> =>
  Object.fromEntries(CRAWL_SETS.map((set, i) => [set, Number(sizes[i] ?? 0)])) as Record<CrawlSet, number>;

const JOB_STATES = ['pending', 'done', 'failed'] as const;
type JobState = (typeof JOB_STATES)[number];
const STATE_CODE = { pending: 'p', done: 'd', failed: 'f' } as const;

/**
 * Where a crawl stands, kept in Redis so that any process (a worker, `wait`, the API) can read it
 * and so that it survives worker crashes.
 *
 * Every count is idempotent: it is the size of a set (URLs fetched, pages parsed, papers seen,
 * papers written) or a state transition of a job id, so a job that runs twice after a crash counts
 * once. A crawl is finished when it is sealed (all seeds registered) and no registered job is still
 * pending. The one module that reads and writes a crawl's books, its failure records and the
 * sources' health baselines; its scripts are in `packages/core/lua/crawl-*.lua`.
 */
export class CrawlStore {
  /** Crawl keys expire this long after the last write to them. @defaultValue 30 days */
  private readonly ttlSeconds: number;

  private readonly keys: RedisKeys;

  /**
   * Additions to the books held until the next job's transition (write-behind), or undefined:
   * written at once.
   */
  private readonly buffer: BookBuffer | undefined;

  private readonly flushTimer: NodeJS.Timeout | undefined;

  /**
   * `writeBehind` (a worker process): what its jobs add to the books (pages parsed, their yields
   * and papers, papers written and embedded) is held in memory and written in one round trip
   * before the next transition of any job (done or failed), so a page's chain costs one write
   * instead of one per stage; a job is never marked done before what it added is in Redis. A URL
   * marked fetched is written at once, with whatever waits: a retried fetch reads it
   * (`contains`). Whatever waits is also written every `writeBehindMs` and on `close`.
   */
  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    opts: {
      ttlSeconds?: number;
      failureTtlSeconds?: number;
      writeBehind?: boolean;
      writeBehindMs?: number;
    } = {},
  ) {
    this.keys = new RedisKeys(prefix);
    this.ttlSeconds = opts.ttlSeconds ?? 30 * 86_400;
    this.failureTtlSeconds = opts.failureTtlSeconds ?? 14 * 86_400;
    if (opts.writeBehind) {
      const buffer = new BookBuffer((crawlId, additions) => this.writeAdditions(crawlId, additions));
      this.buffer = buffer;
      this.flushTimer = setInterval(() => {
        // A failure puts the additions back; the next transition writes them, or fails with it.
        if (!buffer.empty) buffer.flush().catch(() => undefined);
      }, opts.writeBehindMs ?? 1000);
      this.flushTimer.unref();
    }
  }

  /** Writes whatever the books hold back (write-behind); rejects when Redis refused it. */
  async flushBooks(): Promise<void> {
    await this.buffer?.flush();
  }

  /** Stops the write-behind timer and writes what waits. */
  async close(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    await this.flushBooks();
  }

  private readonly failureTtlSeconds: number;

  private key(crawlId: string, part: CrawlPart): string {
    return this.keys.crawl(crawlId)[part];
  }

  async create(crawlId: string, seeds: string[], opts: { depth: number; kind?: string }): Promise<void> {
    const meta = this.key(crawlId, 'meta');
    await this.redis
      .multi()
      .hset(meta, {
        crawlId,
        startedAt: new Date().toISOString(),
        seeds: JSON.stringify(seeds),
        depth: String(opts.depth),
        kind: opts.kind ?? 'crawl',
      })
      .expire(meta, this.ttlSeconds)
      .exec();
    // Listed once it exists (the list is another slot than the crawl's books on a cluster).
    await this.redis.zadd(this.keys.crawls, Date.now(), crawlId);
  }

  async exists(crawlId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(crawlId, 'meta'))) === 1;
  }

  /**
   * Registers jobs as pending before they are added to a queue. Returns the ids to add: new ones
   * and ones still pending; jobs of this crawl that are done or failed are not run again.
   */
  async register(crawlId: string, jobIds: string[]): Promise<string[]> {
    if (jobIds.length === 0) return [];
    const keys = [this.key(crawlId, 'jobs'), this.key(crawlId, 'open')];
    const toAdd = (await REGISTER.run(this.redis, keys, jobIds)) as string[];
    await this.touch(crawlId, ['jobs', 'open']);
    return toAdd;
  }

  /** Those of `jobIds` the crawl has never registered (in any state). */
  async unregistered(crawlId: string, jobIds: string[]): Promise<string[]> {
    if (jobIds.length === 0) return [];
    const states = await this.redis.hmget(this.key(crawlId, 'jobs'), ...jobIds);
    return jobIds.filter((_, i) => states[i] === null);
  }

  /** Marks all seeds as registered: from now on an empty pending set means finished. */
  async seal(crawlId: string): Promise<void> {
    const k = this.keys.crawl(crawlId);
    const res = await SEAL.run(this.redis, [k.meta, k.open], [new Date().toISOString()]);
    if (res === FINISHED) await this.judgeHealth(crawlId);
  }

  /** Moves a job to a state; the move that finishes the crawl also judges its source health. */
  async transition(crawlId: string, jobId: string, to: JobState): Promise<void> {
    await this.flushBooks();
    const k = this.keys.crawl(crawlId);
    const keys = [k.jobs, k.open, k.failed, k.meta];
    const res = await TRANSITION.run(this.redis, keys, [jobId, STATE_CODE[to], new Date().toISOString()]);
    if (res === FINISHED) await this.judgeHealth(crawlId);
  }

  /** A job's state in the crawl's books (undefined: never registered). */
  async jobState(crawlId: string, jobId: string): Promise<JobState | undefined> {
    const code = await this.redis.hget(this.key(crawlId, 'jobs'), jobId);
    return JOB_STATES.find((s) => STATE_CODE[s] === code);
  }

  async recordFailure(f: FailureRecord): Promise<void> {
    await this.redis.set(this.keys.failure(f.jobId), JSON.stringify(f), 'EX', this.failureTtlSeconds);
    if (f.crawlId) await this.transition(f.crawlId, f.jobId, 'failed');
  }

  /**
   * A record a page listed that could not be made valid: counted failed in its crawl and kept
   * (newest first, up to 10,000) for `failed`. It is fixed by a parser fix and `reprocess`.
   */
  async quarantine(f: FailureRecord): Promise<void> {
    const key = this.keys.quarantine;
    await this.redis.multi().lpush(key, JSON.stringify(f)).ltrim(key, 0, 9_999).exec();
    await this.recordFailure(f);
  }

  async quarantined(limit = 1000): Promise<FailureRecord[]> {
    return (await this.redis.lrange(this.keys.quarantine, 0, limit - 1)).map(
      (r) => JSON.parse(r) as FailureRecord,
    );
  }

  async failures(jobIds: string[]): Promise<Map<string, FailureRecord>> {
    const out = new Map<string, FailureRecord>();
    if (jobIds.length === 0) return out;
    const raw = await pipelinePerKey(
      this.redis,
      jobIds.map((id) => this.keys.failure(id)),
      (pipe, key) => pipe.get(key),
    );
    raw.forEach((r, i) => {
      if (typeof r === 'string') out.set(jobIds[i]!, JSON.parse(r) as FailureRecord);
    });
    return out;
  }

  /** Written at once (with whatever the books hold back): a retried fetch job reads it. */
  async markFetched(crawlId: string, url: string): Promise<void> {
    if (!this.buffer) return this.addToSet(crawlId, 'fetched', [url]);
    this.buffer.addToSets(crawlId, [['fetched', [url]]]);
    await this.buffer.flush();
  }

  async markParsed(crawlId: string, url: string): Promise<void> {
    await this.addToSet(crawlId, 'parsed', [url]);
  }

  /**
   * Records which papers a page yielded (for the papers and duplicates counts). A sighting is the
   * pair (page, paper), so a page counted twice — parsed, or found unchanged by a 304 — counts once.
   */
  async markCandidates(crawlId: string, pageUrl: string, paperIds: string[]): Promise<void> {
    if (paperIds.length === 0) return;
    const page = shortHash(pageUrl);
    await this.addToSets(crawlId, [
      ['papers', paperIds],
      ['cands', paperIds.map((id) => `${page}|${id}`)],
    ]);
  }

  /** Papers one page of a source yielded (idempotent: keyed by URL). */
  async markYield(crawlId: string, source: string, url: string, papers: number): Promise<void> {
    const field = `${source}|${url}`;
    if (this.buffer) this.buffer.setYield(crawlId, field, papers);
    else await this.writeAdditions(crawlId, { sets: new Map(), yields: new Map([[field, papers]]) });
  }

  /**
   * Source health of a crawl that just finished, judged by the writer that finished it: each
   * source's papers per page against its running baseline (an exponential average over earlier
   * healthy crawls). Judged once per crawl (a crawl reopened by a retry keeps its first verdict);
   * a degraded result is flagged and kept out of the baseline.
   */
  private async judgeHealth(crawlId: string): Promise<void> {
    if ((await this.redis.hsetnx(this.key(crawlId, 'meta'), 'healthClaim', '1')) === 0) return;
    const perPage = await this.redis.hgetall(this.key(crawlId, 'yield'));
    const bySource = new Map<string, { pages: number; papers: number }>();
    for (const [field, n] of Object.entries(perPage)) {
      const source = field.slice(0, field.indexOf('|'));
      const e = bySource.get(source) ?? { pages: 0, papers: 0 };
      e.pages += 1;
      e.papers += Number(n);
      bySource.set(source, e);
    }
    const out: NonNullable<CrawlSummary['health']> = {};
    for (const [source, e] of bySource) {
      const papersPerPage = e.papers / e.pages;
      const bk = this.keys.healthBaseline(source);
      const base = await this.redis.hgetall(bk);
      const n = Number(base.n ?? 0);
      const ema = Number(base.ema ?? 0);
      const degraded = n >= 3 && papersPerPage < 0.5 * ema;
      out[source] = {
        pages: e.pages,
        papersPerPage: Math.round(papersPerPage * 100) / 100,
        ...(n > 0 ? { baseline: Math.round(ema * 100) / 100 } : {}),
        status: n < 3 ? 'learning' : degraded ? 'degraded' : 'ok',
      };
      if (!degraded) {
        const next = n === 0 ? papersPerPage : 0.8 * ema + 0.2 * papersPerPage;
        await this.redis.hset(bk, { ema: String(next), n: String(n + 1) });
      }
    }
    await this.redis.hset(this.key(crawlId, 'meta'), 'health', JSON.stringify(out));
  }

  async markWritten(crawlId: string, paperIds: string[]): Promise<void> {
    await this.addToSet(crawlId, 'written', paperIds);
  }

  /** Papers whose vector this crawl computed and handed to the indexer. */
  async markEmbedded(crawlId: string, paperIds: string[]): Promise<void> {
    await this.addToSet(crawlId, 'embedded', paperIds);
  }

  private async addToSet(crawlId: string, part: CrawlPart, members: string[]): Promise<void> {
    await this.addToSets(crawlId, [[part, members]]);
  }

  /** Adds to several of a crawl's sets, held back (write-behind) or at once. */
  private async addToSets(crawlId: string, additions: Array<[CrawlPart, string[]]>): Promise<void> {
    if (this.buffer) this.buffer.addToSets(crawlId, additions);
    else await this.writeAdditions(crawlId, { sets: new Map(additions), yields: new Map() });
  }

  /** Writes additions to one crawl's books in one round trip (they share the crawl's slot). */
  private async writeAdditions(crawlId: string, additions: CrawlAdditions): Promise<void> {
    const m = this.redis.multi();
    for (const [part, members] of additions.sets) {
      if (members.length === 0) continue;
      const k = this.key(crawlId, part);
      m.sadd(k, ...members).expire(k, this.ttlSeconds);
    }
    if (additions.yields.size > 0) {
      const k = this.key(crawlId, 'yield');
      m.hset(k, Object.fromEntries(additions.yields)).expire(k, this.ttlSeconds);
    }
    if (m.length > 0) replies(await m.exec());
  }

  private async touch(crawlId: string, parts: CrawlPart[]): Promise<void> {
    const m = this.redis.multi();
    for (const p of parts) m.expire(this.key(crawlId, p), this.ttlSeconds);
    await m.exec();
  }

  /** The sizes of a crawl's sets: every count of its summary comes from these. */
  async sizes(crawlId: string): Promise<Record<CrawlSet, number>> {
    await this.flushBooks();
    const m = this.redis.multi();
    for (const set of CRAWL_SETS) m.scard(this.key(crawlId, set));
    return setSizes(replies(await m.exec()));
  }

  /** Whether a member (a URL fetched, a paper written…) is in one of a crawl's sets. */
  async contains(crawlId: string, set: CrawlSet, member: string): Promise<boolean> {
    await this.flushBooks();
    return (await this.redis.sismember(this.key(crawlId, set), member)) === 1;
  }

  async summary(crawlId: string): Promise<CrawlSummary | null> {
    await this.flushBooks();
    const m = this.redis.multi().hgetall(this.key(crawlId, 'meta'));
    for (const set of CRAWL_SETS) m.scard(this.key(crawlId, set));
    const [meta, ...sizes] = replies(await m.exec()) as [Record<string, string> | undefined, ...number[]];
    if (!meta?.crawlId) return null;
    const n = setSizes(sizes);
    return {
      crawlId,
      fetched: n.fetched,
      parsed: n.parsed,
      indexed: n.written,
      embedded: n.embedded,
      unchanged: Math.max(0, n.papers - n.written),
      duplicates: Math.max(0, n.cands - n.papers),
      failed: n.failed,
      finished: Boolean(meta.finishedAt),
      startedAt: meta.startedAt ?? '',
      ...(meta.finishedAt ? { finishedAt: meta.finishedAt } : {}),
      seeds: meta.seeds ? (JSON.parse(meta.seeds) as string[]) : [],
      ...(meta.kind ? { kind: meta.kind } : {}),
      ...(meta.finishedAt && meta.health
        ? { health: JSON.parse(meta.health) as NonNullable<CrawlSummary['health']> }
        : {}),
    };
  }

  /** Jobs registered with the crawl, and those of them still pending. */
  async jobCounts(crawlId: string): Promise<{ registered: number; pending: number }> {
    const [registered, pending] = await Promise.all([
      this.redis.hlen(this.key(crawlId, 'jobs')),
      this.openCount(crawlId),
    ]);
    return { registered, pending };
  }

  async openCount(crawlId: string): Promise<number> {
    return Number((await this.redis.get(this.key(crawlId, 'open'))) ?? 0);
  }

  /** Most recent crawls first. */
  async recent(limit = 20): Promise<string[]> {
    return this.redis.zrevrange(this.keys.crawls, 0, limit - 1);
  }
}
