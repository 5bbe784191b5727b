import { describe, expect, it, vi } from 'vitest';
import type {
  DedupeJob,
  EmbedJob,
  EnrichJob,
  IndexJob,
  PaperCandidate,
  SourceId,
} from '@paperline/contracts';
import { createLogger } from '@paperline/core/process';
import type { StageContext, StoredEmbedding } from '@paperline/core/pipeline';
import { embeddingTextHash, identityKeys } from '@paperline/identity';
import { processDedupe, type DedupeDeps } from './process.js';
import type { CommitResult, PaperState, PaperWrite } from './store.js';

const PAGE = 'http://127.0.0.1:4567/papers/date/2024-03-20';
const NOW = new Date('2024-03-20T12:00:00.000Z');

const ctx = (jobId: string): StageContext => ({
  jobId,
  attempt: 1,
  log: createLogger({ level: 'silent' }),
  signal: new AbortController().signal,
});

const cand = (over: Partial<PaperCandidate> = {}): PaperCandidate => ({
  source: 'hf',
  url: PAGE,
  fetchedAt: '2024-03-20T10:00:00.000Z',
  parserVersion: 'hf-1',
  arxivId: '2403.12345',
  title: 'Looped Transformers',
  authors: ['Ada Lovelace'],
  authorCount: 1,
  upvotes: 7,
  ...over,
});

const job = (candidates: PaperCandidate[], over: Partial<DedupeJob> = {}): DedupeJob => ({
  crawlId: 'c1',
  url: PAGE,
  candidates,
  ...over,
});

interface Cached {
  rev: number;
  ver: number;
  views: Map<SourceId, PaperCandidate>;
  first?: string;
  hash?: string;
  hashJob?: string;
  embedding?: StoredEmbedding;
}

/**
 * The dedup store's contract in memory: a cache of papers with revisions (a commit on a stale
 * revision loses), the alias table, and which ids the index holds. Nothing in the index beyond
 * `indexed`: a paper the cache lacks loads empty, as from an index that has no document of it.
 */
type DedupStoreContract = DedupeDeps['store'];

class FakeStore implements DedupStoreContract {
  readonly papers = new Map<string, Cached>();
  readonly aliases = new Map<string, string>();
  readonly indexed = new Set<string>();
  readonly forgotten: string[] = [];
  /** The keys of each alias look-up (the real store may search the index for each one). */
  readonly lookups: string[][] = [];
  commits = 0;
  existingCalls = 0;
  /** The pairs of each alias write. */
  readonly aliasWrites: Array<Array<[string, string]>> = [];

  /** Another job's view of a paper, written just before this job's next commit of it. */
  readonly interleaved = new Map<string, PaperCandidate>();

  async load(ids: string[]): Promise<Map<string, PaperState>> {
    return new Map(
      ids.map((id) => {
        const p = this.papers.get(id);
        const state: PaperState = p
          ? {
              rev: String(p.rev),
              views: new Map(p.views),
              ...(p.first ? { firstSeenAt: p.first } : {}),
              ...(p.hash ? { hash: p.hash } : {}),
              ...(p.hashJob ? { hashJob: p.hashJob } : {}),
              ...(p.embedding ? { embedding: p.embedding } : {}),
            }
          : { rev: '0', views: new Map(), fromIndex: { version: 0 } };
        return [id, state];
      }),
    );
  }

  async commitPage(writes: PaperWrite[], jobId: string): Promise<Map<string, CommitResult>> {
    this.commits += 1;
    const out = new Map<string, CommitResult>();
    for (const w of writes) {
      const other = this.interleaved.get(w.id);
      if (other) {
        this.interleaved.delete(w.id);
        this.write(w.id, [other], other.fetchedAt);
      }
      const cur = this.papers.get(w.id);
      if (String(cur?.rev ?? 0) !== w.state.rev) {
        out.set(w.id, null);
        continue;
      }
      const p = this.write(w.id, w.views, w.firstSeenAt);
      if (w.written !== undefined) Object.assign(p, { hash: w.written, hashJob: jobId });
      out.set(w.id, { version: p.ver });
    }
    return out;
  }

  private write(id: string, views: PaperCandidate[], first: string): Cached {
    const p: Cached = this.papers.get(id) ?? { rev: 0, ver: 0, views: new Map() };
    for (const v of views) p.views.set(v.source, v);
    p.first ??= first;
    p.rev += 1;
    p.ver += 1;
    this.papers.set(id, p);
    return p;
  }

  async resolveAliases(keys: string[]): Promise<(string | null)[]> {
    this.lookups.push(keys);
    return keys.map((k) => this.aliases.get(k) ?? null);
  }

  async setAliases(pairs: Array<[string, string]>): Promise<void> {
    this.aliasWrites.push(pairs);
    for (const [k, id] of pairs) this.aliases.set(k, id);
  }

