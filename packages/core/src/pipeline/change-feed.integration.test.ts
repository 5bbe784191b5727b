import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { PaperlineError, type Change } from '@paperline/contracts';
import { RedisKeys } from '../redis/keys.js';
import { unlinkMatching } from '../redis/redis.js';
import { ChangeFeed } from './change-feed.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefixes: string[] = [];
/** A feed under a prefix of its own (each test starts from an empty feed). */
function newFeed(maxEntries?: number): ChangeFeed {
  const prefix = `t-feed-${randomBytes(4).toString('hex')}`;
  prefixes.push(prefix);
  return new ChangeFeed(redis, prefix, maxEntries === undefined ? {} : { maxEntries });
}

afterAll(async () => {
  for (const p of prefixes) await unlinkMatching(redis, new RedisKeys(p).everything);
  redis.disconnect();
});

/** The error a read throws, or a failure when it throws none. */
async function readError(feed: ChangeFeed, after: string): Promise<PaperlineError> {
  try {
    await feed.read(after, 10);
  } catch (err) {
    if (err instanceof PaperlineError) return err;
    throw err;
  }
  throw new Error(`reading after ${after} did not fail`);
}

const upsert = (id: string, version: number): Change => ({ id, op: 'upsert', version });

describe('ChangeFeed against real Redis', () => {
  it('an empty feed reads as nothing, from the beginning, with cursor 0', async () => {
    const feed = newFeed();
    expect(await feed.read(undefined, 10)).toEqual({ entries: [], next: '0' });
    expect(await feed.head()).toBe('0');
  });

  it('reads pages in write order, each entry with its cursor and time, and goes on from next', async () => {
    const feed = newFeed();
    expect(
      await feed.append([
        upsert('arxiv:1', 10),
        upsert('arxiv:2', 20),
        { id: 'arxiv:3', op: 'withdrawn', version: 30, reason: 'withdrawn on arxiv' },
        { id: 'title:x', op: 'deleted', version: 40, reason: 'merged into arxiv:1' },
      ]),
    ).toBe(4);
    const first = await feed.read(undefined, 3);
    expect(first.entries.map(({ id, op, version, reason }) => ({ id, op, version, reason }))).toEqual([
      { id: 'arxiv:1', op: 'upsert', version: 10, reason: undefined },
      { id: 'arxiv:2', op: 'upsert', version: 20, reason: undefined },
      { id: 'arxiv:3', op: 'withdrawn', version: 30, reason: 'withdrawn on arxiv' },
    ]);
    expect(first.next).toBe(first.entries[2]!.cursor);
    expect(first.entries[0]!.cursor).toMatch(/^\d+:\d+-\d+$/);
    // The entry's time is its stream id's.
    expect(Date.parse(first.entries[0]!.at)).toBe(
      Number(first.entries[0]!.cursor.split(':')[1]!.split('-')[0]),
    );
    expect(new Date(first.entries[0]!.at).toISOString()).toBe(first.entries[0]!.at);
    const second = await feed.read(first.next, 3);
    expect(second.entries.map((e) => [e.id, e.op, e.reason])).toEqual([
      ['title:x', 'deleted', 'merged into arxiv:1'],
    ]);
    expect(await feed.head()).toBe(second.next);
    // Nothing more: the same cursor again.
    expect(await feed.read(second.next, 3)).toEqual({ entries: [], next: second.next });
  });

  it('drops a change not newer than the last one appended for its paper', async () => {
    const feed = newFeed();
    expect(await feed.append([upsert('arxiv:1', 200)])).toBe(1);
    // A slower indexer's older write, and a replay of the same one: Elasticsearch refused both.
    expect(await feed.append([upsert('arxiv:1', 100), upsert('arxiv:1', 200), upsert('arxiv:2', 1)])).toBe(1);
    expect(await feed.append([{ id: 'arxiv:1', op: 'purged', version: 201 }])).toBe(1);
    const { entries } = await feed.read(undefined, 10);
    expect(entries.map((e) => [e.id, e.version])).toEqual([
      ['arxiv:1', 200],
      ['arxiv:2', 1],
      ['arxiv:1', 201],
    ]);
  });

  it('refuses a cursor that is not one, one past the end, and one of another epoch', async () => {
    const feed = newFeed();
    await feed.append([upsert('arxiv:1', 1)]);
    const { next } = await feed.read(undefined, 10);
    const [epoch, id] = next.split(':') as [string, string];

    const bad = await readError(feed, 'yesterday');
    expect(bad.code).toBe('FEED_CURSOR_INVALID');
    expect(bad.message).toMatch(/^after: 'yesterday' is not a change-feed cursor/);

    const ahead = await readError(feed, `${epoch}:${Number(id.split('-')[0]) + 1000}-0`);
    expect(ahead.code).toBe('FEED_CURSOR_INVALID');
    expect(ahead.message).toMatch(/past the end/);

    // A feed Redis lost (or another installation's) has another epoch: its cursors expire.
    const other = await readError(feed, `${Number(epoch) + 1}:${id}`);
    expect(other.code).toBe('FEED_CURSOR_EXPIRED');
    expect(other.message).toMatch(/start again from an export/);
  });

  it('a feed Redis lost starts a new epoch: a cursor of the old one expires instead of skipping', async () => {
    const prefix = `t-feed-${randomBytes(4).toString('hex')}`;
    prefixes.push(prefix);
    const feed = new ChangeFeed(redis, prefix);
    await feed.append([upsert('arxiv:1', 1), upsert('arxiv:2', 2)]);
    const cursor = (await feed.read(undefined, 1)).next;
    await unlinkMatching(redis, new RedisKeys(prefix).everything); // Redis emptied
    await feed.append([upsert('arxiv:3', 3), upsert('arxiv:4', 4), upsert('arxiv:5', 5)]);
    expect((await readError(feed, cursor)).code).toBe('FEED_CURSOR_EXPIRED');
    expect((await feed.read('0', 10)).entries.map((e) => e.id)).toEqual(['arxiv:3', 'arxiv:4', 'arxiv:5']);
  });

  it('trims to maxEntries: a cursor behind a trimmed entry expires, the last one trimmed reads on', async () => {
    const feed = newFeed(10);
    const cursors: string[] = [];
    for (let i = 1; i <= 150; i++) {
      await feed.append([upsert(`arxiv:${i}`, i)]);
      cursors.push(await feed.head());
    }
    // At 111 entries (10 + 100 of slack exceeded) the oldest 101 go; 39 more come after.
    expect((await readError(feed, '0')).code).toBe('FEED_CURSOR_EXPIRED');
    expect((await readError(feed, cursors[99]!)).code).toBe('FEED_CURSOR_EXPIRED'); // after entry 100
    const oldest = await feed.read(cursors[100], 1000); // after entry 101, the last trimmed
    expect(oldest.entries.map((e) => e.id)).toEqual(Array.from({ length: 49 }, (_, i) => `arxiv:${102 + i}`));
    expect((await feed.read(cursors[148], 10)).entries.map((e) => e.id)).toEqual(['arxiv:150']);
  });

  it('waitForMore returns when an entry is appended, and at once, false, when aborted', async () => {
    const feed = newFeed();
    const start = await feed.head();
    const ac = new AbortController();
    const waiting = feed.waitForMore(start, { signal: ac.signal, timeoutMs: 60_000 });
    await feed.append([upsert('arxiv:1', 1)]);
    expect(await waiting).toBe(true);

    const head = await feed.head();
    const idle = feed.waitForMore(head, { signal: ac.signal, timeoutMs: 60_000 });
    ac.abort();
    expect(await idle).toBe(false);
  });
});
