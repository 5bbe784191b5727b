import { PermanentError } from '@paperline/contracts';
import { purgeWithdrawn, type PurgeReport } from '@paperline/ops';
import type { CliContext } from '../context.js';
import { printJson } from '../output.js';

/** The ids a dry run lists. */
const LISTED = 20;

/** What a purge did (or, in a dry run, would do), in words. */
export function purgeSummary(r: PurgeReport): string {
  if (r.dryRun) {
    const listed = r.sample.slice(0, LISTED);
    const rest = r.matched - listed.length;
    return [
      `dry run: ${r.matched} withdrawn papers not updated since ${r.cutoff} would be purged` +
        (r.matched > 0 ? ' (run with --yes to delete them)' : ''),
      ...listed.map((id) => `  ${id}`),
      ...(rest > 0 ? [`  … and ${rest} more`] : []),
    ].join('\n');
  }
  return (
    `purged ${r.purged} withdrawn papers not updated since ${r.cutoff}, each with a purged entry in the change feed` +
    (r.changed > 0 ? `; ${r.changed} written again since they were found (kept)` : '') +
    (r.gone > 0 ? `; ${r.gone} already gone` : '')
  );
}

/**
 * `paperline purge --withdrawn [--older-than D] [--dry-run | --yes] [--json]`: retention of
 * withdrawn papers. A dry run unless `--yes`.
 */
export async function purgeCommand(
  ctx: CliContext,
  opts: { withdrawn?: boolean; olderThan?: string; dryRun?: boolean; yes?: boolean; json: boolean },
): Promise<number> {
  if (!opts.withdrawn) {
    throw new PermanentError(
      'INVALID_PAYLOAD',
      'purge needs --withdrawn: withdrawn papers are the only ones it removes',
      {
        stage: 'cli',
      },
    );
  }
  if (opts.yes && opts.dryRun) {
    throw new PermanentError('INVALID_PAYLOAD', 'give --dry-run or --yes, not both', { stage: 'cli' });
  }
  const report = await purgeWithdrawn(
    { es: ctx.es, alias: ctx.cfg.index, feed: ctx.feed },
    { dryRun: !opts.yes, ...(opts.olderThan !== undefined ? { olderThan: opts.olderThan } : {}) },
  );
  if (opts.json) printJson(report);
  else process.stdout.write(`${purgeSummary(report)}\n`);
  return 0;
}