  async forget(id: string): Promise<void> {
    this.forgotten.push(id);
    this.papers.delete(id);
  }

  async existing(ids: string[]): Promise<Set<string>> {
    this.existingCalls += 1;
    return new Set(ids.filter((id) => this.indexed.has(id)));
  }
}

function fakes(opts: { enrich?: boolean; embed?: boolean } = {}) {
  const store = new FakeStore();
  const deps = {
    store,
    markCandidates: vi.fn(async (_crawlId: string, _pageKey: string, _ids: string[]) => undefined),
    recordPagePapers: vi.fn(async (_url: string, _ids: string[]) => undefined),
    ...(opts.enrich === false
      ? {}
      : {
          queueEnrichment: vi.fn(async (_crawlId: string, _jobId: string, ids: string[]) => ids),
        }),
    ...(opts.embed ? { embed: true } : {}),
    now: () => NOW,
  } satisfies DedupeDeps;
  return { store, deps };
}

type Emitted = Array<{ stage: string; payload: unknown }> | undefined;
const indexJobOf = (emit: Emitted) => emit?.find((e) => e.stage === 'index')?.payload as IndexJob | undefined;
const enrichJobsOf = (emit: Emitted) =>
  (emit ?? []).filter((e) => e.stage === 'enrich').map((e) => e.payload as EnrichJob);
const embedJobsOf = (emit: Emitted) =>
  (emit ?? []).filter((e) => e.stage === 'embed').map((e) => e.payload as EmbedJob);
const docOf = (j: IndexJob | undefined, id: string) =>
  JSON.parse(j!.docs.find((d) => d.id === id)!.doc as string) as Record<string, unknown>;

