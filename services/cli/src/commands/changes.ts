import { PermanentError } from '@paperline/contracts';
import { followChanges, readChanges, type ChangeView, type ChangesDeps } from '@paperline/ops';
import type { CliContext } from '../context.js';
import { writeLine } from '../output.js';

/** Entries read per request. */
const PAGE = 500;

/**
 * One entry as a line: cursor, time, op, paper, and the reason of a tombstone or the title of an
 * upsert's current record.
 */
export function changeLine(e: ChangeView): string {
  const title = typeof e.record?.title === 'string' ? e.record.title : undefined;
  const detail =
    e.reason ??
    (title !== undefined ? (title.length > 80 ? `${title.slice(0, 79)}…` : title) : '(no document any more)');
  return `${e.cursor}  ${e.at}  ${e.op.padEnd(9)}  ${e.id}  ${detail}`;
}

/** `--limit`: a whole number of entries, at least 1. */
function parseLimit(limit: string | undefined): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY;
  if (!/^\d+$/.test(limit) || Number(limit) < 1) {
    throw new PermanentError('INVALID_PAYLOAD', `--limit must be a whole number of entries, got '${limit}'`, {
      stage: 'cli',
    });
  }
  return Number(limit);
}

/**
 * `paperline changes [--after C] [--limit N] [--follow] [--json]`: the change feed after a cursor,
 * in write order, to its current end (or `--limit` entries); with `--follow`, then every new entry
 * as it comes, until SIGINT or SIGTERM (exit 0). `--json`: one entry per line, each with its cursor.
 */
export async function changesCommand(
  ctx: CliContext,
  opts: { after?: string; limit?: string; follow: boolean; json: boolean },
): Promise<number> {
  const deps: ChangesDeps & { feed: CliContext['feed'] } = {
    feed: ctx.feed,
    papers: ctx.es,
    alias: ctx.cfg.index,
  };
  const print = (e: ChangeView) => writeLine(opts.json ? JSON.stringify(e) : changeLine(e));
  if (opts.follow) return follow(deps, opts.after, print);

  const max = parseLimit(opts.limit);
  let after = opts.after;
  let printed = 0;
  for (;;) {
    const limit = Math.min(PAGE, max - printed);
    const page = await readChanges(deps, { ...(after !== undefined ? { after } : {}), limit });
    for (const e of page.entries) await print(e);
    printed += page.entries.length;
    after = page.next;
    if (page.entries.length < limit || printed >= max) break;
  }
  if (!opts.json) process.stderr.write(`${printed} changes; read on with --after ${after}\n`);
  return 0;
}

/** Like `tail -f`: prints each new entry as it comes; SIGINT or SIGTERM ends it cleanly. */
async function follow(
  deps: Parameters<typeof followChanges>[0],
  after: string | undefined,
  print: (e: ChangeView) => Promise<void>,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const pages = followChanges(deps, {
      ...(after !== undefined ? { after } : {}),
      limit: PAGE,
      signal: stop.signal,
    });
    for await (const page of pages) for (const e of page.entries) await print(e);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}
