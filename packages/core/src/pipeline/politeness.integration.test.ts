import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { HostLimiter } from './politeness.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t-polite-${randomBytes(3).toString('hex')}`;
const connections = [new Redis(REDIS_URL), new Redis(REDIS_URL), new Redis(REDIS_URL)];
const [redis] = connections as [Redis, Redis, Redis];
const slotKey = (host: string) => `${prefix}:polite:${host}`;

/** Redis's clock in ms since the epoch. */
async function redisNow(): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

const slotOf = async (host: string) => Number(await redis.get(slotKey(host)));

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  for (const c of connections) c.disconnect();
});

describe('HostLimiter against real Redis', () => {
  it('grants one host its slots at least an interval apart on Redis clock, across limiters and connections', async () => {
    const interval = 100;
    const limiters = connections.map((c) => new HostLimiter(c, prefix, () => interval, 60_000));
    const before = await redisNow();
    const decisions = await Promise.all(
      Array.from({ length: 12 }, (_, i) => limiters[i % limiters.length]!.reserve('grants.example')),
    );
    const after = await redisNow();
    const grants = decisions.map((d) => (d.kind === 'go' ? d.grantedAt : undefined));
    expect(grants.every((g) => g !== undefined && g >= before && g <= after)).toBe(true);
    const sorted = (grants as number[]).sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((g, i) => g - sorted[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(interval);
  });

  it('pushes the slot out on Redis clock, whatever the local clock says', async () => {
    // A fetcher whose clock runs a day behind Redis's.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime((await redisNow()) - 86_400_000);
    const limiter = new HostLimiter(redis, prefix, () => 100);
    const before = await redisNow();
    const slot = await limiter.pushBack('skew.example', 5_000);
    const after = await redisNow();
    expect(await slotOf('skew.example')).toBe(slot);
    expect(slot).toBeGreaterThanOrEqual(before + 5_000);
    expect(slot).toBeLessThanOrEqual(after + 5_000);
    const t0 = await redisNow();
    const decision = await limiter.reserve('skew.example');
    const t1 = await redisNow();
    expect(decision.kind).toBe('later');
    const delay = decision.kind === 'later' ? decision.delayMs : -1;
    expect(delay).toBeGreaterThanOrEqual(slot - t1);
    expect(delay).toBeLessThanOrEqual(slot - t0);
  });

  it('never brings a slot forward: a shorter push-back leaves a later slot as it was', async () => {
    const limiter = new HostLimiter(redis, prefix, () => 100);
    const far = await limiter.pushBack('later.example', 60_000);
    expect(await limiter.pushBack('later.example', 1_000)).toBe(far);
    expect(await slotOf('later.example')).toBe(far);
    // A slot taken by reserve is pushed back too, and not brought forward by a push of 0.
    await limiter.reserve('taken.example');
    const taken = await slotOf('taken.example');
    expect(await limiter.pushBack('taken.example', 0)).toBe(taken);
  });

  it('keeps the latest of concurrent push-backs from several connections', async () => {
    const limiters = connections.map((c) => new HostLimiter(c, prefix, () => 100));
    const delays = Array.from({ length: 30 }, (_, i) => (i * 7919) % 20_000);
    const before = await redisNow();
    const slots = await Promise.all(
      delays.map((d, i) => limiters[i % limiters.length]!.pushBack('race.example', d)),
    );
    const final = await slotOf('race.example');
    expect(final).toBe(Math.max(...slots));
    expect(final).toBeGreaterThanOrEqual(before + Math.max(...delays));
  });

  it('peeks at a slot without taking it: free, then the time left after a grant, then free again', async () => {
    const interval = 400;
    const limiter = new HostLimiter(redis, prefix, () => interval);
    expect(await limiter.peek('peek.example')).toBe(0);
    expect(await limiter.peek('peek.example')).toBe(0); // a peek takes nothing
    const granted = await limiter.reserve('peek.example');
    expect(granted.kind).toBe('go');
    const t0 = await redisNow();
    const left = await limiter.peek('peek.example');
    const t1 = await redisNow();
    const opens = await slotOf('peek.example');
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(opens - t0);
    expect(left).toBeGreaterThanOrEqual(opens - t1);
    expect(await slotOf('peek.example')).toBe(opens); // still the slot reserve set
    await vi.waitFor(async () => expect(await limiter.peek('peek.example')).toBe(0), {
      timeout: 10_000,
      interval: 50,
    });
    expect((await limiter.reserve('peek.example')).kind).toBe('go');
  });
});
