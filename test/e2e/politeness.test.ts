import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { startSnapshotSite, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import {
  ROOT,
  exited,
  killGroup,
  lastJson,
  runCli,
  startWorkersProcess,
  stopWorkers,
} from '../helpers/cli.js';

const CLI = fileURLToPath(new URL('../../services/cli/src/main.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

/** The request interval per host under test. */
const INTERVAL_MS = 400;
/** Arrivals checked in windows of this many gaps rather than one gap at a time. */
const WINDOW = 5;
/**
 * How late one request may reach the site after its slot was granted (Redis reply, event loop,
 * connection, the proxy's own event loop) on a loaded 2-core machine. Without a limiter, WINDOW
 * requests arrive within a few ms of each other, far below WINDOW * INTERVAL_MS - JITTER_BUDGET_MS.
 */
const JITTER_BUDGET_MS = INTERVAL_MS;

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

/**
 * `paperline workers --only fetcher` logging at debug level into a pipe, so the test reads the
 * host-slot grants (Redis clock) that the limiter handed out. `closed` resolves once the process
 * and its workers have exited and every line has been read.
 */
function startLoggedFetcher(env: NodeJS.ProcessEnv): {
  child: ChildProcess;
  grants: Array<{ host: string; grantedAt: number }>;
  closed: Promise<void>;
} {
  const child = spawn(process.execPath, [TSX, CLI, 'workers', '--only', 'fetcher'], {
    env: { ...env, PAPERLINE_LOG_LEVEL: 'debug' },
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const grants: Array<{ host: string; grantedAt: number }> = [];
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.includes('"took the host slot"')) return;
    const { host, grantedAt } = JSON.parse(line) as { host: string; grantedAt: number };
    grants.push({ host, grantedAt });
  });
  return { child, grants, closed };
}

/** Differences between consecutive values once sorted. */
const sortedGaps = (values: number[], span = 1): number[] => {
  const s = [...values].sort((a, b) => a - b);
  return s.slice(span).map((x, i) => x - s[i]!);
};

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
    const env = testEnv(names, {
      HF_BASE_URL: proxy.url,
      PAPERLINE_HOST_INTERVAL_MS: String(INTERVAL_MS),
      PAPERLINE_FETCH_CONCURRENCY: '4',
      PAPERLINE_USER_AGENT: 'Paperline-test/1.0 (+mailto:ops@example.org)',
    });
    const fetchers = [startLoggedFetcher(env), startLoggedFetcher(env)];
    workers.push(...fetchers.map((f) => f.child), startWorkersProcess(env, 'parser,deduplicator,indexer'));
    const seeds = site.days.map((d) => `${proxy.url}/papers/date/${d}`);
    // Depth 1: the listings lead to every paper page, all on the same host.
    const res = await runCli(['crawl', ...seeds, '--depth', '1', '--wait', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(lastJson<{ failed: number }>(res.stdout).failed).toBe(0);
    for (const f of fetchers) await stopWorkers(f.child);
    await Promise.all(fetchers.map((f) => f.closed));

    // Where the guarantee is enforced: the grants Redis handed out, on Redis's clock.
    const host = new URL(proxy.url).host;
    const grants = fetchers.flatMap((f) => f.grants.filter((g) => g.host === host).map((g) => g.grantedAt));
    expect(grants.length).toBeGreaterThan(30);
    expect(Math.min(...sortedGaps(grants))).toBeGreaterThanOrEqual(INTERVAL_MS);

    // At the wire: every request took a grant, and any WINDOW + 1 consecutive arrivals span at
    // least WINDOW intervals, less one request's jitter.
    expect(proxy.times).toHaveLength(grants.length);
    const windows = sortedGaps(proxy.times, WINDOW);
    expect(Math.min(...windows)).toBeGreaterThanOrEqual(WINDOW * INTERVAL_MS - JITTER_BUDGET_MS);
    expect(new Set(proxy.ua)).toEqual(new Set(['Paperline-test/1.0 (+mailto:ops@example.org)']));
    const gaps = sortedGaps(proxy.times).sort((a, b) => a - b);
    process.stderr.write(
      `[politeness] ${grants.length} requests, interval ${INTERVAL_MS} ms: gap at the site min ${gaps[0]!.toFixed(0)}, median ${gaps[Math.floor(gaps.length / 2)]!.toFixed(0)}, ${WINDOW}-gap window min ${Math.min(...windows).toFixed(0)} ms\n`,
    );
  });
});
