import {
  exportPapers,
  manifestPathOf,
  papersWrittenBetween,
  type ExportManifest,
  type ExportProgress,
} from '@paperline/ops';
import type { CliContext } from '../context.js';
import { endProgress, printJson } from '../output.js';

/** `done/total papers · rate · ETA`: one progress line of an export `seconds` in. */
export function exportProgressLine(p: ExportProgress, seconds: number): string {
  const rate = seconds > 0 ? p.written / seconds : 0;
  const eta = rate > 0 ? `${Math.ceil((p.total - p.written) / rate)}s` : '?';
  return `  ${p.written.toLocaleString('en')}/${p.total.toLocaleString('en')} papers · ${rate.toFixed(0)} papers/s · ETA ${eta}`;
}

/** The line an export ends with (on stderr, terminal or not). */
export function exportDoneLine(m: ExportManifest, out: string, seconds: number): string {
  const mb = (m.bytes / 1e6).toFixed(1);
  return `exported ${m.count.toLocaleString('en')} papers (${m.format}, ${mb} MB) to ${out} in ${seconds.toFixed(1)}s; manifest ${manifestPathOf(out)}`;
}

/**
 * A consistent snapshot of the papers into one file with a manifest beside it. Progress goes to
 * stderr on a terminal; the final line always. SIGINT or SIGTERM stops it with nothing written.
 */
export async function exportCommand(
  ctx: CliContext,
  o: { format: string; out: string; since?: string; query?: string; withVectors: boolean; json: boolean },
): Promise<number> {
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;
  const tty = process.stderr.isTTY === true;
  const aborter = new AbortController();
  const stop = () => aborter.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const manifest = await exportPapers(
      // The feed's cursor goes into the manifest: following the feed from it covers every write
      // the snapshot does not hold.
      {
        es: ctx.es,
        cfg: ctx.cfg,
        currentCursor: () => ctx.feed.head(),
        writtenBetween: (after, until) => papersWrittenBetween(ctx.feed, after, until),
      },
      { format: o.format, out: o.out, since: o.since, query: o.query, withVectors: o.withVectors },
      {
        signal: aborter.signal,
        onProgress: (p) => {
          if (tty) process.stderr.write(`\r${exportProgressLine(p, seconds()).padEnd(80)}`);
        },
      },
    );
    if (tty) endProgress();
    process.stderr.write(`${exportDoneLine(manifest, o.out, seconds())}\n`);
    if (o.json) printJson(manifest);
    return 0;
  } catch (err) {
    if (tty) endProgress();
    throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
