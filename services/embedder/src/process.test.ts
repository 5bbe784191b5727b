import { describe, expect, it, vi } from 'vitest';
import type { EmbedJob, IndexJob, PaperCandidate, SourceId } from '@paperline/contracts';
import { createLogger } from '@paperline/core/process';
import type { PaperState, StageContext, StoredEmbedding } from '@paperline/core/pipeline';
import { embeddingText, embeddingTextHash } from '@paperline/identity';
import { processEmbed, type EmbedDeps } from './process.js';

const ID = 'arxiv:2403.12345';
const PAGE = 'http://127.0.0.1:4567/papers/date/2024-03-20';
const ctx: StageContext = {
  jobId: 'e1',
  attempt: 1,
  log: createLogger({ level: 'silent' }),
  signal: new AbortController().signal,
};

const view = (over: Partial<PaperCandidate> = {}): PaperCandidate => ({
  source: 'hf',
  url: PAGE,
  fetchedAt: '2024-03-20T10:00:00.000Z',
  parserVersion: 'hf-1',
  arxivId: '2403.12345',
  title: 'Looped Transformers',
  abstract: 'Transformers that loop over their own layers.',
  authors: ['Ada Lovelace'],
  authorCount: 1,
  ...over,
});
const hashOf = (v: PaperCandidate) => embeddingTextHash(v);
const job = (textHash: string): EmbedJob => ({ crawlId: 'c1', url: PAGE, id: ID, textHash });

/** The paper cache's contract in memory: a revision per paper; a write on a stale revision loses. */
class FakeCache {
  rev = 1;
  ver = 10;
  views = new Map<SourceId, PaperCandidate>([['hf', view()]]);
  embedding: StoredEmbedding | undefined;
  /** Runs once just before the next attach: another job's write in between. */
  interleave: (() => void) | undefined;

  deps(): EmbedDeps & { embed: ReturnType<typeof vi.fn> } {
    return {
      load: async (): Promise<PaperState> => ({
        rev: String(this.rev),
        views: new Map(this.views),
        firstSeenAt: '2024-03-20T10:00:00.000Z',
        ...(this.embedding ? { embedding: this.embedding } : {}),
      }),
      attach: async (_id, state, embedding) => {
        this.interleave?.();
        this.interleave = undefined;
        if (state.rev !== String(this.rev)) return null;
        this.rev += 1;
        this.ver += 1;
        this.embedding = embedding;
        return this.ver;
      },
      embed: vi.fn(async (text: string) =>
        Float32Array.from({ length: 384 }, (_, i) => (i === text.length % 384 ? 1 : 0)),
      ),
      markEmbedded: vi.fn(async () => undefined),
      now: () => new Date('2024-03-20T12:00:00.000Z'),
    };
  }
}

const indexJobOf = (emit: Array<{ stage: string; payload: unknown }> | undefined) =>
  emit?.find((e) => e.stage === 'index')?.payload as IndexJob | undefined;

describe('processEmbed', () => {
  it('embeds the title and abstract and hands the whole document on at a new merge version', async () => {
    const cache = new FakeCache();
    const deps = cache.deps();
    const res = await processEmbed(job(hashOf(view())), deps, ctx);
    expect(res.outcome).toBe('embedded');
    expect(deps.embed).toHaveBeenCalledWith(embeddingText(view()));
    const index = indexJobOf(res.emit)!;
    expect(index.docs).toHaveLength(1);
    expect(index.docs[0]!.version).toBe(11);
    const doc = JSON.parse(index.docs[0]!.doc as string) as Record<string, unknown>;
    expect(doc).toMatchObject({
      id: ID,
      title: 'Looped Transformers',
      embedding: { textHash: hashOf(view()) },
    });
    expect((doc.embedding as { vector: number[] }).vector).toEqual(Array.from(cache.embedding!.vector));
    expect(deps.markEmbedded).toHaveBeenCalledWith('c1', [ID]);
  });

  it('an older job whose text was replaced since is stale: no vector, no write', async () => {
    const cache = new FakeCache();
    const old = hashOf(view());
    cache.views.set('hf', view({ title: 'Looped Transformers, Revisited' }));
    const deps = cache.deps();
    const res = await processEmbed(job(old), deps, ctx);
    expect(res).toEqual({ outcome: 'stale' });
    expect(deps.embed).not.toHaveBeenCalled();
    expect(cache.embedding).toBeUndefined();
  });

  it('a merge in between makes it read again: the document carries that merge, at a newer version', async () => {
    const cache = new FakeCache();
    cache.interleave = () => {
      cache.views.set(
        'arxiv',
        view({ source: 'arxiv', comments: '12 pages', fetchedAt: '2024-03-20T11:00:00.000Z' }),
      );
      cache.rev += 1;
      cache.ver += 1;
    };
    const deps = cache.deps();
    const res = await processEmbed(job(hashOf(view())), deps, ctx);
    const index = indexJobOf(res.emit)!;
    expect(index.docs[0]!.version).toBe(12);
    expect(JSON.parse(index.docs[0]!.doc as string)).toMatchObject({ comments: '12 pages' });
    expect(deps.embed).toHaveBeenCalledTimes(1); // the vector is computed once
  });

  it('a merge in between that changed the text makes the job stale', async () => {
    const cache = new FakeCache();
    cache.interleave = () => {
      cache.views.set('hf', view({ abstract: 'A new abstract.', fetchedAt: '2024-03-20T11:00:00.000Z' }));
      cache.rev += 1;
    };
    const res = await processEmbed(job(hashOf(view())), cache.deps(), ctx);
    expect(res.outcome).toBe('stale');
    expect(cache.embedding).toBeUndefined();
  });

  it('a re-run after a crash reuses the stored vector and writes again', async () => {
    const cache = new FakeCache();
    const stored = {
      vector: Float32Array.from({ length: 384 }, () => 1 / Math.sqrt(384)),
      textHash: hashOf(view()),
    };
    cache.embedding = stored;
    const deps = cache.deps();
    const res = await processEmbed(job(hashOf(view())), deps, ctx);
    expect(deps.embed).not.toHaveBeenCalled();
    expect(indexJobOf(res.emit)!.docs[0]!.version).toBe(11);
    expect(cache.embedding!.vector).toBe(stored.vector);
  });

  it('a paper no longer known (merged into another id) is stale', async () => {
    const cache = new FakeCache();
    cache.views.clear();
    expect((await processEmbed(job(hashOf(view())), cache.deps(), ctx)).outcome).toBe('stale');
  });
});
