import { PermanentError, type ChangeEntry } from '@paperline/contracts';
import type { PaperReader } from '@paperline/core/es/reader';
import { currentPapers } from '@paperline/core/es/search';
import { parseCursor, streamIdAfter, type ChangeFeed } from '@paperline/core/pipeline';

/** What reading the change feed needs: the feed, and a reader of the papers index. */
export interface ChangesDeps {
  feed: Pick<ChangeFeed, 'read'>;
  papers: PaperReader;
  /** The papers alias (`PAPERLINE_INDEX`). */
  alias: string;
}

/**
 * A feed entry as consumers get it. An upsert carries the paper's current document (`record`,
 * as `GET /api/papers/{id}` returns it) and its version, read when the page is read; null when
 * the paper has no document any more (its tombstone follows). Tombstones carry their reason only.
 */
export interface ChangeView extends ChangeEntry {
  record?: Record<string, unknown> | null;
  recordVersion?: number;
}

/** One page of changes and the cursor to read on from. */
export interface ChangesPage {
  entries: ChangeView[];
  next: string;
}

/** Entries per page: the default, and the most one read returns. */
export const CHANGES_LIMIT = { default: 100, max: 1000 } as const;

/**
 * Up to `limit` changes after a cursor (none: from the beginning), oldest first, each upsert with
 * the paper's current document. Throws `FEED_CURSOR_INVALID` (a cursor this feed did not give out)
 * or `FEED_CURSOR_EXPIRED` (the entries after it are gone: start from an export).
 */
export async function readChanges(
  deps: ChangesDeps,
  opts: { after?: string; limit?: number } = {},
): Promise<ChangesPage> {
  const limit = opts.limit ?? CHANGES_LIMIT.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > CHANGES_LIMIT.max) {
    throw new PermanentError(
      'INVALID_PAYLOAD',
      `limit: must be a whole number from 1 to ${CHANGES_LIMIT.max}`,
    );
  }
  const page = await deps.feed.read(opts.after, limit);
  const upserts = [...new Set(page.entries.filter((e) => e.op === 'upsert').map((e) => e.id))];
  const current = await currentPapers(deps.papers, deps.alias, upserts);
  const entries = page.entries.map((e): ChangeView => {
    if (e.op !== 'upsert') return e;
    const cur = current.get(e.id);
    return cur ? { ...e, record: cur.record, recordVersion: cur.version } : { ...e, record: null };
  });
  return { entries, next: page.next };
}

/** Entries after which the paper has a document: written, or written marked withdrawn. */
const WRITES = new Set<string>(['upsert', 'withdrawn']);

/**
 * The ids of the papers whose documents were written (upserts and withdrawals) after the cursor
 * `after`, up to and including the cursor `until`, read a page at a time (`export --since
 * <cursor>`); papers deleted or purged have no document to export. Throws as {@link readChanges}
 * does for a cursor the feed did not give out or whose entries are gone.
 */
export async function papersWrittenBetween(
  feed: Pick<ChangeFeed, 'read'>,
  after: string,
  until: string,
): Promise<Set<string>> {
  const end = parseCursor(until).id;
  const ids = new Set<string>();
  for (let at = after; ;) {
    const page = await feed.read(at, CHANGES_LIMIT.max);
    for (const e of page.entries) {
      if (streamIdAfter(parseCursor(e.cursor).id, end)) return ids;
      if (WRITES.has(e.op)) ids.add(e.id);
    }
    if (page.entries.length < CHANGES_LIMIT.max) return ids;
    at = page.next;
  }
}

/**
 * Reads the feed from a cursor on, like `tail -f`: each page as soon as it has entries, waiting
 * (without polling) while there are none. Ends when `signal` aborts.
 */
export async function* followChanges(
  deps: ChangesDeps & { feed: Pick<ChangeFeed, 'read' | 'waitForMore'> },
  opts: { after?: string; limit?: number; signal: AbortSignal },
): AsyncGenerator<ChangesPage> {
  let after = opts.after;
  while (!opts.signal.aborted) {
    const page = await readChanges(deps, { after, ...(opts.limit ? { limit: opts.limit } : {}) });
    if (page.entries.length > 0) yield page;
    after = page.next;
    if (page.entries.length < (opts.limit ?? CHANGES_LIMIT.default)) {
      await deps.feed.waitForMore(after, { signal: opts.signal });
    }
  }
}
