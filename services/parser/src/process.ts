import type { PageBody, ParseJob, SourceId } from '@paperline/contracts';
import type { Emit, StageContext, StageResult } from '@paperline/core/pipeline';
import { pageInput, type PageInput, type ParsedPage, type Route } from '@paperline/sources';

/** The narrow dependencies of the parse stage. Parsers themselves are pure functions. */
export interface ParseDeps {
  /** The archived body, decoded on first use. */
  readBody: (sha256: string, url: string) => Promise<PageBody>;
  /** Fetched bytes handed over in memory, decoded on first use as the archive decodes them. */
  bodyOf: (bytes: Buffer, contentType: string) => PageBody;
  /** `source`: what the page was fetched for (archived pages may sit under other base URLs). */
  parse: (input: PageInput, source: SourceId) => ParsedPage;
  /** Routes a link found on the page (once: its fetch job carries the route). */
  route: (url: string) => Route | null;
  markParsed: (crawlId: string, url: string) => Promise<void>;
  /** How many papers a page of a source yielded (source health). */
  markYield: (crawlId: string, source: string, url: string, papers: number) => Promise<void>;
  /** Sets aside a record the page listed but that is not valid: failed, with its reason. */
  quarantine: (f: { jobId: string; crawlId: string; url: string; message: string }) => Promise<void>;
}

/**
 * Reads the archived body, runs the source's parser, and hands the candidates to the deduplicator
 * and newly discovered links (while depth remains) back to the fetcher.
 */
export async function processParse(
  job: ParseJob,
  deps: ParseDeps,
  ctx: StageContext,
): Promise<StageResult<'parse'>> {
  const handed = ctx.handOff?.body;
  const body = handed ? deps.bodyOf(handed, job.contentType) : await deps.readBody(job.sha256, job.url);
  const { url, finalUrl, contentType, fetchedAt } = job;
  const page = deps.parse(pageInput({ url, finalUrl, contentType, fetchedAt }, body), job.source);
  await deps.markParsed(job.crawlId, job.url);
  // Invalid records never reach the index half-empty; the valid ones of the page go on.
  for (const [i, r] of (page.rejected ?? []).entries()) {
    await deps.quarantine({
      jobId: `${ctx.jobId}.q${i}`,
      crawlId: job.crawlId,
      url: job.url,
      message: `${r.where}: ${r.reason}`,
    });
  }
  if (page.rejected?.length) ctx.log.warn({ rejected: page.rejected.length }, 'invalid records quarantined');
  // A dated listing that redirected elsewhere says nothing about the source's health, nor does a
  // look-up of given ids (an enrichment batch yields as many papers as it asked for).
  if (!page.redirectedFrom && !page.lookup)
    await deps.markYield(job.crawlId, job.source, job.url, page.candidates.length);

  const emit: Emit[] = [];
  if (page.candidates.length > 0 || page.withdrawnIds?.length) {
    emit.push({
      stage: 'dedupe',
      payload: {
        crawlId: job.crawlId,
        url: job.url,
        candidates: page.candidates,
        ...(page.withdrawnIds?.length ? { withdrawnIds: page.withdrawnIds } : {}),
        // Reprocessing rebuilds what the index lost, and fetches nothing.
        ...(job.reprocess ? { verifyIndex: true, reprocess: true } : {}),
        ...(job.rewrite ? { rewrite: true } : {}),
      },
    });
  }
  for (const link of new Set(page.links)) {
    const route = link === job.url ? null : deps.route(link);
    if (!route) continue;
    // The next page of the same listing (paging, OAI resumption) continues this page: it is
    // always followed and costs no depth. Anything else is a step deeper.
    const next = route.type === page.route.type ? job.depth : job.depth - 1;
    if (next < 0 || job.reprocess) continue;
    emit.push({
      stage: 'fetch',
      payload: { crawlId: job.crawlId, url: link, depth: next, referrer: job.url, route },
    });
  }
  if (page.redirectedFrom)
    ctx.log.info({ finalUrl: job.finalUrl }, 'dated listing redirected elsewhere: no records taken');
  return { outcome: page.candidates.length > 0 ? 'parsed' : 'empty', emit };
}
