import { RawArchive } from '@paperline/core/es';
import { startReprocess } from '@paperline/ops';
import type { CliContext } from '../context.js';
import { printJson } from '../output.js';
import { waitAndReport } from './crawl.js';

/**
 * Re-parses archived raw pages with the current parsers — no network — and writes only what
 * changed (everything, with `--rewrite`); documents missing from the index are rebuilt.
 */
export async function reprocessCommand(
  ctx: CliContext,
  opts: { source?: string; since?: string; rewrite?: boolean; wait: boolean; json: boolean },
): Promise<number> {
  const { crawlId, pages } = await startReprocess(ctx, opts);
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