describe('processDedupe', () => {
  it('a new paper: canonical id, its aliases, one serialized document to index, the page books', async () => {
    const { store, deps } = fakes({ enrich: false });
    const res = await processDedupe(job([cand()]), deps, ctx('d1'));
    expect(res.outcome).toBe('changed');
    const index = indexJobOf(res.emit)!;
    expect(index).toMatchObject({ crawlId: 'c1', url: PAGE });
    expect(index.docs).toEqual([{ id: 'arxiv:2403.12345', version: 1, doc: expect.any(String) }]);
    expect(docOf(index, 'arxiv:2403.12345')).toMatchObject({
      id: 'arxiv:2403.12345',
      title: 'Looped Transformers',
      upvotes: 7,
      firstSeenAt: NOW.toISOString(),
    });
    expect(store.aliases.get('arxiv:2403.12345')).toBe('arxiv:2403.12345');
    expect(store.aliases.get(`title:${identityKeys(cand()).fingerprint}`)).toBe('arxiv:2403.12345');
    expect(deps.markCandidates).toHaveBeenCalledWith('c1', PAGE, ['arxiv:2403.12345']);
    // The page's paper list goes with its index job, whose bulk request records it.
    expect(index.pagePaperIds).toEqual(['arxiv:2403.12345']);
    expect(deps.recordPagePapers).not.toHaveBeenCalled();
  });

  it('the same content seen again by another job is unchanged: nothing to index', async () => {
    const { store, deps } = fakes({ enrich: false });
    await processDedupe(job([cand()]), deps, ctx('d1'));
    expect(store.aliasWrites.at(-1)?.map(([k]) => k)).toEqual([
      'arxiv:2403.12345',
      `title:${identityKeys(cand()).fingerprint}`,
    ]);
    const again = await processDedupe(
      job([cand({ url: 'http://127.0.0.1:4567/papers/date/2024-03-21' })], {
        url: 'http://127.0.0.1:4567/x',
      }),
      deps,
      ctx('d2'),
    );
    expect(again.outcome).toBe('unchanged');
    expect(indexJobOf(again.emit)).toBeUndefined();
    // No index job: the page's paper list is recorded here.
    expect(deps.recordPagePapers).toHaveBeenCalledWith('http://127.0.0.1:4567/x', ['arxiv:2403.12345']);
    // Its keys already point at it: no alias is written again.
    expect(store.aliasWrites.at(-1)).toEqual([]);
  });

  it('the same job run again (after a crash) hands its papers on again', async () => {
    const { deps } = fakes({ enrich: false });
    await processDedupe(job([cand()]), deps, ctx('d1'));
    const rerun = await processDedupe(job([cand()]), deps, ctx('d1'));
    expect(rerun.outcome).toBe('changed');
    expect(indexJobOf(rerun.emit)!.docs.map((d) => d.id)).toEqual(['arxiv:2403.12345']);
  });

  it('a rewrite hands on unchanged papers too, each under a newer merge version', async () => {
    const { deps } = fakes({ enrich: false });
    const first = await processDedupe(job([cand()]), deps, ctx('d1'));
    const rewrite = await processDedupe(
      job([cand()], { reprocess: true, verifyIndex: true, rewrite: true }),
      deps,
      ctx('d2'),
    );
    expect(rewrite.outcome).toBe('changed');
    const [before] = indexJobOf(first.emit)!.docs;
    const [after] = indexJobOf(rewrite.emit)!.docs;
    expect(after!.id).toBe('arxiv:2403.12345');
    expect(after!.version).toBeGreaterThan(before!.version);
  });

  it('one paper twice on a page is one document, the newest fetch winning', async () => {
    const { deps } = fakes({ enrich: false });
    const res = await processDedupe(
      job([cand({ upvotes: 3 }), cand({ upvotes: 9, fetchedAt: '2024-03-20T11:00:00.000Z' })]),
      deps,
      ctx('d1'),
    );
    const index = indexJobOf(res.emit)!;
    expect(index.docs).toHaveLength(1);
    expect(docOf(index, 'arxiv:2403.12345').upvotes).toBe(9);
  });

  it('a title-only paper joins the identified paper that now matches it; its document goes', async () => {
    const { store, deps } = fakes({ enrich: false });
    const titleOnly = cand({ arxivId: undefined, upvotes: 2 });
    const first = await processDedupe(job([titleOnly]), deps, ctx('d1'));
    const oldId = indexJobOf(first.emit)!.docs[0]!.id;
    expect(oldId).toMatch(/^title:/);
    const res = await processDedupe(
      job([cand({ source: 'arxiv', upvotes: undefined, categories: ['cs.LG'] })]),
      deps,
      ctx('d2'),
    );
    const index = indexJobOf(res.emit)!;
    // The delete is a write of the adopting merge: at the surviving paper's new version.
    const survivor = index.docs.find((d) => d.id === 'arxiv:2403.12345')!;
    expect(index.deletes).toEqual([{ id: oldId, into: 'arxiv:2403.12345', version: survivor.version }]);
    expect(store.forgotten).toEqual([oldId]);
    const doc = docOf(index, 'arxiv:2403.12345');
    expect(doc).toMatchObject({ upvotes: 2, categories: ['cs.LG'] }); // both views, merged
  });

  it("a page's canonical ids and title keys are looked up together, once", async () => {
    const { store, deps } = fakes({ enrich: false });
    const other = cand({ arxivId: '2403.54321', title: 'Another Paper' });
    await processDedupe(
      job([cand(), other, cand({ fetchedAt: '2024-03-20T11:00:00.000Z' })]),
      deps,
      ctx('d1'),
    );
    const fingerprint = (c: PaperCandidate) => `title:${identityKeys(c).fingerprint}`;
    expect(store.lookups).toEqual([
      ['arxiv:2403.12345', fingerprint(cand()), 'arxiv:2403.54321', fingerprint(other)],
    ]);
  });

  it('a known paper reported deleted at the source is merged again, marked withdrawn', async () => {
    const { deps } = fakes({ enrich: false });
    await processDedupe(job([cand()]), deps, ctx('d1'));
    const res = await processDedupe(
      job([], { url: 'http://127.0.0.1:4568/oai', withdrawnIds: ['2403.12345', '2403.99999'] }),
      deps,
      ctx('d2'),
    );
    const index = indexJobOf(res.emit)!;
    expect(index.docs.map((d) => d.id)).toEqual(['arxiv:2403.12345']); // the unknown one is skipped
    expect(docOf(index, 'arxiv:2403.12345')).toMatchObject({ withdrawn: true, title: 'Looped Transformers' });
  });

  it('a job that loses the race for a paper reads it again and merges once more, losing no view', async () => {
    const { store, deps } = fakes({ enrich: false });
    store.interleaved.set(
      'arxiv:2403.12345',
      cand({ source: 'arxiv', upvotes: undefined, categories: ['cs.CL'] }),
    );
    const res = await processDedupe(job([cand()]), deps, ctx('d1'));
    expect(store.commits).toBe(2);
    expect(docOf(indexJobOf(res.emit), 'arxiv:2403.12345')).toMatchObject({
      upvotes: 7,
      categories: ['cs.CL'],
    });
    expect([...store.papers.get('arxiv:2403.12345')!.views.keys()].sort()).toEqual(['arxiv', 'hf']);
  });

  it('verifyIndex writes unchanged papers the index lacks again, and only those', async () => {
    const { store, deps } = fakes({ enrich: false });
    const other = cand({ arxivId: '2403.11111', title: 'Another Paper' });
    await processDedupe(job([cand(), other]), deps, ctx('d1'));
    store.indexed.add('arxiv:2403.11111');
    const plain = await processDedupe(job([cand(), other]), deps, ctx('d2'));
    expect(plain.outcome).toBe('unchanged');
    expect(store.existingCalls).toBe(0);
    const verified = await processDedupe(job([cand(), other], { verifyIndex: true }), deps, ctx('d3'));
    expect(indexJobOf(verified.emit)!.docs.map((d) => d.id)).toEqual(['arxiv:2403.12345']);
    expect(verified.outcome).toBe('changed');
  });

  it('papers known only from Hugging Face are queued for an arXiv look-up, and one enrich job keeps the crawl', async () => {
    const { deps } = fakes();
    const res = await processDedupe(
      job([cand(), cand({ arxivId: '2403.22222', title: 'Seen on arXiv', source: 'arxiv' })]),
      deps,
      ctx('d1'),
    );
    expect(deps.queueEnrichment).toHaveBeenCalledWith('c1', 'd1', ['2403.12345']);
    expect(enrichJobsOf(res.emit)).toEqual([{ crawlId: 'c1', url: PAGE }]);
    expect(res.emit!.some((e) => e.stage === 'fetch')).toBe(false);
  });

  it('adds no enrich job when every id was queued by another job before', async () => {
    const { deps } = fakes();
    deps.queueEnrichment!.mockResolvedValueOnce([]);
    const res = await processDedupe(job([cand()]), deps, ctx('d2'));
    expect(deps.queueEnrichment).toHaveBeenCalledOnce();
    expect(enrichJobsOf(res.emit)).toEqual([]);
  });

  it('a reprocess looks nothing up; verifyIndex alone does not stop the look-ups', async () => {
    const reprocess = fakes();
    const r = await processDedupe(
      job([cand()], { verifyIndex: true, reprocess: true }),
      reprocess.deps,
      ctx('d1'),
    );
    expect(reprocess.deps.queueEnrichment).not.toHaveBeenCalled();
    expect(enrichJobsOf(r.emit)).toEqual([]);
    const verifyOnly = fakes();
    await processDedupe(job([cand()], { verifyIndex: true }), verifyOnly.deps, ctx('d1'));
    expect(verifyOnly.deps.queueEnrichment).toHaveBeenCalledWith('c1', 'd1', ['2403.12345']);
  });
});

