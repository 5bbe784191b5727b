import { PermanentError, type SourceId } from '@paperline/contracts';
import { RawArchive, type UrlRecord } from '@paperline/core/es';
import { newCrawlId } from '@paperline/core/pipeline';
import type { CliContext } from '../context.js';
import { printJson } from '../output.js';
import { waitAndReport } from './crawl.js';

const SOURCES: SourceId[] = ['hf', 'arxiv'];

/**
 * Re-parses archived raw pages with the current parsers — no network — and writes only what
 * changed; documents missing from the index are rebuilt.
 */
export async function reprocessCommand(
  ctx: CliContext,
  opts: { source?: string; since?: string; wait: boolean; json: boolean },
): Promise<number> {
  if (opts.source && !SOURCES.includes(opts.source as SourceId)) {
    throw new PermanentError('INVALID_PAYLOAD', `--source must be one of ${SOURCES.join(', ')}`, {
      stage: 'cli',
    });
  }
  if (opts.since && Number.isNaN(Date.parse(opts.since))) {
    throw new PermanentError('INVALID_PAYLOAD', `--since must be a date (YYYY-MM-DD), got '${opts.since}'`, {
      stage: 'cli',
    });
  }
  const archive = new RawArchive(ctx.es, ctx.cfg.archiveIndex);
  const crawlId = newCrawlId();
  await ctx.crawls.create(crawlId, [], { depth: 0, kind: 'reprocess' });
  let batch: UrlRecord[] = [];
  let pages = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await ctx.enqueuer.enqueue(
      'seed',
      batch.map((r) => ({
        stage: 'parse' as const,
        payload: {
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
        },
      })),
    );
    pages += batch.length;
    batch = [];
  };
  const filter = {
    ...(opts.source ? { source: opts.source as SourceId } : {}),
    ...(opts.since ? { since: new Date(opts.since).toISOString() } : {}),
  };
  const exists = await ctx.es.indices.exists({ index: `${ctx.cfg.archiveIndex}-urls` });
  if (exists) {
    for await (const rec of archive.urls(filter)) {
      batch.push(rec);
      if (batch.length >= 500) await flush();
    }
    await flush();
  }
  await ctx.crawls.seal(crawlId);
  if (!opts.json || !opts.wait)
    process.stderr.write(`reprocess ${crawlId}: ${pages} archived pages queued for parsing\n`);
  if (!opts.wait) {
    if (opts.json) printJson({ crawlId, pages });
    else process.stdout.write(`${crawlId}\n`);
    return 0;
  }
  const s = await waitAndReport(ctx, crawlId, opts);
  return s.failed > 0 ? 3 : 0;
}

/** Prints an archived body by sha256 or by URL (the latest fetch of it), for inspection. */
export async function rawCommand(ctx: CliContext, ref: string): Promise<number> {
  const archive = new RawArchive(ctx.es, ctx.cfg.archiveIndex);
  let sha = ref;
  if (!/^[0-9a-f]{64}$/.test(ref)) {
    const rec = await archive.getUrl(ref);
    if (!rec) {
      process.stderr.write(`no archived fetch of ${ref}\n`);
      return 4;
    }
    sha = rec.sha256;
  }
  process.stdout.write(await archive.getText(sha, ref));
  return 0;
}
