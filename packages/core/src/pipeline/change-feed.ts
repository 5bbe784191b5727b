import type { RedisClient } from '../redis/redis.js';
import {
  CHANGE_OPS,
  PermanentError,
  type Change,
  type ChangeEntry,
  type ChangeOp,
} from '@paperline/contracts';
import { LuaScript } from '../redis/scripts.js';
import { RedisKeys } from '../redis/keys.js';

const APPEND = LuaScript.file('feed-append');
const READ = LuaScript.file('feed-read');

/** Where a reader is: the feed's epoch and the stream id of the last entry read. */
export interface FeedPosition {
  /** '' for the beginning of whichever epoch the feed is in. */
  epoch: string;
  /** `<ms>-<seq>`; `0-0` for the beginning. */
  id: string;
}

/** The beginning of the feed, whatever its epoch. */
const BEGINNING: FeedPosition = { epoch: '', id: '0-0' };

/**
 * A cursor is `<epoch>:<ms>-<seq>`: the feed's generation and the stream id of an entry. Each part
 * is kept short enough for Lua's numbers to hold it exactly.
 */
const CURSOR = /^(\d{1,17}):(\d{1,15}-\d{1,15})$/;

/**
 * Reads a cursor given by a consumer (`after`); none, empty or `0` is the beginning of the feed.
 * Anything else that is not a cursor this feed gave out is `FEED_CURSOR_INVALID`, naming `after`.
 */
export function parseCursor(cursor: string | undefined): FeedPosition {
  if (cursor === undefined || cursor === '' || cursor === '0') return BEGINNING;
  const m = CURSOR.exec(cursor);
  if (!m) {
    throw new PermanentError(
      'FEED_CURSOR_INVALID',
      `after: '${cursor.slice(0, 80)}' is not a change-feed cursor (give the "next" of an earlier read, an entry's "cursor", or 0 for the beginning)`,
    );
  }
  return { epoch: m[1]!, id: m[2]! };
}

/** Whether a text is a change-feed cursor in form (`0`, or `<epoch>:<ms>-<seq>`). */
export function isFeedCursor(text: string): boolean {
  return text === '0' || CURSOR.test(text);
}

/** Whether stream id `a` (`<ms>-<seq>`) comes after `b`. */
export function streamIdAfter(a: string, b: string): boolean {
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am > bm : as > bs;
}

/** The cursor of a position; the beginning of a feed that has no epoch yet is `0`. */
export function formatCursor(epoch: string, id: string): string {
  return epoch === '' ? '0' : `${epoch}:${id}`;
}

/** One page of the feed: entries in write order, and the cursor to read on from. */
export interface FeedPage {
  entries: ChangeEntry[];
  /** The last entry's cursor, or the cursor read after when there were none. */
  next: string;
}

/** The options of a {@link ChangeFeed}. */
export interface ChangeFeedOptions {
  /**
   * The stream keeps this many entries: once it has 100 more, the oldest are trimmed
   * away; a reader whose cursor is behind one of them gets `FEED_CURSOR_EXPIRED`.
   * @defaultValue 1,000,000 (`PAPERLINE_FEED_MAX_ENTRIES`)
   */
  maxEntries?: number;
}

const OPS = new Set<string>(CHANGE_OPS);

/**
 * The change feed: every write to a paper, in write order, as a Redis stream with a guard of each
 * paper's last appended external version. The one module that reads and writes its keys
 * (`RedisKeys.feed`). The indexer appends after Elasticsearch took a write, `purge` before it
 * deletes; consumers read pages after a cursor (docs/change-feed.md says why no change is skipped).
 */
