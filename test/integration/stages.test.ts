import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { HttpClient } from '@paperline/core/http';
import { RawArchive, createEsClient, getPapers } from '@paperline/core/es';
import {
  ChangeFeed,
  CrawlStore,
  RobotsCache,
  createRuntime,
  type Runtime,
  type StageWiring,
} from '@paperline/core/pipeline';
import { PaperlineError, PermanentError, type PaperCandidate } from '@paperline/contracts';
import { fetchStage, processFetch, type FetchDeps } from '@paperline/fetcher';
import { parseStage, processParse, type ParseDeps } from '@paperline/parser';
import { DedupStore, dedupeStage, processDedupe, type DedupeDeps } from '@paperline/deduplicator';
import { indexStage, processIndex, type IndexDeps } from '@paperline/indexer';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { stageContext } from '../helpers/stage-context.js';

const names = uniqueNames('stages');
const redis = new Redis(REDIS_URL);
const es = createEsClient({ nodes: [ELASTICSEARCH_URL] });
const crawls = new CrawlStore(redis, names.prefix);
const archive = new RawArchive(es, names.archive);
const feed = new ChangeFeed(redis, names.prefix);
/** The change feed's last entry for a paper. */
const lastChange = async (id: string) =>
  (await feed.read(undefined, 10_000)).entries.filter((e) => e.id === id).at(-1);
const ctx = stageContext;

const entry = (id: string, title: string, upvotes: number) => ({
  paper: {
    id,
    title,
    summary: `An abstract about ${title},\nwrapped like arXiv wraps it.`,
    publishedAt: '2024-03-19T17:59:59.000Z',
    upvotes,
    discussionId: '65fa0000000000000000000a',
    authors: [
      { _id: '65fa0000000000000000000b', name: 'Ada Lovelace', hidden: false },
      { _id: '65fa0000000000000000000c', name: 'José Núñez', hidden: true },
    ],
    ai_keywords: ['transformers'],
  },
  title,
  summary: 'copy',
  publishedAt: '2024-03-19T17:59:59.000Z',
  thumbnail: `https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/${id}.png`,
  numComments: 0,
  isAuthorParticipating: false,
  submittedBy: {
    _id: '65fa0000000000000000000d',
    avatarUrl: '',
    fullname: 'AK',
    name: 'akhaliq',
    type: 'user',
    isPro: false,
  },
});

const page = (entries: unknown[], date = '2024-03-20') => {
  const props = JSON.stringify({ dailyPapers: entries, dateString: date, periodType: 'day' })
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;');
  return `<!doctype html><html><head><title>Daily Papers - Hugging Face</title></head><body><main><div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="${props}"></div></main></body></html>`;
};

let server: Server;
let fetchedDisallowed = false;
let base: string;
// Every stage is wired exactly as the worker runtime wires it, from a runtime on this file's names.
let rt: Runtime;
let fetchWiring: StageWiring<FetchDeps>;
let parseWiring: StageWiring<ParseDeps>;
let dedupeWiring: StageWiring<DedupeDeps>;
let indexWiring: StageWiring<IndexDeps>;
const parseDeps = (): ParseDeps => parseWiring.deps;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/papers/date/2024-03-20') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page([entry('2403.12345', 'Looped Transformers & Friends', 7)]));
    } else if (req.url === '/papers/date/2024-03-19') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        page(
          [
            entry('2403.11111', 'A Valid Paper', 1),
            entry('2403.22222', '   ', 2),
            entry('2403.33333', 'Another Valid Paper', 3),
          ],
          '2024-03-19',
        ),
      );
    } else if (req.url === '/papers/date/2024-03-18') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page([entry('2403.60606', 'Paper Lists Ride Along', 4)], '2024-03-18'));
    } else if (req.url === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(
        'User-agent: *\nDisallow: /papers/date/2024-03-2\nAllow: /papers/date/2024-03-20\nAllow: /papers/date/2024-03-21\n',
      );
    } else if (req.url === '/papers/date/2024-03-22') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>never fetched</html>');
      fetchedDisallowed = true;
    } else if (req.url === '/papers/date/2024-03-21') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end('PNG');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  rt = createRuntime('stages-test', testEnv(names, { HF_BASE_URL: base, PAPERLINE_BULK_WAIT_MS: '10' }));
  fetchWiring = await fetchStage.wire(rt);
  parseWiring = await parseStage.wire(rt);
  dedupeWiring = await dedupeStage.wire(rt);
  indexWiring = await indexStage.wire(rt);
});

