import { PermanentError, SourceIdSchema, type ParseJob, type SourceId } from '@paperline/contracts';
import { RawArchive, type EsClient, type UrlRecord } from '@paperline/core/es';
import { newCrawlId, type CrawlStore, type Enqueuer } from '@paperline/core/pipeline';

/** What starting a reprocess needs: the CLI's context and the bench's pipeline both fit. */
export interface ReprocessDeps {
  es: EsClient;
  crawls: CrawlStore;
  enqueuer: Enqueuer;
  cfg: { archiveIndex: string };
}

export interface ReprocessOptions {
  /** Only pages of this source (`hf` or `arxiv`). */
  source?: string;
  /** Only pages fetched on or after this date (`YYYY-MM-DD` or an ISO time). */
  since?: string;
  /**
   * Write every paper again, even when its content is unchanged: after a parser version change,
   * so that each document carries the version that derived it, or to rebuild every document.
   */
  rewrite?: boolean;
}

/** Archived pages are enqueued in batches of this many parse jobs. */
const BATCH = 500;

/**
 * Re-parses archived pages with the current parsers (no network) under a new crawl of kind
 * `reprocess`: every page's latest fetch gets a parse job; papers whose content changed are written,
 * and so are unchanged papers the index lacks (or every paper, with `rewrite`). Returns the crawl
 * id and the number of pages queued; the crawl is sealed, so waiting on it works as for a crawl.
 */
export async function startReprocess(
  deps: ReprocessDeps,
  opts: ReprocessOptions = {},
): Promise<{ crawlId: string; pages: number }> {
  const filter = reprocessFilter(opts);
  const crawlId = newCrawlId();
  await deps.crawls.create(crawlId, [], { depth: 0, kind: 'reprocess' });
  let pages = 0;
  const archive = new RawArchive(deps.es, deps.cfg.archiveIndex);
  if (await deps.es.indices.exists({ index: `${deps.cfg.archiveIndex}-urls` })) {
    let batch: UrlRecord[] = [];
    const flush = async () => {
      await deps.enqueuer.enqueue(
        'seed',
        batch.map((r) => ({ stage: 'parse' as const, payload: parseJobOf(crawlId, r, opts.rewrite) })),
      );
      pages += batch.length;
      batch = [];
    };
    for await (const rec of archive.urls(filter)) {
      batch.push(rec);
      if (batch.length >= BATCH) await flush();
    }
    if (batch.length > 0) await flush();
  }
  await deps.crawls.seal(crawlId);
  return { crawlId, pages };
}

/** The archive filter of the options, each checked (`INVALID_PAYLOAD` naming the option). */
function reprocessFilter(opts: ReprocessOptions): { source?: SourceId; since?: string } {
  const source = opts.source === undefined ? undefined : SourceIdSchema.safeParse(opts.source);
  if (source && !source.success) {
    throw new PermanentError(
      'INVALID_PAYLOAD',
      `reprocess: source must be one of ${SourceIdSchema.options.join(', ')}, got '${opts.source}'`,
      { stage: 'cli', context: { option: 'source' } },
    );
  }
  if (opts.since !== undefined && Number.isNaN(Date.parse(opts.since))) {
    throw new PermanentError(
      'INVALID_PAYLOAD',
      `reprocess: since must be a date (YYYY-MM-DD), got '${opts.since}'`,
      { stage: 'cli', context: { option: 'since' } },
    );
  }
  return {
    ...(source?.success ? { source: source.data } : {}),
    ...(opts.since !== undefined ? { since: new Date(opts.since).toISOString() } : {}),
  };
}

/** The parse job of an archived page's latest fetch. */
function parseJobOf(crawlId: string, r: UrlRecord, rewrite: boolean | undefined): ParseJob {
  return {
    crawlId,
    url: r.url,
    finalUrl: r.finalUrl,
    sha256: r.sha256,
    contentType: r.contentType,
    status: r.status,
    fetchedAt: r.fetchedAt,
    depth: 0,
    source: r.source,
    reprocess: true,
    ...(rewrite ? { rewrite: true } : {}),
  };
}