describe('processDedupe and vectors', () => {
  const ID = 'arxiv:2403.12345';
  const vector = Float32Array.from({ length: 384 }, (_, i) => (i === 0 ? 1 : 0));
  const textHashOf = (c: PaperCandidate) => embeddingTextHash({ title: c.title, abstract: c.abstract });

  it('a written paper without a vector gets one embed job per text, after its index job', async () => {
    const { deps } = fakes({ enrich: false, embed: true });
    const res = await processDedupe(job([cand({ abstract: 'An abstract.' })]), deps, ctx('d1'));
    expect(res.emit!.map((e) => e.stage)).toEqual(['index', 'embed']);
    expect(embedJobsOf(res.emit)).toEqual([
      { crawlId: 'c1', url: PAGE, id: ID, textHash: textHashOf(cand({ abstract: 'An abstract.' })) },
    ]);
  });

  it('a later merge keeps the stored vector and asks for none while the text is the same', async () => {
    const { store, deps } = fakes({ enrich: false, embed: true });
    await processDedupe(job([cand()]), deps, ctx('d1'));
    store.papers.get(ID)!.embedding = { vector, textHash: textHashOf(cand()) };
    const res = await processDedupe(job([cand({ upvotes: 99 })]), deps, ctx('d2'));
    expect(docOf(indexJobOf(res.emit), ID)).toMatchObject({
      upvotes: 99,
      embedding: { vector: Array.from(vector), textHash: textHashOf(cand()) },
    });
    expect(embedJobsOf(res.emit)).toEqual([]);
  });

  it('a changed title keeps the old vector until the new one comes, and asks for it', async () => {
    const { store, deps } = fakes({ enrich: false, embed: true });
    await processDedupe(job([cand()]), deps, ctx('d1'));
    store.papers.get(ID)!.embedding = { vector, textHash: textHashOf(cand()) };
    const renamed = cand({ title: 'Looped Transformers, Revisited', fetchedAt: '2024-03-20T11:00:00.000Z' });
    const res = await processDedupe(job([renamed]), deps, ctx('d2'));
    expect(docOf(indexJobOf(res.emit), ID)).toMatchObject({ embedding: { textHash: textHashOf(cand()) } });
    expect(embedJobsOf(res.emit)).toEqual([
      { crawlId: 'c1', url: PAGE, id: ID, textHash: textHashOf(renamed) },
    ]);
  });

  it('with embeddings off, no embed jobs', async () => {
    const { deps } = fakes({ enrich: false });
    const res = await processDedupe(job([cand()]), deps, ctx('d1'));
    expect(embedJobsOf(res.emit)).toEqual([]);
  });
});