afterAll(async () => {
  for (const w of [fetchWiring, parseWiring, dedupeWiring, indexWiring]) await w?.close?.();
  await rt?.close();
  server.close();
  await cleanup(redis, es, names);
  redis.disconnect();
  await es.close();
});

describe('fetch stage', () => {
  const deps = (): FetchDeps => fetchWiring.deps;

  it('archives the body content-addressed and hands the parser only its reference', async () => {
    const url = `${base}/papers/date/2024-03-20`;
    const res = await processFetch({ crawlId: 'cfetch', url, depth: 0 }, deps(), ctx('j1'));
    expect(res.outcome).toBe('fetched');
    const emitted = res.emit![0]!;
    expect(emitted.stage).toBe('parse');
    const p = emitted.payload as { sha256: string; url: string };
    expect(JSON.stringify(p)).not.toContain('dailyPapers');
    expect(await archive.getText(p.sha256, url)).toContain('data-target="DailyPapers"');
    expect((await archive.getUrl(url))?.sha256).toBe(p.sha256);
    expect(await crawls.contains('cfetch', 'fetched', url)).toBe(true);
  });

  it('refuses non-HTML content with a typed permanent error', async () => {
    const err = await processFetch(
      { crawlId: 'cfetch', url: `${base}/papers/date/2024-03-21`, depth: 0 },
      deps(),
      ctx('j2'),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaperlineError);
    expect((err as PaperlineError).code).toBe('HTTP_BAD_CONTENT_TYPE');
    expect((err as PaperlineError).retry).toBe('permanent');
  });

  it('obeys robots.txt: a disallowed page is refused with ROBOTS_DISALLOWED and never fetched', async () => {
    const err = await processFetch(
      { crawlId: 'cfetch', url: `${base}/papers/date/2024-03-22`, depth: 0 },
      deps(),
      ctx('jr'),
    ).catch((e: unknown) => e);
    expect((err as PaperlineError).code).toBe('ROBOTS_DISALLOWED');
    expect((err as PaperlineError).retry).toBe('permanent');
    expect(fetchedDisallowed).toBe(false);
    expect(await new RobotsCache(redis, names.prefix).get(base)).toContain('Disallow');
  });

  it('refuses a URL no source parses', async () => {
    const err = await processFetch(
      { crawlId: 'cfetch', url: 'https://example.com/x', depth: 0 },
      deps(),
      ctx('j3'),
    ).catch((e: unknown) => e);
    expect((err as PaperlineError).code).toBe('UNSUPPORTED_URL');
  });
});

