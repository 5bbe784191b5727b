import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { STAGES } from '@paperline/contracts';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { exited, killGroup, lastJson, runCli, startWorkersProcess } from '../helpers/cli.js';
import { freePort, startServe, waitUntilUp } from '../helpers/browser.js';
import { RedisKeys } from '@paperline/core/redis';

const TOKEN = 'e2e-api-token-4f2c9a';

interface Hit {
  id: string;
  record: { title: string; upvotes?: number; publishedAt?: string };
  highlight?: Record<string, string[]>;
}
interface Page {
  total: number;
  page: number;
  size: number;
  hits: Hit[];
  facets: { [K in 'categories' | 'year' | 'source']: Array<{ key: string; count: number }> };
}

/** The value of one Prometheus sample line (`name{labels} value`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('serve: search API, metrics and auth after a real crawl', () => {
  const names = uniqueNames('e2e-api');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  let site: SnapshotSite;
  let env: NodeJS.ProcessEnv;
  let workers: ChildProcess;
  let serve: ChildProcess;
  let base: string;
  let summary: { crawlId: string; indexed: number; duplicates: number };
  const get = (path: string, init?: RequestInit) => fetch(`${base}${path}`, init);
  const json = async <T>(path: string): Promise<T> => (await get(path)).json() as Promise<T>;
  const bearer = { authorization: `Bearer ${TOKEN}` };
  const basic = { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` };

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    env = testEnv(names, { HF_BASE_URL: site.url, PAPERLINE_API_TOKEN: TOKEN, PAPERLINE_EMBED: '1' });
    workers = startWorkersProcess(env);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    serve = startServe(env, port); // starts while the crawl runs
    const seeds = site.days.map((d) => `${site.url}/papers/date/${d}`);
    const [res] = await Promise.all([
      runCli(['crawl', ...seeds, '--wait', '--json'], env),
      waitUntilUp(`${base}/healthz`, serve),
    ]);
    expect(res.code, res.stderr).toBe(0);
    summary = lastJson(res.stdout);
    await es.indices.refresh({ index: names.index });
  });

  afterAll(async () => {
    if (serve) killGroup(serve, 'SIGTERM');
    killGroup(workers, 'SIGTERM');
    await Promise.all([serve && exited(serve), exited(workers)]);
    await site.close();
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  it('searches by words with highlights and facets, filters by date, sorts and pages', async () => {
    const p = snapshotTruth()[0]!;
    const words = p.title
      .split(/\s+/)
      .filter((w) => /^[A-Za-z]{5,}$/.test(w))
      .slice(0, 3)
      .join(' ');
    const found = await json<Page>(`/api/search?q=${encodeURIComponent(words)}&size=50`);
    const hit = found.hits.find((h) => h.id === `arxiv:${p.id}`);
    expect(hit, words).toBeDefined();
    expect(Object.keys(hit!.highlight ?? {})).not.toHaveLength(0);
    expect(JSON.stringify(hit!.highlight)).toContain('<em>');
    expect(Object.keys(found.facets).sort()).toEqual(['categories', 'source', 'year']);
    expect(found.facets.source).toContainEqual({ key: 'hf', count: expect.any(Number) });

    const all = await json<Page>('/api/search?size=100&sort=upvotes');
    expect(all.total).toBe(summary.indexed);
    const upvotes = all.hits.map((h) => h.record.upvotes ?? -1);
    expect(upvotes).toEqual([...upvotes].sort((a, b) => b - a));

    const year = found.facets.year[0]!.key;
    const inYear = await json<Page>(`/api/search?from=${year}-01-01&to=${year}-12-31&size=1`);
    expect(inYear.total).toBeGreaterThan(0);
    expect((await json<Page>('/api/search?from=1990-01-01&to=1990-12-31')).total).toBe(0);
    expect((await get('/api/search?source=hf&category=cs.CL')).status).toBe(200);

    const [p1, p2] = [
      await json<Page>('/api/search?size=2&page=1&sort=date'),
      await json<Page>('/api/search?size=2&page=2&sort=date'),
    ];
    expect(p2).toMatchObject({ page: 2, size: 2 });
    expect(p2.hits.map((h) => h.id)).not.toEqual(p1.hits.map((h) => h.id));
  });

  it('rejects bad parameters with 400 and a message naming the parameter', async () => {
    const tooBig = await get('/api/search?q=x&size=1000');
    expect(tooBig.status).toBe(400);
    expect(await tooBig.json()).toEqual({ error: 'bad_request', message: 'size: is at most 100' });
    const badDate = await get('/api/search?from=2024-02-30');
    expect(badDate.status).toBe(400);
    expect(((await badDate.json()) as { message: string }).message).toMatch(/^from: /);
    expect((await get('/api/search?page=101')).status).toBe(400);
  });

  it('ranks by meaning: semantic and hybrid search, similar papers by id and by text', async () => {
    const p = snapshotTruth()[0]!;
    const paper = await json<{ abstract?: string }>(`/api/papers/arxiv:${p.id}`);
    const abstract = (paper.abstract ?? '').slice(0, 400); // q is at most 500 characters
    for (const mode of ['semantic', 'hybrid']) {
      const res = await json<Page & { mode: string }>(
        `/api/search?q=${encodeURIComponent(abstract)}&mode=${mode}&size=3`,
      );
      expect(res, JSON.stringify(res).slice(0, 300)).toMatchObject({ mode });
      expect(res.hits[0]?.id, mode).toBe(`arxiv:${p.id}`);
    }
    expect((await json<{ mode: string }>('/api/search?q=diffusion')).mode).toBe('hybrid');
    const byText = await get('/api/similar', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: abstract, size: 2 }),
    });
    expect(((await byText.json()) as { hits: Hit[] }).hits[0]?.id).toBe(`arxiv:${p.id}`);
    const like = await json<{ hits: Hit[] }>(`/api/papers/arxiv:${p.id}/similar?size=4`);
    expect(like.hits).toHaveLength(4);
    expect(like.hits.map((h) => h.id)).not.toContain(`arxiv:${p.id}`);
    expect(JSON.stringify(like.hits)).not.toContain('"vector"');
    expect((await get('/api/papers/arxiv:0704.99999/similar')).status).toBe(404);
  });

  it('gets a paper by canonical id, versioned arXiv id or DOI, and 404 otherwise', async () => {
    const p = snapshotTruth()[0]!;
    for (const id of [`arxiv:${p.id}`, `${p.id}v3`, encodeURIComponent(`10.48550/arXiv.${p.id}`)]) {
      const res = await get(`/api/papers/${id}`);
      expect(res.status, id).toBe(200);
      expect(((await res.json()) as { id: string }).id).toBe(`arxiv:${p.id}`);
    }
    const missing = await get('/api/papers/arxiv:0704.99999');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
  });

  it('describes itself in OpenAPI 3.1 and is ready', async () => {
    const doc = await json<{
      openapi: string;
      paths: Record<string, { get?: { parameters?: Array<{ name: string }> } }>;
    }>('/openapi.json');
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/search']!.get!.parameters!.map((x) => x.name)).toEqual([
      'q',
      'from',
      'to',
      'category',
      'source',
      'sort',
      'size',
      'page',
      'mode',
    ]);
    expect(doc.paths['/api/papers/{id}']).toBeDefined();
    expect(doc.paths['/api/papers/{id}/similar']).toBeDefined();
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { redis: 'ok', elasticsearch: 'ok' } });
  });

  it('exposes queue gauges, per-stage job durations, fetch, bulk and paper counters', async () => {
    let text = '';
    const stages = ['fetch', 'parse', 'dedupe', 'index'];
    const durationCount = (s: string, outcome: string) =>
      sample(text, `paperline_job_duration_seconds_count{stage="${s}",outcome="${outcome}"}`);
    // Each worker process flushes its metrics every ~2 s: wait until every stage's have arrived.
    const arrived = () =>
      durationCount('fetch', 'fetched') === site.days.length &&
      durationCount('parse', 'parsed') === site.days.length &&
      /paperline_job_duration_seconds_count\{stage="dedupe",/.test(text) &&
      Boolean(durationCount('index', 'indexed'));
    for (let i = 0; i < 60; i++) {
      text = await (await get('/metrics')).text();
      if (arrived()) break;
      await sleep(250);
    }
    for (const q of stages)
      expect(sample(text, `paperline_queue_jobs{queue="${q}",state="completed"}`), q).toBeGreaterThan(0);
    expect(sample(text, 'paperline_queue_jobs{queue="fetch",state="waiting"}')).toBe(0);
    expect(durationCount('fetch', 'fetched')).toBe(site.days.length);
    expect(durationCount('parse', 'parsed')).toBe(site.days.length);
    expect(text).toMatch(/paperline_job_duration_seconds_count\{stage="dedupe",outcome="[a-z]+"\} [1-9]/);
    expect(durationCount('index', 'indexed')).toBeGreaterThan(0);
    expect(text).toMatch(
      /paperline_job_duration_seconds_bucket\{stage="fetch",outcome="fetched",le="\+Inf"\} [1-9]/,
    );
    const host = new URL(site.url).host;
    expect(sample(text, `paperline_fetch_responses_total{host="${host}",status_class="2xx"}`)).toBe(
      site.days.length,
    );
    expect(sample(text, 'paperline_bulk_request_duration_seconds_count')).toBeGreaterThan(0);
    expect(sample(text, 'paperline_papers_total{result="indexed"}')).toBe(summary.indexed);
    expect(sample(text, 'paperline_papers_total{result="duplicate"}')).toBe(summary.duplicates);
    // Source health of the latest finished crawl is exported too (not degraded here).
    expect(sample(text, 'paperline_source_degraded{source="hf"}')).toBe(0);
    expect(sample(text, 'paperline_source_papers_per_page{source="hf"}')).toBeGreaterThan(0);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('the overview JSON needs the token, and shows every stage and the crawl with its summary', async () => {
    expect((await get('/api/overview')).status).toBe(401);
    expect((await get('/')).status).toBe(401);
    expect((await get('/', { headers: basic })).status).toBe(200);
    const o = (await (await get('/api/overview', { headers: bearer })).json()) as {
      stages: Array<{
        name: string;
        counts: { completed: number };
        backlog: number;
        throughput: { total: number };
      }>;
      crawls: Array<{ crawlId: string; finished: boolean; indexed: number; progress: number }>;
    };
    // Every stage in pipeline order; a `schedule` queue follows when the scheduler has created one.
    expect(o.stages.map((s) => s.name).slice(0, STAGES.length)).toEqual([...STAGES]);
    // The stages this crawl ran (no arXiv look-ups or embeddings here) each did work and are idle.
    const ran = o.stages.filter((s) => ['fetch', 'parse', 'dedupe', 'index'].includes(s.name));
    expect(ran).toHaveLength(4);
    for (const s of ran) {
      expect(s.counts.completed, s.name).toBeGreaterThan(0);
      expect(s.backlog).toBe(0);
      expect(s.throughput.total, s.name).toBe(s.counts.completed);
    }
    expect(o.crawls[0]).toMatchObject({
      crawlId: summary.crawlId,
      finished: true,
      indexed: summary.indexed,
      progress: 1,
    });
  });

  it('with a token, the dashboard needs it, retries need it as Bearer; the read-only API stays public', async () => {
    const dash = await get('/dashboard/');
    expect(dash.status).toBe(401);
    expect(dash.headers.get('www-authenticate')).toMatch(/^Basic/);
    const ok = await get('/dashboard/', { headers: basic });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Paperline queues');
    const queues = await get('/dashboard/api/queues', { headers: basic });
    expect(((await queues.json()) as { queues: Array<{ name: string }> }).queues.map((q) => q.name)).toEqual(
      expect.arrayContaining(['fetch', 'parse', 'dedupe', 'index']),
    );
    expect((await get('/api/failed/nope/retry', { method: 'POST' })).status).toBe(401);
    expect((await get('/api/failed/retry?code=HTTP_TIMEOUT', { method: 'POST' })).status).toBe(401);
    // A form posted from another site carries the browser's cached basic credentials: refused.
    const viaBasic = await get('/api/failed/nope/retry', { method: 'POST', headers: basic });
    expect(viaBasic.status).toBe(401);
    expect(((await viaBasic.json()) as { message: string }).message).toContain(
      'Authorization: Bearer <token>',
    );
    const viaQuery = await get(`/api/failed/nope/retry?token=${TOKEN}`, { method: 'POST' });
    expect(viaQuery.status).toBe(401);
    expect(((await viaQuery.json()) as { message: string }).message).toContain('query string');
    const authed = await get('/api/failed/nope/retry', { method: 'POST', headers: bearer });
    expect(authed.status).toBe(404);
    expect((await get('/api/search?q=model')).status).toBe(200);
  });

  it("the dashboard's buttons pause a queue with its session from the same origin, never from another", async () => {
    const fetchQueue = new Queue('fetch', {
      connection: redis,
      prefix: new RedisKeys(names.prefix).queuePrefix('fetch'),
    });
    const login = await get('/dashboard/', { headers: basic });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    expect(cookie).toMatch(/^paperline_session=/);
    const pause = (origin: string) =>
      get('/dashboard/api/queues/fetch/pause', { method: 'PUT', headers: { cookie, origin } });
    const otherPort = `http://127.0.0.1:${Number(new URL(base).port) + 1}`;
    expect((await pause(otherPort)).status).toBe(403);
    expect(await fetchQueue.isPaused()).toBe(false);
    expect((await pause(base)).status).toBe(200);
    expect(await fetchQueue.isPaused()).toBe(true);
    await fetchQueue.resume();
    await fetchQueue.close();
  });
});
