import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_MAJOR, stackDown, stackStatus, stackUp, type StackOptions } from './index.js';
import { isAlive } from './proc.js';
import { closedPort } from './test-fakes.js';

/**
 * The real thing: starts Redis and Elasticsearch (from the Maven Central zip, unpacked into a fresh
 * temporary stack directory) on free loopback ports, then stops them again.
 */
describe('stack against real Redis and Elasticsearch', () => {
  let dir: string;
  let opts: StackOptions;
  const lines: string[] = [];
  const timings: string[] = [];
  const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      timings.push(`${label}: ${((performance.now() - started) / 1000).toFixed(2)} s`);
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperline-stack-it-'));
    opts = {
      redisUrl: `redis://127.0.0.1:${await closedPort()}`,
      elasticsearchUrl: `http://127.0.0.1:${await closedPort()}`,
      stackDir: dir,
      log: (m) => lines.push(m),
    };
  });

  afterAll(async () => {
    await stackDown(opts).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    process.stderr.write(`[stack.integration] ${timings.join('; ')}\n`);
  });

  it('starts both once (even for two concurrent callers), is idempotent, reports and stops them', async () => {
    const [a, b] = await timed('cold stackUp (fresh stack dir, two concurrent callers)', () =>
      Promise.all([stackUp(opts), stackUp(opts)]),
    );
    expect(a.redis).toMatchObject({ url: opts.redisUrl, up: true, managed: true, pid: expect.any(Number) });
    expect(a.elasticsearch).toMatchObject({
      url: opts.elasticsearchUrl,
      up: true,
      managed: true,
      pid: expect.any(Number),
    });
    expect(a.elasticsearch.version?.split('.')[0]).toBe(String(CLIENT_MAJOR));
    expect(b.redis.pid).toBe(a.redis.pid);
    expect(b.elasticsearch.pid).toBe(a.elasticsearch.pid);
    expect(lines.filter((l) => l.startsWith('elasticsearch: started'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('redis: started'))).toHaveLength(1);

    // Independently of our probes: the services really answer.
    const health = (await (await fetch(`${opts.elasticsearchUrl}/_cluster/health`)).json()) as {
      status: string;
    };
    expect(['green', 'yellow']).toContain(health.status);

    const again = await timed('warm stackUp (already running)', () => stackUp(opts));
    expect(again.redis).toMatchObject({ up: true, managed: true, pid: a.redis.pid });
    expect(again.elasticsearch).toMatchObject({ up: true, managed: true, pid: a.elasticsearch.pid });

    const status = await stackStatus(opts);
    expect(status.redis).toMatchObject({ up: true, managed: true, pid: a.redis.pid });
    expect(status.elasticsearch).toMatchObject({ up: true, managed: true, pid: a.elasticsearch.pid });

    const down = await timed('stackDown', () => stackDown(opts));
    expect(down.redis).toMatchObject({ up: false, managed: false });
    expect(down.elasticsearch).toMatchObject({ up: false, managed: false });
    expect(await isAlive(a.redis.pid ?? 0)).toBe(false);
    expect(await isAlive(a.elasticsearch.pid ?? 0)).toBe(false);

    const downAgain = await stackDown(opts);
    expect(downAgain.redis.up || downAgain.elasticsearch.up).toBe(false);
  }, 180_000);

  it('restarts from the existing install after a stop', async () => {
    const up = await timed('stackUp with the install present but stopped', () => stackUp(opts));
    expect(up.redis).toMatchObject({ up: true, managed: true });
    expect(up.elasticsearch).toMatchObject({ up: true, managed: true });
    expect(lines.filter((l) => l.startsWith('elasticsearch: unpacking'))).toHaveLength(1);
    const down = await stackDown(opts);
    expect(down.elasticsearch.up).toBe(false);
    expect(down.redis.up).toBe(false);
  }, 180_000);
});
