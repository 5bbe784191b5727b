import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BackfillHolders } from './backfill-holders.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t-backfill-holders-${randomBytes(3).toString('hex')}`;
const connections = [new Redis(REDIS_URL), new Redis(REDIS_URL)] as const;
const [redis, other] = connections;
let n = 0;
/** A fresh index name per test: no leases yet. */
const freshIndex = () => `papers-${n++}`;

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  for (const c of connections) c.disconnect();
});

describe('BackfillHolders against real Redis', () => {
  it('counts the leases of every process on one index, each once, until each is released', async () => {
    const index = freshIndex();
    const a = new BackfillHolders(redis, prefix, index, 60_000);
    const b = new BackfillHolders(other, prefix, index, 60_000);
    expect(a.holder).not.toBe(b.holder);

    expect(await a.hold()).toBe(1);
    expect(await b.hold()).toBe(2);
    expect(await a.hold()).toBe(2); // a renewal is not a second lease
    expect(await a.release()).toBe(1);
    expect(await a.release()).toBe(1); // releasing twice changes nothing
    expect(await b.release()).toBe(0);
    expect(await redis.exists(`${prefix}:backfill-holders:${index}`)).toBe(0);
  });

  it('a short lease taken after a long one does not cut the long one short', async () => {
    const index = freshIndex();
    const long = new BackfillHolders(redis, prefix, index, 60_000);
    const short = new BackfillHolders(other, prefix, index, 200);
    expect(await long.hold()).toBe(1);
    expect(await short.hold()).toBe(2);
    // The key lives as long as its longest lease, not as the last one taken.
    expect(await redis.pttl(`${prefix}:backfill-holders:${index}`)).toBeGreaterThan(50_000);
    await vi.waitFor(async () => expect(await long.hold()).toBe(1), { timeout: 5000, interval: 50 });
    expect(await long.release()).toBe(0);
  });

  it('keeps the leases of one index apart from another index', async () => {
    const a = new BackfillHolders(redis, prefix, freshIndex(), 60_000);
    const b = new BackfillHolders(other, prefix, freshIndex(), 60_000);
    expect(await a.hold()).toBe(1);
    expect(await b.hold()).toBe(1);
  });

  it('drops the lease of a holder that stopped renewing it once the lease has run out', async () => {
    const index = freshIndex();
    const dead = new BackfillHolders(redis, prefix, index, 300);
    const alive = new BackfillHolders(other, prefix, index, 60_000);
    const heldAt = Date.now();
    expect(await dead.hold()).toBe(1);
    expect(await alive.hold()).toBe(2);
    // The dead holder never renews: the live one's next renewal sees it gone, not before its lease ran out.
    await vi.waitFor(async () => expect(await alive.hold()).toBe(1), { timeout: 5000, interval: 50 });
    expect(Date.now() - heldAt).toBeGreaterThanOrEqual(300 - 50);
    expect(await alive.release()).toBe(0);
  });
});