describe('parse stage', () => {
  it('reads the archived body and emits validated candidates for dedupe', async () => {
    const url = `${base}/papers/date/2024-03-20`;
    const rec = (await archive.getUrl(url))!;
    const res = await processParse(
      {
        crawlId: 'cparse',
        url,
        finalUrl: url,
        sha256: rec.sha256,
        contentType: rec.contentType,
        status: 200,
        fetchedAt: rec.fetchedAt,
        depth: 0,
        source: 'hf',
      },
      parseDeps(),

      ctx('p1'),
    );
    const d = res.emit!.find((e) => e.stage === 'dedupe')!.payload as { candidates: PaperCandidate[] };
    expect(d.candidates).toHaveLength(1);
    expect(d.candidates[0]).toMatchObject({
      arxivId: '2403.12345',
      title: 'Looped Transformers & Friends',
      authors: ['Ada Lovelace', 'José Núñez'],
      authorCount: 2,
      upvotes: 7,
    });
    expect(d.candidates[0]!.abstract).not.toContain('\n');
  });

  it('sets an invalid record aside as failed with its reason; the valid ones on the page go on', async () => {
    const url = `${base}/papers/date/2024-03-19`;
    const http = new HttpClient({ blockPrivateAddresses: false });
    const got = await http.fetch(url);
    await http.close();
    const { createHash } = await import('node:crypto');
    const p = {
      sha256: createHash('sha256').update(got.body).digest('hex'),
      contentType: got.contentType,
      fetchedAt: new Date().toISOString(),
    };
    await archive.put({
      url,
      finalUrl: url,
      sha256: p.sha256,
      status: 200,
      contentType: p.contentType,
      fetchedAt: p.fetchedAt,
      source: 'hf',
      size: got.body.length,
      body: got.body,
    });
    await crawls.create('cq', [url], { depth: 0 });
    const res = await processParse(
      {
        crawlId: 'cq',
        url,
        finalUrl: url,
        sha256: p.sha256,
        contentType: p.contentType,
        status: 200,
        fetchedAt: p.fetchedAt,
        depth: 0,
        source: 'hf',
      },
      parseDeps(),
      ctx('qp'),
    );
    const d = res.emit!.find((e) => e.stage === 'dedupe')!.payload as { candidates: PaperCandidate[] };
    expect(d.candidates.map((c) => c.arxivId)).toEqual(['2403.11111', '2403.33333']);
    const q = await crawls.quarantined();
    expect(q[0]).toMatchObject({
      jobId: 'qp.q0',
      stage: 'parse',
      code: 'INVALID_RECORD',
      url,
      crawlId: 'cq',
    });
    expect(q[0]!.message).toContain('2403.22222');
    expect(q[0]!.message).toContain('title');
    expect((await crawls.summary('cq'))?.failed).toBe(1);
  });

  it('archives the body compressed, decodes it with its charset, and still reads text-layout archives', async () => {
    const body = Buffer.from('<html><body>caf\xe9 \x80 na\xefve</body></html>', 'latin1');
    const sha = 'c'.repeat(64);
    await archive.put({
      url: 'http://x/cp1252',
      finalUrl: 'http://x/cp1252',
      sha256: sha,
      status: 200,
      contentType: 'text/html; charset=windows-1252',
      fetchedAt: new Date().toISOString(),
      source: 'hf',
      size: body.length,
      body,
    });
    const stored = await es.get<{ body: string; encoding: string; text?: string }>({
      index: names.archive,
      id: sha,
    });
    expect(stored._source?.encoding).toBe('br');
    expect(stored._source?.text).toBeUndefined();
    expect(await archive.getText(sha, 'http://x/cp1252')).toBe('<html><body>café € naïve</body></html>');
    expect((await archive.getUrl('http://x/cp1252'))?.sha256).toBe(sha);
    // An archive written before bodies were compressed holds the decoded text.
    await es.create({
      index: names.archive,
      id: 'd'.repeat(64),
      document: {
        sha256: 'd'.repeat(64),
        text: 'old layout',
        contentType: 'text/html',
        size: 10,
        url: 'http://x/old',
      },
    });
    expect(await archive.getText('d'.repeat(64), 'http://x/old')).toBe('old layout');
    // One written before Brotli holds the gzip-compressed bytes.
    await es.create({
      index: names.archive,
      id: 'e'.repeat(64),
      document: {
        sha256: 'e'.repeat(64),
        body: gzipSync(body).toString('base64'),
        encoding: 'gzip',
        contentType: 'text/html; charset=windows-1252',
        size: body.length,
        url: 'http://x/gzip',
      },
    });
    expect(await archive.getText('e'.repeat(64), 'http://x/gzip')).toBe(
      '<html><body>café € naïve</body></html>',
    );
  });

  it('an archived body in an encoding this version does not know is a permanent ARCHIVE_UNREADABLE error', async () => {
    await es.create({
      index: names.archive,
      id: 'f'.repeat(64),
      document: {
        sha256: 'f'.repeat(64),
        body: 'AAAA',
        encoding: 'zstd',
        contentType: 'text/html',
        size: 3,
        url: 'http://x/z',
      },
    });
    const err = await archive.getText('f'.repeat(64), 'http://x/z').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({ code: 'ARCHIVE_UNREADABLE', context: { url: 'http://x/z' } });
    expect((err as Error).message).toContain("encoding 'zstd'");
  });

  it('a missing archived body is a permanent ARCHIVE_MISSING error', async () => {
    const err = await archive.getText('0'.repeat(64), 'http://x/').catch((e: unknown) => e);
    expect((err as PaperlineError).code).toBe('ARCHIVE_MISSING');
  });

  it('pages archived at the same time each get their own outcome: a page Elasticsearch refuses fails alone', async () => {
    const pageAt = (n: number, status = 200) => {
      const body = Buffer.from(`<html><body>page ${n}</body></html>`);
      const url = `http://x/together/${n}`;
      return {
        url,
        finalUrl: url,
        sha256: String(n).repeat(64).slice(0, 64),
        status,
        contentType: 'text/html',
        fetchedAt: new Date().toISOString(),
        source: 'hf' as const,
        size: body.length,
        body,
      };
    };
    // A status outside the mapping's short: Elasticsearch refuses that URL record alone.
    const pages = [1, 2, 3, 4, 5, 6].map((n) => pageAt(n, n === 4 ? 70_000 : 200));
    const outcomes = await Promise.allSettled(pages.map((p) => archive.put(p)));
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(String((outcomes[3] as PromiseRejectedResult).reason)).toContain('http://x/together/4');
    const records = await Promise.all(pages.map((p) => archive.getUrl(p.url)));
    expect(records.map((r) => r?.sha256)).toEqual(pages.map((p, i) => (i === 3 ? undefined : p.sha256)));
    for (const p of [pages[0]!, pages[5]!])
      expect(await archive.getText(p.sha256, p.url)).toBe(p.body.toString());
  });

  it('record updates made at the same time each apply or fail on their own', async () => {
    const urls = [1, 2, 3, 4, 5, 6].map((n) => `http://x/together/${n}`).filter((_, i) => i !== 3);
    const at = '2030-01-01T00:00:00.000Z';
    const outcomes = await Promise.allSettled([
      ...urls.map((u) => archive.touch(u, at)),
      ...urls.map((u, i) => archive.setPaperIds(u, [`arxiv:2401.0000${i}`])),
      archive.touch('http://x/never-fetched', at),
      archive.setPaperIds('http://x/never-fetched', ['arxiv:2401.99999']),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      ...urls.flatMap(() => ['fulfilled', 'fulfilled']),
      'rejected',
      'fulfilled',
    ]);
    expect(String((outcomes.at(-2) as PromiseRejectedResult).reason)).toMatch(
      /recording the fetch of http:\/\/x\/never-fetched .*document_missing/,
    );
    const records = await Promise.all(urls.map((u) => archive.getUrl(u)));
    expect(records.map((r) => [r?.fetchedAt, r?.paperIds])).toEqual(
      urls.map((_, i) => [at, [`arxiv:2401.0000${i}`]]),
    );
  });

  it('a URL never archived has no record, also where no archive index exists yet', async () => {
    expect(await archive.getUrl('http://x/never-fetched')).toBeNull();
    expect(await new RawArchive(es, `${names.archive}-absent`).getUrl('http://x/never-fetched')).toBeNull();
  });
});

