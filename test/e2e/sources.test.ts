import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import type { ChildProcess } from 'node:child_process';
import { cleanText } from '@paperline/sources';
import { DedupStore } from '@paperline/deduplicator';
import {
  snapshotArxivTruth,
  snapshotTruth,
  startSnapshotSite,
  type SnapshotSite,
} from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';

interface Summary {
  fetched: number;
  indexed: number;
  unchanged: number;
  failed: number;
}

interface Doc {
  id: string;
  title: string;
  abstract?: string;
  authors: string[];
  categories: string[];
  keywords: string[];
  codeUrls: string[];
  upvotes?: number;
  arxivVersion?: number;
  doi?: string;
  withdrawn: boolean;
  sources: Array<{ source: string }>;
}

describe('Hugging Face and arXiv stand-ins: one merged document per paper', () => {
  const names = uniqueNames('e2e-sources');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  let site: SnapshotSite;
  let env: NodeJS.ProcessEnv;
  let workers: ChildProcess;
  const hf = snapshotTruth();
  const ax = snapshotArxivTruth();
  const all = new Set([...hf.map((p) => p.id), ...ax.map((p) => p.id)]);
  let seeds: string[];

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    env = testEnv(names, {
      HF_BASE_URL: site.url,
      ARXIV_BASE_URL: site.arxivBaseUrl,
      ARXIV_API_URL: site.arxivApiUrl,
      PAPERLINE_ENRICH: '1',
      PAPERLINE_ARXIV_INTERVAL_MS: '100',
    });
    workers = startWorkersProcess(env);
    seeds = [
      ...site.days.map((d) => `${site.url}/papers/date/${d}`),
      ...['cs.LG', 'cs.CL', 'cs.CV', 'cs.AI'].map((c) => `${site.arxivBaseUrl}/list/${c}/new`),
    ];
  });

  afterAll(async () => {
    await stopWorkers(workers);
    await site.close();
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  async function docs(): Promise<Map<string, Doc>> {
    await es.indices.refresh({ index: names.index });
    const res = await es.search<Doc>({ index: names.index, size: 1000, query: { match_all: {} } });
    return new Map(res.hits.hits.map((h) => [h._id!, h._source!]));
  }

  it('merges with arXiv precedence for bibliographic fields and Hugging Face for the rest', async () => {
    const res = await runCli(['crawl', ...seeds, '--wait', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    expect(lastJson<Summary>(res.stdout).failed).toBe(0);
    const d = await docs();
    expect([...d.keys()].sort()).toEqual([...all].map((id) => `arxiv:${id}`).sort());
    for (const a of ax) {
      const doc = d.get(`arxiv:${a.id}`)!;
      const h = hf.find((p) => p.id === a.id);
      expect(doc.title, a.id).toBe(cleanText(a.title));
      expect(doc.authors, a.id).toEqual(a.authors);
      expect(doc.categories, a.id).toEqual(a.categories);
      // Listings show no version; the export API (enrichment of HF papers) does.
      if (h) expect(doc.arxivVersion, a.id).toBe(a.latestVersion);

      expect(doc.withdrawn, a.id).toBe(a.withdrawn || (h?.withdrawn ?? false));
      if (a.doi) expect(doc.doi).toBe(a.doi.toLowerCase());
      expect(
        doc.sources.map((s) => s.source),
        a.id,
      ).toEqual(h ? ['arxiv', 'hf'] : ['arxiv']);
      if (h) expect(doc.upvotes, a.id).toBe(h.upvotesLatest);
      else expect(doc.upvotes).toBeUndefined();
    }
    for (const h of hf.filter((p) => !ax.some((a) => a.id === p.id))) {
      const doc = d.get(`arxiv:${h.id}`)!;
      expect(doc.sources.map((s) => s.source)).toEqual(['hf']);
      expect(doc.upvotes).toBe(h.upvotesLatest);
    }
    const withRepo = hf.filter((p) => p.githubRepo && ax.some((a) => a.id === p.id));
    expect(withRepo.length).toBeGreaterThan(0);
    for (const h of withRepo)
      expect(d.get(`arxiv:${h.id}`)!.codeUrls[0]).toBe(h.githubRepo!.replace(/\/$/, ''));
  });

  it('with the Redis dedup state emptied, a new crawl finds every paper again and duplicates none', async () => {
    await new DedupStore(redis, es, names.index, names.prefix).clear();
    const before = await docs();
    const res = await runCli(['crawl', ...seeds, '--wait', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    const s = lastJson<Summary>(res.stdout);
    expect(s.failed).toBe(0);
    expect(s.indexed).toBe(0);
    const after = await docs();
    expect(after.size).toBe(all.size);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  });
});
