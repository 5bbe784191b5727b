import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import type { ChildProcess } from 'node:child_process';
import { startSnapshotSite, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { exited, killGroup, lastJson, runCli, startWorkersProcess } from '../helpers/cli.js';

/** A pass-through proxy that records when each request arrived. */
async function timingProxy(
  target: string,
): Promise<{ url: string; times: number[]; ua: string[]; server: Server }> {
  const times: number[] = [];
  const ua: string[] = [];
  const server = createServer((req, res) => {
    if (req.url !== '/robots.txt') {
      times.push(performance.now());
      ua.push(String(req.headers['user-agent']));
    }
    fetch(`${target}${req.url}`, { redirect: 'manual' }).then(
      async (r) => {
        res.writeHead(r.status, {
          'content-type': r.headers.get('content-type') ?? 'text/plain',
          ...(r.headers.get('location') ? { location: r.headers.get('location')! } : {}),
        });
        res.end(Buffer.from(await r.arrayBuffer()));
      },
      () => res.writeHead(502).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, times, ua, server };
}

describe('per-host politeness shared by all fetchers', () => {
  const names = uniqueNames('e2e-polite');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  let site: SnapshotSite;
  let proxy: Awaited<ReturnType<typeof timingProxy>>;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    proxy = await timingProxy(site.url);
  });

  afterAll(async () => {
    for (const w of workers) killGroup(w, 'SIGTERM');
    await Promise.all(workers.map(exited));
    proxy.server.close();
    await site.close();
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  it('two fetcher processes together keep one request per interval to a host, with our User-Agent', async () => {
    const interval = 400;
    const env = testEnv(names, {
      HF_BASE_URL: proxy.url,
      PAPERLINE_HOST_INTERVAL_MS: String(interval),
      PAPERLINE_FETCH_CONCURRENCY: '4',
      PAPERLINE_USER_AGENT: 'Paperline-test/1.0 (+mailto:ops@example.org)',
    });
    workers.push(
      startWorkersProcess(env, 'fetcher'),
      startWorkersProcess(env, 'fetcher'),
      startWorkersProcess(env, 'parser,deduplicator,indexer'),
    );
    const seeds = site.days.map((d) => `${proxy.url}/papers/date/${d}`);
    // Depth 1: the listings lead to every paper page, all on the same host.
    const res = await runCli(['crawl', ...seeds, '--depth', '1', '--wait', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(lastJson<{ failed: number }>(res.stdout).failed).toBe(0);
    const t = [...proxy.times].sort((a, b) => a - b);
    expect(t.length).toBeGreaterThan(30);
    const gaps = t.slice(1).map((x, i) => x - t[i]!);
    // A lower bound, not a speed goal. The slot is taken in Redis right before each request;
    // what the server sees also carries each process's send jitter (tens of ms on a loaded
    // 2-core machine), hence the margin. Without politeness the gaps would be a few ms.
    const sortedGaps = [...gaps].sort((a, b) => a - b);
    expect(sortedGaps[0]).toBeGreaterThan(interval * 0.75);
    expect(sortedGaps[Math.floor(sortedGaps.length / 2)]).toBeGreaterThanOrEqual(interval - 10);
    expect(new Set(proxy.ua)).toEqual(new Set(['Paperline-test/1.0 (+mailto:ops@example.org)']));
    const sorted = [...gaps].sort((a, b) => a - b);
    process.stderr.write(
      `[politeness] ${t.length} requests, interval ${interval} ms: gap min ${sorted[0]!.toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms\n`,
    );
  });
});
