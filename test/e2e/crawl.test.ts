import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { embeddingTextHash } from '@paperline/identity';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import {
  PAPERLINE,
  ROOT,
  exited,
  lastJson,
  runCli,
  startWorkersProcess,
  stopWorkers,
} from '../helpers/cli.js';
import type { ChildProcess } from 'node:child_process';

interface Summary {
  crawlId: string;
  fetched: number;
  parsed: number;
  indexed: number;
  embedded: number;
  unchanged: number;
  duplicates: number;
  failed: number;
}

const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('crawl --wait against a local Hugging Face stand-in', () => {
  const names = uniqueNames('e2e-crawl');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  let site: SnapshotSite;
  let env: NodeJS.ProcessEnv;
  let workers: ChildProcess;

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    env = testEnv(names, { HF_BASE_URL: site.url, PAPERLINE_EMBED: '1' });
    workers = startWorkersProcess(env);
  });

  afterAll(async () => {
    await stopWorkers(workers);
    await site.close();
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  it('indexes every paper of every day exactly once, merged across days, each with its vector', async () => {
    const seeds = site.days.map((d) => `${site.url}/papers/date/${d}`);
    const res = await runCli(['crawl', ...seeds, '--wait', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    const s = lastJson<Summary>(res.stdout);
    const truth = snapshotTruth();
    const sightings = truth.reduce((n, p) => n + p.days.length, 0);
    expect(s).toMatchObject({
      fetched: seeds.length,
      parsed: seeds.length,
      indexed: truth.length,
      // --wait returns when the embed jobs are done too: the crawl owns them.
      embedded: truth.length,
      unchanged: 0,
      duplicates: sightings - truth.length,
      failed: 0,
    });

    await es.indices.refresh({ index: names.index });
    const all = await es.search<Record<string, unknown>>({
      index: names.index,
      size: 1000,
      query: { match_all: {} },
      // Elasticsearch 9 leaves vectors out of `_source` unless asked.
      _source: { exclude_vectors: false },
    });
    const docs = new Map(all.hits.hits.map((h) => [h._id!, h._source!]));
    expect([...docs.keys()].sort()).toEqual(truth.map((p) => `arxiv:${p.id}`).sort());
    for (const p of truth) {
      const d = docs.get(`arxiv:${p.id}`)!;
      expect(d.arxivId).toBe(p.id);
      expect(d.authors).toEqual(p.authors.map((a) => a.trim()));
      expect(d.authorCount).toBe(p.authors.length);
      expect(d.upvotes).toBe(p.upvotesLatest);
      expect(d.withdrawn).toBe(p.withdrawn);
      expect(String(d.title)).not.toMatch(/\s{2,}|\n/);
      expect(String(d.abstract ?? '')).not.toMatch(/\n/);
      if (!/[\\$]/.test(p.title)) expect(d.title).toBe(collapse(p.title));
      expect((d.sources as Array<{ source: string }>).map((x) => x.source)).toEqual(['hf']);
      expect(d.contentHash).toMatch(/^[0-9a-f]{64}$/);
      const embedding = d.embedding as { vector: number[]; textHash: string };
      expect(embedding.textHash).toBe(embeddingTextHash(d as { title: string; abstract?: string }));
      expect(embedding.vector).toHaveLength(384);
    }
  });

  it('a second crawl gets 304s: no parse, no write, every paper counted unchanged', async () => {
    const seeds = site.days.map((d) => `${site.url}/papers/date/${d}`);
    const before = await es.search({
      index: names.index,
      size: 1000,
      query: { match_all: {} },
      version: true,
    });
    const res = await runCli(['crawl', ...seeds, '--wait', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    const s = lastJson<Summary>(res.stdout);
    expect(s).toMatchObject({ fetched: seeds.length, parsed: 0, indexed: 0, embedded: 0, failed: 0 });
    expect(s.unchanged).toBe(snapshotTruth().length);
    const after = await es.search({
      index: names.index,
      size: 1000,
      query: { match_all: {} },
      version: true,
    });
    const v = (r: typeof before) => Object.fromEntries(r.hits.hits.map((h) => [h._id, h._version]));
    expect(v(after)).toEqual(v(before));
  });

  it('get resolves an arXiv id with a version and search finds a paper by title words', async () => {
    const p = snapshotTruth()[0]!;
    const got = await runCli(['get', `${p.id}v2`, '--json'], env);
    expect(got.code, got.stderr).toBe(0);
    expect(lastJson<{ id: string }>(got.stdout).id).toBe(`arxiv:${p.id}`);
    const words = collapse(p.title)
      .split(' ')
      .filter((w) => /^[A-Za-z]{5,}$/.test(w))
      .slice(0, 3)
      .join(' ');
    const found = await runCli(['search', words, '--json', '--size', '50'], env);
    expect(found.code, found.stderr).toBe(0);
    expect(lastJson<{ hits: Array<{ id: string }> }>(found.stdout).hits.map((h) => h.id)).toContain(
      `arxiv:${p.id}`,
    );
  });

  it('the change feed holds every paper, last at its indexed version; the withdrawn one as a tombstone', async () => {
    const res = await runCli(['changes', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    const entries = res.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string;
            op: string;
            version: number;
            reason?: string;
            recordVersion?: number;
          },
      );
    const last = new Map(entries.map((e) => [e.id, e]));
    const truth = snapshotTruth();
    expect([...last.keys()].sort()).toEqual(truth.map((p) => `arxiv:${p.id}`).sort());
    const indexed = await es.search({
      index: names.index,
      size: 1000,
      query: { match_all: {} },
      version: true,
    });
    expect(indexed.hits.hits.length).toBe(truth.length);
    for (const h of indexed.hits.hits) expect(last.get(h._id!)?.version, h._id).toBe(h._version);
    for (const p of truth) {
      const e = last.get(`arxiv:${p.id}`)!;
      if (p.withdrawn) expect(e).toMatchObject({ op: 'withdrawn', reason: 'withdrawn on hf' });
      else expect(e).toMatchObject({ op: 'upsert', recordVersion: e.version });
    }
  });

  it('changes --follow prints what purge --withdrawn removes as it happens, and ends cleanly on SIGINT', async () => {
    const head = (await runCli(['changes', '--json'], env)).stdout.trim().split('\n').at(-1)!;
    const after = (JSON.parse(head) as { cursor: string }).cursor;
    const follower = spawn(PAPERLINE, ['changes', '--follow', '--json', '--after', after], {
      env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
    follower.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      const purge = await runCli(['purge', '--withdrawn', '--older-than', '0s', '--yes', '--json'], env);
      expect(purge.code, purge.stderr).toBe(0);
      const withdrawn = snapshotTruth().filter((p) => p.withdrawn);
      expect(lastJson<{ purged: number }>(purge.stdout).purged).toBe(withdrawn.length);
      await vi.waitFor(
        () => {
          const lines = out.trim().split('\n').filter(Boolean);
          expect(lines.map((l) => JSON.parse(l) as { id: string; op: string })).toEqual(
            withdrawn.map((p) => expect.objectContaining({ id: `arxiv:${p.id}`, op: 'purged' })),
          );
        },
        { timeout: 60_000, interval: 200 },
      );
    } finally {
      follower.kill('SIGINT');
      await exited(follower);
    }
    expect(follower.exitCode, err).toBe(0);
  });
});