describe('dedupe + index stages', () => {
  const store = new DedupStore(redis, es, names.index, names.prefix);
  const cand = (over: Partial<PaperCandidate>): PaperCandidate => ({
    source: 'hf',
    url: `${base}/papers/date/2024-03-20`,
    fetchedAt: '2024-03-20T10:00:00.000Z',
    parserVersion: 'hf-1',
    arxivId: '2403.12345',
    title: 'Looped Transformers & Friends',
    authors: ['Ada Lovelace'],
    authorCount: 1,
    upvotes: 7,
    ...over,
  });
  const dedupeDeps = (): DedupeDeps => dedupeWiring.deps;
  const indexDeps = (): IndexDeps => indexWiring.deps;

  it('one paper on two pages becomes one document; unchanged content is not written again', async () => {
    const a = await processDedupe(
      { crawlId: 'cd', url: `${base}/papers/date/2024-03-20`, candidates: [cand({})] },
      dedupeDeps(),
      ctx('d1'),
    );
    expect(a.outcome).toBe('changed');
    const job = a.emit![0]!.payload as Parameters<typeof processIndex>[0];
    await processIndex(job, indexDeps(), ctx('i1'));
    const b = await processDedupe(
      {
        crawlId: 'cd',
        url: `${base}/papers/date/2024-03-21`,
        candidates: [cand({ url: `${base}/papers/date/2024-03-21`, fetchedAt: '2024-03-21T10:00:00.000Z' })],
      },
      dedupeDeps(),
      ctx('d2'),
    );
    expect(b.outcome).toBe('unchanged');
    const docs = await getPapers(es, names.index, ['arxiv:2403.12345']);
    expect(docs.get('arxiv:2403.12345')?.doc.title).toBe('Looped Transformers & Friends');
    await rt.crawls.flushBooks(); // what the runner does before the job's transition
    const s = await crawls.summary('cd');
    expect(s).toBeNull(); // never created: counts are per crawl, the sets are still there
    expect(await crawls.sizes('cd')).toMatchObject({ papers: 1, cands: 2 });
  });

  it("a page's paper list reaches its archive record: in its index job's bulk request, or at once when nothing changed", async () => {
    const url = `${base}/papers/date/2024-03-18`;
    expect(
      (await processFetch({ crawlId: 'cl', url, depth: 0 }, fetchWiring.deps, ctx('f-cl'))).outcome,
    ).toBe('fetched');
    const listed = cand({ arxivId: '2403.60606', title: 'Paper Lists Ride Along' });
    const changed = await processDedupe(
      { crawlId: 'cl', url, candidates: [listed] },
      dedupeDeps(),
      ctx('d-cl1'),
    );
    const job = changed.emit!.find((e) => e.stage === 'index')!.payload as Parameters<typeof processIndex>[0];
    expect(job.pagePaperIds).toEqual(['arxiv:2403.60606']);
    expect((await archive.getUrl(url))?.paperIds).toBeUndefined();
    await processIndex(job, indexDeps(), ctx('i-cl1'));
    expect((await archive.getUrl(url))?.paperIds).toEqual(['arxiv:2403.60606']);
    expect((await getPapers(es, names.index, ['arxiv:2403.60606'])).has('arxiv:2403.60606')).toBe(true);

    await archive.setPaperIds(url, []);
    const unchanged = await processDedupe(
      { crawlId: 'cl', url, candidates: [listed] },
      dedupeDeps(),
      ctx('d-cl2'),
    );
    expect(unchanged.outcome).toBe('unchanged');
    expect((await archive.getUrl(url))?.paperIds).toEqual(['arxiv:2403.60606']);
  });

  it('a page fetched again with the very bytes archived is not modified: its papers count, nothing is archived or parsed', async () => {
    // The page of the test before: archived, its paper list on its record; this server sends no ETag.
    const url = `${base}/papers/date/2024-03-18`;
    const before = (await archive.getUrl(url))!;
    expect(before.paperIds).toEqual(['arxiv:2403.60606']);
    const res = await processFetch({ crawlId: 'cl2', url, depth: 0 }, fetchWiring.deps, ctx('f-cl2'));
    expect(res).toEqual({ outcome: 'not-modified' });
    const after = (await archive.getUrl(url))!;
    expect(after).toMatchObject({ sha256: before.sha256, paperIds: before.paperIds });
    expect(after.fetchedAt > before.fetchedAt).toBe(true);
    await rt.crawls.flushBooks(); // what the runner does before the job's transition
    expect(await crawls.sizes('cl2')).toMatchObject({ fetched: 1, parsed: 0, papers: 1 });
  });

  it('a re-run of the same dedupe job after a crash re-emits what it committed', async () => {
    const c = cand({ upvotes: 9, fetchedAt: '2024-03-22T10:00:00.000Z' });
    const first = await processDedupe(
      { crawlId: 'cd', url: 'http://x/a', candidates: [c] },
      dedupeDeps(),
      ctx('d3'),
    );
    const again = await processDedupe(
      { crawlId: 'cd', url: 'http://x/a', candidates: [c] },
      dedupeDeps(),
      ctx('d3'),
    );
    expect(first.outcome).toBe('changed');
    expect(again.outcome).toBe('changed');
    await processIndex(again.emit![0]!.payload as Parameters<typeof processIndex>[0], indexDeps(), ctx('i3'));
    await processIndex(
      first.emit![0]!.payload as Parameters<typeof processIndex>[0],
      indexDeps(),
      ctx('i3b'),
    );
    expect(
      (await getPapers(es, names.index, ['arxiv:2403.12345'])).get('arxiv:2403.12345')?.doc.upvotes,
    ).toBe(9);
  });

  it('concurrent jobs merging the same paper lose no view: the losers of the race merge again', async () => {
    const jobs = [1, 2, 3, 4, 5, 6].map((n) => {
      const source = n % 2 ? 'hf' : 'arxiv';
      const c = cand({
        arxivId: '2403.55555',
        source,
        fetchedAt: `2024-03-2${n}T10:00:00.000Z`,
        upvotes: source === 'hf' ? n : undefined,
        ...(source === 'arxiv' ? { categories: [`cs.${'ABCDEF'[n - 1]}`] } : {}),
      } as Partial<PaperCandidate>);
      return processDedupe(
        { crawlId: 'cc', url: `http://x/race/${n}`, candidates: [c] },
        dedupeDeps(),
        ctx(`r${n}`),
      );
    });
    const results = await Promise.all(jobs);
    const versions = results.flatMap((r) =>
      (r.emit ?? [])
        .filter((e) => e.stage === 'index')
        .flatMap((e) => (e.payload as { docs: Array<{ version: number }> }).docs.map((d) => d.version)),
    );
    expect(new Set(versions).size).toBe(versions.length); // every merge took its own version
    const state = (await store.load(['arxiv:2403.55555'])).get('arxiv:2403.55555')!;
    expect(state.views.get('hf')?.fetchedAt).toBe('2024-03-25T10:00:00.000Z');
    expect(state.views.get('hf')?.upvotes).toBe(5);
    expect(state.views.get('arxiv')?.fetchedAt).toBe('2024-03-26T10:00:00.000Z');
    expect(state.views.get('arxiv')?.categories).toEqual(['cs.F']);
    expect(Number(state.rev)).toBe(6);
  });

  it('with Redis emptied, identity and the content hash come back from Elasticsearch: no duplicate, no write', async () => {
    await store.clear();
    const before = (await getPapers(es, names.index, ['arxiv:2403.12345'])).get('arxiv:2403.12345')!;
    const r = await processDedupe(
      {
        crawlId: 'cd2',
        url: 'http://x/b',
        candidates: [cand({ upvotes: 9, fetchedAt: '2024-03-22T10:00:00.000Z' })],
      },
      dedupeDeps(),
      ctx('d4'),
    );
    expect(r.outcome).toBe('unchanged');
    const after = (await getPapers(es, names.index, ['arxiv:2403.12345'])).get('arxiv:2403.12345')!;
    expect(after.version).toBe(before.version);
    expect(after.doc.firstSeenAt).toBe(before.doc.firstSeenAt);
  });

  it('pages that read the index at the same time each get their own papers, also a paper they share', async () => {
    await store.clear();
    const [a, b] = await Promise.all([
      store.load(['arxiv:2403.12345', 'arxiv:2403.60606']),
      store.load(['arxiv:2403.60606', 'arxiv:2403.99999']),
    ]);
    const indexed = await getPapers(es, names.index, ['arxiv:2403.12345', 'arxiv:2403.60606']);
    expect([...a.keys()]).toEqual(['arxiv:2403.12345', 'arxiv:2403.60606']);
    expect([...b.keys()]).toEqual(['arxiv:2403.60606', 'arxiv:2403.99999']);
    expect(a.get('arxiv:2403.12345')!.fromIndex).toEqual({
      version: indexed.get('arxiv:2403.12345')!.version,
    });
    for (const page of [a, b])
      expect(page.get('arxiv:2403.60606')!.fromIndex).toEqual({
        version: indexed.get('arxiv:2403.60606')!.version,
      });
    expect(b.get('arxiv:2403.99999')!.fromIndex).toEqual({ version: 0 });
    const shared = [a, b].map((page) => page.get('arxiv:2403.60606')!.views.get('hf'));
    expect(shared[0]?.title).toBe('Paper Lists Ride Along');
    expect(shared[1]).toEqual(shared[0]);
    expect(shared[1]).not.toBe(shared[0]);
  });

  it('a paper first seen without an id is merged into its record once the id arrives', async () => {
    const title = 'A Paper Seen First Without Any Identifier';
    const anon = cand({ arxivId: undefined, title, upvotes: 3, url: 'http://x/anon' });
    const first = await processDedupe(
      { crawlId: 'ct', url: 'http://x/anon', candidates: [anon] },
      dedupeDeps(),
      ctx('t1'),
    );
    const titleDoc = (first.emit![0]!.payload as { docs: Array<{ id: string }> }).docs[0]!.id;
    expect(titleDoc).toMatch(/^title:/);
    await processIndex(
      first.emit![0]!.payload as Parameters<typeof processIndex>[0],
      indexDeps(),
      ctx('t1i'),
    );

    const known = cand({
      arxivId: '2403.77777',
      title: `${title}.`,
      fetchedAt: '2024-03-23T00:00:00.000Z',
      upvotes: 5,
    });
    const second = await processDedupe(
      { crawlId: 'ct', url: 'http://x/known', candidates: [known] },
      dedupeDeps(),
      ctx('t2'),
    );
    const job = second.emit!.find((e) => e.stage === 'index')!.payload as Parameters<typeof processIndex>[0];
    expect(job.deletes).toEqual([expect.objectContaining({ id: titleDoc, into: 'arxiv:2403.77777' })]);
    await processIndex(job, indexDeps(), ctx('t2i'));
    const docs = await getPapers(es, names.index, [titleDoc, 'arxiv:2403.77777']);
    expect(docs.has(titleDoc)).toBe(false);
    expect(await lastChange(titleDoc)).toMatchObject({
      op: 'deleted',
      reason: 'merged into arxiv:2403.77777',
    });
    expect(docs.get('arxiv:2403.77777')?.doc.upvotes).toBe(5);
    // Every key of the paper now resolves to the canonical id.
    expect(await store.resolveAliases([titleDoc])).toEqual(['arxiv:2403.77777']);
  });

  it('a paper the source reports deleted is kept and marked withdrawn, never removed', async () => {
    const r = await processDedupe(
      { crawlId: 'cw', url: 'http://x/oai', candidates: [], withdrawnIds: ['2403.12345'] },
      dedupeDeps(),
      ctx('w1'),
    );
    await processIndex(
      r.emit!.find((e) => e.stage === 'index')!.payload as Parameters<typeof processIndex>[0],
      indexDeps(),
      ctx('w1i'),
    );
    const doc = (await getPapers(es, names.index, ['arxiv:2403.12345'])).get('arxiv:2403.12345');
    expect(doc?.doc.withdrawn).toBe(true);
    expect(doc?.doc.title).toBe('Looped Transformers & Friends');
    // The feed says so with a tombstone at the document's version.
    expect(await lastChange('arxiv:2403.12345')).toMatchObject({
      op: 'withdrawn',
      reason: 'withdrawn on hf',
      version: doc!.version,
    });
  });

  it('a document Elasticsearch rejects fails with its reason while the others are written', async () => {
    const good = {
      id: 'arxiv:2403.99999',
      version: 1,
      doc: { id: 'arxiv:2403.99999', title: 'ok', authors: [], authorCount: 0, withdrawn: false },
    };
    const bad = { id: 'arxiv:2403.88888', version: 1, doc: { id: 'arxiv:2403.88888', notInTheSchema: true } };
    const err = await processIndex(
      { crawlId: 'ci', url: 'http://x/c', docs: [good, bad] },
      indexDeps(),
      ctx('i4'),
    ).catch((e: unknown) => e);
    expect((err as PaperlineError).code).toBe('INDEX_ITEM_FAILED');
    expect((err as PaperlineError).message).toContain('arxiv:2403.88888');
    expect((err as PaperlineError).message).toContain('strict_dynamic_mapping_exception');
    expect((await getPapers(es, names.index, ['arxiv:2403.99999'])).has('arxiv:2403.99999')).toBe(true);
    await rt.crawls.flushBooks();
    expect(await crawls.contains('ci', 'written', 'arxiv:2403.99999')).toBe(true);
    // What Elasticsearch took is in the feed although the job failed; the rejected one is not.
    expect(await lastChange('arxiv:2403.99999')).toMatchObject({ op: 'upsert', version: 1 });
    expect(await lastChange('arxiv:2403.88888')).toBeUndefined();
  });
});