export class ChangeFeed {
  private readonly keys: RedisKeys['feed'];
  private readonly maxEntries: number;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    opts: ChangeFeedOptions = {},
  ) {
    this.keys = new RedisKeys(prefix).feed;
    this.maxEntries = opts.maxEntries ?? 1_000_000;
  }

  /**
   * Appends changes in one script call. A change not newer than its paper's last appended one is
   * dropped (a late write Elasticsearch refused or replaced). Returns how many were appended.
   */
  async append(changes: readonly Change[]): Promise<number> {
    if (changes.length === 0) return 0;
    const args: (string | number)[] = [this.maxEntries];
    for (const c of changes) args.push(c.id, c.op, String(c.version), c.reason ?? '');
    const res = await APPEND.run(this.redis, [this.keys.entries, this.keys.versions, this.keys.meta], args);
    return Number(res);
  }

  /**
   * Up to `limit` entries after a cursor (see {@link parseCursor}), oldest first. Throws
   * `FEED_CURSOR_EXPIRED` when entries after it are gone (trimmed, or the feed was lost with its
   * Redis): reading on would skip changes.
   */
  async read(after: string | undefined, limit: number): Promise<FeedPage> {
    const from = parseCursor(after);
    const [status, epoch, raw] = (await READ.run(
      this.redis,
      [this.keys.entries, this.keys.meta],
      [from.epoch, from.id, limit],
    )) as [string, string, Array<[string, string[]]>];
    if (status === 'expired') throw expired(after);
    if (status === 'ahead') {
      throw new PermanentError(
        'FEED_CURSOR_INVALID',
        `after: '${after}' is past the end of the change feed: it was not given out by this feed`,
      );
    }
    const entries = raw.map(([id, fields]) => decodeEntry(epoch, id, fields));
    return { entries, next: entries.at(-1)?.cursor ?? formatCursor(epoch, from.id) };
  }

  /** The cursor of the feed's end: reading after it returns only what is appended from now on. */
  async head(): Promise<string> {
    const res = await this.redis
      .multi()
      .hget(this.keys.meta, 'epoch')
      .xrevrange(this.keys.entries, '+', '-', 'COUNT', 1)
      .exec();
    const epoch = (res?.[0]?.[1] as string | null) ?? '';
    const last = (res?.[1]?.[1] as Array<[string, string[]]> | undefined)?.[0]?.[0];
    return formatCursor(epoch, last ?? '0-0');
  }

  /**
   * Waits until the feed has an entry after `after`, at most `timeoutMs`; true when it has. Ends
   * at once, false, when `signal` aborts. It blocks a connection of its own (`XREAD BLOCK`), so
   * the feed's connection stays free.
   */
  async waitForMore(after: string, opts: { signal: AbortSignal; timeoutMs?: number }): Promise<boolean> {
    const from = parseCursor(after);
    if (opts.signal.aborted) return false;
    const conn = this.redis.duplicate();
    const stop = () => conn.disconnect();
    opts.signal.addEventListener('abort', stop, { once: true });
    try {
      const res = await conn.xread(
        'COUNT',
        1,
        'BLOCK',
        opts.timeoutMs ?? 5000,
        'STREAMS',
        this.keys.entries,
        from.id,
      );
      return res !== null && res.length > 0;
    } catch (err) {
      if (opts.signal.aborted) return false;
      throw err;
    } finally {
      opts.signal.removeEventListener('abort', stop);
      conn.disconnect();
    }
  }
}

function expired(after: string | undefined): PermanentError {
  return new PermanentError(
    'FEED_CURSOR_EXPIRED',
    `after: the change feed no longer holds the entries after '${after ?? '0'}' (trimmed to PAPERLINE_FEED_MAX_ENTRIES, or lost with Redis): start again from an export, then follow from its cursor`,
  );
}

/** A stream entry as a {@link ChangeEntry}; its time is the stream id's milliseconds. */
function decodeEntry(epoch: string, streamId: string, fields: string[]): ChangeEntry {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  const op = f.op ?? '';
  if (!OPS.has(op)) throw new Error(`change feed entry ${streamId} has an unknown op '${op}'`);
  return {
    cursor: formatCursor(epoch, streamId),
    id: f.id ?? '',
    op: op as ChangeOp,
    version: Number(f.v),
    ...(f.r ? { reason: f.r } : {}),
    at: new Date(Number(streamId.slice(0, streamId.indexOf('-')))).toISOString(),
  };
}
