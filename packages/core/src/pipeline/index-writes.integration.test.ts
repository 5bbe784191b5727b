import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../redis/keys.js';
import { IndexWrites } from './index-writes.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t-index-writes-${randomBytes(3).toString('hex')}`;
const connections = [new Redis(REDIS_URL), new Redis(REDIS_URL)] as const;
const [redis, other] = connections;
const WINDOW = 3;
let n = 0;
/** A fresh index name per test: its counts start empty. */
const freshIndex = () => `papers-${n++}`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  for (const c of connections) c.disconnect();
});

/**
 * The rate for `docs` documents counted over the window: the window's whole seconds plus the
 * current one's part, so between docs/(WINDOW + 1) and docs/WINDOW per second.
 */
const rateBounds = (docs: number) => [docs / (WINDOW + 1), docs / WINDOW] as const;

describe('IndexWrites against real Redis', () => {
  it('adds up the writes of every process to one index, and tells each when anyone last wrote', async () => {
    const index = freshIndex();
    const a = new IndexWrites(redis, prefix, index, WINDOW);
    const b = new IndexWrites(other, prefix, index, WINDOW);

    const afterA = await a.add(600);
    const afterB = await b.add(900);
    const seenByA = await a.current();

    const [lowA, highA] = rateBounds(600);
    expect(afterA.docsPerSecond).toBeGreaterThanOrEqual(lowA);
    expect(afterA.docsPerSecond).toBeLessThanOrEqual(highA);
    const [low, high] = rateBounds(1500);
    expect(afterB.docsPerSecond).toBeGreaterThanOrEqual(low);
    expect(afterB.docsPerSecond).toBeLessThanOrEqual(high);
    expect(seenByA.docsPerSecond).toBeGreaterThanOrEqual(low);
    // b's write is a's news: a wrote nothing since, yet the index is busy.
    expect(seenByA.idleMs).toBeGreaterThanOrEqual(0);
    expect(seenByA.idleMs).toBeLessThan(1000);
    // Writes to another index are not counted here.
    expect((await new IndexWrites(redis, prefix, freshIndex(), WINDOW).current()).docsPerSecond).toBe(0);
  });

  it('after a restart only later seconds count toward the rate; the last write is still known', async () => {
    const writes = new IndexWrites(redis, prefix, freshIndex(), WINDOW);
    await writes.add(5000);
    await writes.restart();
    const after = await writes.current();
    expect(after.docsPerSecond).toBe(0);
    expect(after.idleMs).toBeLessThan(1000);
  });

  it('an index nobody wrote reads as idle, at no rate', async () => {
    const writes = new IndexWrites(redis, prefix, freshIndex(), WINDOW);
    expect(await writes.current()).toEqual({ docsPerSecond: 0, idleMs: Number.POSITIVE_INFINITY });
  });

  it('drops seconds older than the window from the rate and from Redis, and expires with the writes', async () => {
    const index = freshIndex();
    const key = new RedisKeys(prefix).indexWrites(index);
    const [seconds] = await redis.time();
    const old = String(Number(seconds) - WINDOW - 5);
    await redis.hset(key, old, 1_000_000);

    const activity = await new IndexWrites(redis, prefix, index, WINDOW).add(300);

    const [low, high] = rateBounds(300);
    expect(activity.docsPerSecond).toBeGreaterThanOrEqual(low);
    expect(activity.docsPerSecond).toBeLessThanOrEqual(high);
    expect(await redis.hexists(key, old)).toBe(0);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });
});
