import { PermanentError, type CrawlSummary } from '@paperline/contracts';
import { waitForCrawl } from '@paperline/core/pipeline';
import { startEmbedMissing } from '@paperline/ops';
import type { CliContext } from '../context.js';
import { endProgress, printJson, summaryJson } from '../output.js';

export interface EmbedOptions {
  missing: boolean;
  wait: boolean;
  json: boolean;
  /** Progress lines on stderr; by default unless `--json`. */
  progress?: boolean;
}

/**
 * `embed --missing`: embed jobs for the papers in the index without a current vector (indexed
 * before the embed stage existed, while it was off, or whose job failed). Prints how many were
 * queued; `--wait` shows done/total, papers/s and an ETA until they are all embedded, and exits 3
 * when some failed (they are listed by `failed` and retried by `retry`, as any failed job).
 */
export async function embedCommand(ctx: CliContext, opts: EmbedOptions): Promise<number> {
  if (!opts.missing) {
    throw new PermanentError('INVALID_PAYLOAD', 'embed needs --missing (which papers to embed)', {
      stage: 'cli',
    });
  }
  if (!ctx.cfg.embed) {
    throw new PermanentError(
      'CONFIG_INVALID',
      'PAPERLINE_EMBED is off: no embedder would take the jobs (set PAPERLINE_EMBED=1 here and for the workers)',
      { stage: 'cli' },
    );
  }
  const startedAt = Date.now();
  const start = await startEmbedMissing(ctx);
  const { crawlId, found, enqueued, resumed } = start;
  if (!opts.json) {
    const where = crawlId === null ? '' : ` (crawl ${crawlId}${resumed ? ', resumed' : ''})`;
    process.stderr.write(
      `embed --missing: ${found} papers without a current vector, ${enqueued} newly queued${where}\n`,
    );
  }
  if (!opts.wait || crawlId === null) {
    if (opts.json) printJson({ crawlId, found, enqueued, resumed });
    else process.stdout.write(`${enqueued}\n`);
    return 0;
  }
  const progress = embedProgress(found, start.before, startedAt, opts.progress ?? !opts.json);
  const s = await waitForCrawl(ctx.crawls, crawlId, { onProgress: (x) => progress(x) });
  endProgress();
  await ctx.es.indices.refresh({ index: ctx.cfg.index }).catch(() => undefined);
  if (opts.json) printJson({ ...summaryJson(s), found, enqueued, resumed });
  else {
    const failedHint = ` (\`paperline failed --crawl ${crawlId}\` lists them, \`paperline retry\` runs them again)`;
    process.stdout.write(
      `embed --missing ${crawlId}: embedded ${s.embedded}, failed ${s.failed}${s.failed > 0 ? failedHint : ''}\n`,
    );
  }
  return s.failed > 0 ? 3 : 0;
}

/**
 * done/total, papers/s and ETA on stderr (rewritten in place on a terminal). Total is the papers
 * this run found; done counts papers embedded and jobs failed since it started (a resumed crawl's
 * earlier ones left out), and is the total once the crawl is finished.
 */
function embedProgress(
  total: number,
  before: { embedded: number; failed: number },
  startedAt: number,
  enabled: boolean,
): (s: CrawlSummary) => void {
  const base = before.embedded + before.failed;
  const tty = process.stderr.isTTY === true;
  let last = '';
  return (s) => {
    if (!enabled) return;
    const done = s.finished ? total : Math.min(total, Math.max(0, s.embedded + s.failed - base));
    const secs = (Date.now() - startedAt) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const eta = rate > 0 ? `${Math.round((total - done) / rate)}s` : '?';
    const line = `  ${done}/${total} papers · ${rate.toFixed(1)} papers/s · ETA ${eta} · failed ${s.failed}`;
    // A terminal's line is rewritten as the rate moves; a log gets a line when a count moves.
    const key = tty ? line : `${done} ${s.failed}`;
    if (key === last) return;
    last = key;
    process.stderr.write(tty ? `\r${line.padEnd(80)}` : `${line}\n`);
  };
}
