import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { LookupFunction } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_ES_VERSION, StackError, stackDown, stackStatus, stackUp } from './index.js';
import { esReplies, fakeElasticsearch, fakeRedis, redisReplies, type Fake } from './test-fakes.js';

/** Orchestration against fake services: nothing here starts a real Redis or Elasticsearch. */
describe('stack with services that already answer', () => {
  let dir: string;
  const fakes: Fake[] = [];
  const lines: string[] = [];
  const log = (m: string): number => lines.push(m);
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'paperline-stack-unit-')), 'stack');
    lines.length = 0;
  });
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()));
    await rm(join(dir, '..'), { recursive: true, force: true });
  });
  const opts = async (esVersion = DEFAULT_ES_VERSION, redis = fakeRedis(redisReplies)) => {
    const r = await redis;
    const es = await fakeElasticsearch(esReplies(esVersion));
    fakes.push(r, es);
    return {
      redisUrl: `redis://127.0.0.1:${r.port}`,
      elasticsearchUrl: `http://127.0.0.1:${es.port}`,
      stackDir: dir,
      log,
    };
  };

  it('uses them as they are (managed: false) and creates nothing', async () => {
    const o = await opts();
    const s = await stackUp(o);
    expect(s.redis).toEqual({ url: o.redisUrl, up: true, managed: false, version: '7.2.4' });
    expect(s.elasticsearch).toMatchObject({
      url: o.elasticsearchUrl,
      up: true,
      managed: false,
      version: DEFAULT_ES_VERSION,
    });
    expect(lines).toEqual([
      `redis: using ${o.redisUrl} (already running, 7.2.4)`,
      `elasticsearch: using ${o.elasticsearchUrl} (already running, ${DEFAULT_ES_VERSION})`,
    ]);
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });

  it('refuses an Elasticsearch whose major differs from the client', async () => {
    const o = await opts('8.19.21');
    const err = await stackUp(o).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StackError);
    expect((err as StackError).code).toBe('STACK_UNAVAILABLE');
    expect((err as StackError).message).toMatch(/Elasticsearch 8\.19\.21.*client speaks 9\.x/);
    expect((await stackStatus(o)).elasticsearch).toMatchObject({
      up: true,
      detail: expect.stringMatching(/major differs/),
    });
  });

  it('refuses a Redis that answers but cannot be used', async () => {
    const o = await opts(
      DEFAULT_ES_VERSION,
      fakeRedis(() => '-NOAUTH Authentication required.\r\n'),
    );
    await expect(stackUp(o)).rejects.toThrow(
      /redis: redis:\/\/127\.0\.0\.1:\d+ answers but is not usable: .*NOAUTH/,
    );
  });

  it('starts nothing for a host that is not loopback', async () => {
    // The name is resolved by a stand-in that knows no host: no DNS server is asked.
    const asked: string[] = [];
    const lookup: LookupFunction = (hostname, _options, callback) => {
      asked.push(hostname);
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      setImmediate(() => callback(err, '', 0));
    };
    const o = { ...(await opts()), redisUrl: 'redis://paperline-test.invalid:6379', lookup };
    await expect(stackUp(o)).rejects.toThrow(/paperline-test\.invalid.*only loopback services/);
    expect(asked).toContain('paperline-test.invalid');
  });

  it('stackDown leaves services it did not start alone, and stackStatus reports a stale pid file untouched', async () => {
    const o = await opts();
    const pidFile = join(dir, `redis-${new URL(o.redisUrl).port}`, 'redis.pid');
    await mkdir(join(pidFile, '..'), { recursive: true });
    await writeFile(pidFile, '2147483646\n');
    expect((await stackStatus(o)).redis).toMatchObject({
      up: true,
      managed: false,
      detail: expect.stringMatching(/stale pid file/),
    });
    expect(await readFile(pidFile, 'utf8')).toBe('2147483646\n');
    const s = await stackDown(o);
    expect(s.redis).toMatchObject({ up: true, managed: false });
    expect(s.elasticsearch).toMatchObject({ up: true, managed: false });
    expect(lines).toContain(`elasticsearch: leaving ${o.elasticsearchUrl} alone (not started by paperline)`);
    expect((await stackStatus(o)).redis.up).toBe(true);
  });
});
