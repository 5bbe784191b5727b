import { createHash } from 'node:crypto';
import {
  PermanentError,
  RateLimitedError,
  type FetchJob,
  type Route,
  type SourceId,
} from '@paperline/contracts';
import type { ConditionalHeaders, FetchResult } from '@paperline/core/http';
import type { ArchivedPage, UrlRecord } from '@paperline/core/es';
import type { SlotDecision, StageContext, StageResult } from '@paperline/core/pipeline';

/** The narrow dependencies of the fetch stage. */
export interface FetchDeps {
  http: { fetch(url: string, conditional?: ConditionalHeaders): Promise<FetchResult> };
  archive: {
    put(page: ArchivedPage): Promise<void>;
    getUrl(url: string): Promise<UrlRecord | null>;
    touch(url: string, fetchedAt: string): Promise<void>;
  };
  limiter: {
    /** Ends with an AbortError when `signal` aborts. */
    reserve(host: string, signal?: AbortSignal): Promise<SlotDecision>;
    pushBack(host: string, ms: number): Promise<unknown>;
  };
  /**
   * Routes a URL whose job carries no route: only jobs enqueued by a version before routes
   * travelled with them (a rolling upgrade). Every other job's route was decided when enqueued.
   */
  legacyRoute: (url: string) => Route | null;
  /** Throws ROBOTS_DISALLOWED when robots.txt forbids the URL. */
  robots: (url: string) => Promise<void>;
  markFetched: (crawlId: string, url: string) => Promise<void>;
  /**
   * Whether this crawl fetched the URL already: this job ran before and did not finish, and the
   * parse, merge or write that followed may not have happened (a chained run cut short).
   */
  fetchedBefore: (crawlId: string, url: string) => Promise<boolean>;
  /** Counts a page's papers as seen (they are unchanged: the page is). */
  markPagePapers: (crawlId: string, url: string, paperIds: string[]) => Promise<void>;
  now?: () => Date;
}

/**
 * The conditional headers for a page whose papers the archive knows (a 304 then counts them as
 * unchanged), unless this job's earlier run in its crawl did not finish: when the stages are
 * chained, that run may have merged the page's papers, and so recorded them, without writing them.
 */
async function conditionalHeaders(
  job: FetchJob,
  prior: UrlRecord | null,
  deps: FetchDeps,
): Promise<ConditionalHeaders | undefined> {
  if (!prior?.paperIds || !(prior.etag || prior.lastModified)) return undefined;
  if (await fetchedBefore(job, deps)) return undefined;
  return {
    ...(prior.etag ? { etag: prior.etag } : {}),
    ...(prior.lastModified ? { lastModified: prior.lastModified } : {}),
  };
}

/** Whether this crawl fetched the URL already (see {@link FetchDeps.fetchedBefore}). */
const fetchedBefore = (job: FetchJob, deps: FetchDeps): Promise<boolean> =>
  deps.fetchedBefore(job.crawlId, job.url);

/**
 * A 200 that answers exactly as the archived fetch did: the same bytes (sha256), status, final URL,
 * content type and validators. It is a 304 from a server that keeps no ETag or Last-Modified (or
 * ignored them): the page is not modified, and parsing it again would only find its papers
 * unchanged. New validators go the long way, so that the record keeps them for the next 304.
 */
function isSameFetch(prior: UrlRecord, res: FetchResult, sha256: string): boolean {
  return (
    prior.sha256 === sha256 &&
    prior.status === res.status &&
    prior.finalUrl === res.finalUrl &&
    prior.contentType === res.contentType &&
    prior.etag === res.etag &&
    prior.lastModified === res.lastModified
  );
}

/**
 * A page not modified since its papers were recorded: its fetch record is touched and its papers
 * count as unchanged in this crawl, with no parse, merge or write.
 */
async function countUnchanged(
  job: FetchJob,
  paperIds: string[],
  fetchedAt: string,
  deps: FetchDeps,
): Promise<StageResult<'fetch'>> {
  await deps.archive.touch(job.url, fetchedAt);
  await deps.markFetched(job.crawlId, job.url);
  await deps.markPagePapers(job.crawlId, job.url, paperIds);
  return { outcome: 'not-modified' };
}

/**
 * Fetches one URL politely, archives the body content-addressed and hands the parser a reference
 * to it (the body itself only in memory, to a parse chained in this process).
 */
export async function processFetch(
  job: FetchJob,
  deps: FetchDeps,
  ctx: StageContext,
): Promise<StageResult<'fetch'>> {
  const route = job.route ?? deps.legacyRoute(job.url);
  if (!route) {
    throw new PermanentError(
      'UNSUPPORTED_URL',
      `no source parses ${job.url}: its host is none of the configured base URLs (HF_BASE_URL, ARXIV_BASE_URL, ARXIV_API_URL)`,
      { stage: 'fetch', context: { url: job.url } },
    );
  }
  await deps.robots(job.url);
  const host = new URL(job.url).host;

  // Conditional GET only for a page whose papers we know: a 304 then costs no parse.
  const prior = await deps.archive.getUrl(job.url);
  const conditional = await conditionalHeaders(job, prior, deps);

  // The slot is the last thing awaited before the request goes out: whatever comes between them
  // (an Elasticsearch round trip, a robots.txt check) would narrow the gap the site sees.
  const slot = await deps.limiter.reserve(host, ctx.signal);
  if (slot.kind === 'later') return { outcome: 'deferred', delayUntil: Date.now() + slot.delayMs };
  if (slot.grantedAt !== undefined) {
    ctx.log.debug({ host, grantedAt: slot.grantedAt, waitedMs: slot.waitMs }, 'took the host slot');
  }
  let res: FetchResult;
  try {
    res = await deps.http.fetch(job.url, conditional);
  } catch (err) {
    if (err instanceof RateLimitedError) await deps.limiter.pushBack(host, err.retryAfterMs);
    throw err;
  }
  const fetchedAt = (deps.now?.() ?? new Date()).toISOString();
  if (res.status === 304 && prior?.paperIds) {
    ctx.log.debug({ papers: prior.paperIds.length }, 'not modified');
    return countUnchanged(job, prior.paperIds, fetchedAt, deps);
  }
  const sha256 = createHash('sha256').update(res.body).digest('hex');
  if (
    prior?.paperIds &&
    isSameFetch(prior, res, sha256) &&
    (conditional || !(await fetchedBefore(job, deps)))
  ) {
    ctx.log.debug({ papers: prior.paperIds.length }, 'the bytes archived already: not modified');
    return countUnchanged(job, prior.paperIds, fetchedAt, deps);
  }
  const source: SourceId = route.source;
  await deps.archive.put({
    url: job.url,
    finalUrl: res.finalUrl,
    sha256,
    status: res.status,
    contentType: res.contentType,
    ...(res.etag ? { etag: res.etag } : {}),
    ...(res.lastModified ? { lastModified: res.lastModified } : {}),
    fetchedAt,
    source,
    size: res.body.length,
    body: res.body,
  });
  await deps.markFetched(job.crawlId, job.url);
  ctx.log.debug({ status: res.status, bytes: res.body.length, ms: res.elapsedMs }, 'fetched');
  return {
    outcome: 'fetched',
    emit: [
      {
        stage: 'parse',
        payload: {
          crawlId: job.crawlId,
          url: job.url,
          finalUrl: res.finalUrl,
          sha256,
          contentType: res.contentType,
          status: res.status,
          fetchedAt,
          depth: job.depth,
          source,
        },
        // A parse chained in this process takes the bytes as they are, instead of reading them back.
        handOff: { body: res.body },
      },
    ],
  };
}
