import { createHash } from 'node:crypto';
import { PermanentError, RateLimitedError, type FetchJob, type SourceId } from '@paperline/contracts';
import type { ArchivedPage, FetchResult, SlotDecision, StageContext, StageResult } from '@paperline/core';
import type { Route } from '@paperline/sources';

/** The narrow dependencies of the fetch stage. */
export interface FetchDeps {
  http: { fetch(url: string): Promise<FetchResult> };
  decode: (body: Buffer, contentType: string) => { text: string; charset: string };
  archive: { put(page: ArchivedPage): Promise<void> };
  limiter: {
    reserve(host: string): Promise<SlotDecision>;
    pushBack(host: string, ms: number): Promise<void>;
  };
  route: (url: string) => Route | null;
  markFetched: (crawlId: string, url: string) => Promise<void>;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Fetches one URL politely, archives the body content-addressed and hands the parser a reference
 * to it (never the body itself).
 */
export async function processFetch(job: FetchJob, deps: FetchDeps, ctx: StageContext): Promise<StageResult> {
  const route = deps.route(job.url);
  if (!route) {
    throw new PermanentError(
      'UNSUPPORTED_URL',
      `no source parses ${job.url}: its host is none of the configured base URLs (HF_BASE_URL, ARXIV_BASE_URL, ARXIV_API_URL)`,
      { stage: 'fetch', context: { url: job.url } },
    );
  }
  const host = new URL(job.url).host;
  const slot = await deps.limiter.reserve(host);
  if (slot.kind === 'later') return { outcome: 'deferred', delayUntil: Date.now() + slot.delayMs };
  if (slot.waitMs > 0) await (deps.sleep ?? defaultSleep)(slot.waitMs);

  let res: FetchResult;
  try {
    res = await deps.http.fetch(job.url);
  } catch (err) {
    if (err instanceof RateLimitedError) await deps.limiter.pushBack(host, err.retryAfterMs);
    throw err;
  }
  const fetchedAt = (deps.now?.() ?? new Date()).toISOString();
  const sha256 = createHash('sha256').update(res.body).digest('hex');
  const { text } = deps.decode(res.body, res.contentType);
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
    text,
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
      },
    ],
  };
}
