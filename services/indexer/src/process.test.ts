import { describe, expect, it } from 'vitest';
import { PaperlineError, type Change, type IndexJob } from '@paperline/contracts';
import type { BulkOutcome, DeleteOutcome, PaperDelete } from '@paperline/core/es';
import { createLogger } from '@paperline/core/process';
import type { StageContext } from '@paperline/core/pipeline';
import { processIndex, type IndexDeps } from './process.js';

const ctx: StageContext = {
  jobId: 'j1',
  attempt: 1,
  log: createLogger({ level: 'silent' }),
  signal: new AbortController().signal,
};

/** Deps answering the given outcomes, recording what the job did and in which order. */
function fakes(
  outcomes: Record<string, BulkOutcome['result']>,
  removed: Record<string, DeleteOutcome['result']> = {},
) {
  const calls: string[] = [];
  const changes: Change[] = [];
  const deleted: PaperDelete[] = [];
  const pages: Array<{ url: string; paperIds: string[] } | undefined> = [];
  const deps: IndexDeps = {
    bulk: async (items, page) => {
      calls.push('bulk');
      pages.push(page);
      return items.map((i): BulkOutcome => {
        const result = outcomes[i.id] ?? 'written';
        return result === 'written' || result === 'superseded'
          ? { id: i.id, result }
          : { id: i.id, result, status: result === 'retry' ? 429 : 400, reason: 'no' };
      });
    },
    remove: async (ds) => {
      calls.push('remove');
      deleted.push(...ds);
      return ds.map((d) => ({ id: d.id, result: removed[d.id] ?? 'deleted' }));
    },
    appendChanges: async (cs) => {
      calls.push('append');
      changes.push(...cs);
      return cs.length;
    },
    markWritten: async () => void calls.push('markWritten'),
    invalidate: async () => void calls.push('invalidate'),
    nowMicros: () => 555,
  };
  return { deps, calls, changes, deleted, pages };
}

const doc = (id: string, version: number, withdrawnReason?: string): IndexJob['docs'][number] => ({
  id,
  version,
  doc: `{"id":"${id}"}`,
  ...(withdrawnReason ? { withdrawnReason } : {}),
});
const job = (docs: IndexJob['docs'], deletes?: IndexJob['deletes']): IndexJob => ({
  crawlId: 'c1',
  url: 'https://huggingface.co/papers/date/2024-03-20',
  docs,
  ...(deletes ? { deletes } : {}),
});

describe('processIndex and the change feed', () => {
  it('appends what Elasticsearch took, after the writes and before the job is booked done', async () => {
    const f = fakes({ 'arxiv:2': 'superseded' });
    await processIndex(
      job(
        [doc('arxiv:1', 10), doc('arxiv:2', 20), doc('arxiv:3', 30, 'withdrawn on arxiv')],
        [{ id: 'title:t', into: 'arxiv:1', version: 10 }],
      ),
      f.deps,
      ctx,
    );
    expect(f.calls).toEqual(['bulk', 'remove', 'append', 'markWritten']);
    expect(f.deleted).toEqual([{ id: 'title:t', version: 10 }]);
    expect(f.changes).toEqual([
      { id: 'arxiv:1', op: 'upsert', version: 10 },
      // Superseded: a newer version is there; the feed's guard keeps only the newest per paper.
      { id: 'arxiv:2', op: 'upsert', version: 20 },
      { id: 'arxiv:3', op: 'withdrawn', version: 30, reason: 'withdrawn on arxiv' },
      { id: 'title:t', op: 'deleted', version: 10, reason: 'merged into arxiv:1' },
    ]);
  });

  it('appends the written ones of a failing job, and none of the failed or pushed-back ones', async () => {
    const f = fakes({ 'arxiv:2': 'failed', 'arxiv:3': 'retry' });
    const err = await processIndex(
      job([doc('arxiv:1', 1), doc('arxiv:2', 2), doc('arxiv:3', 3)]),
      f.deps,
      ctx,
    ).catch((e: unknown) => e);
    expect((err as PaperlineError).code).toBe('INDEX_ITEM_FAILED');
    expect(f.changes.map((c) => c.id)).toEqual(['arxiv:1']);
  });

  it('a delete gets its tombstone even when the document is gone or as new (a re-run after a crash)', async () => {
    const f = fakes({}, { 'title:a': 'missing', 'title:b': 'superseded' });
    await processIndex(
      job(
        [],
        [
          { id: 'title:a', into: 'arxiv:1', version: 7 },
          { id: 'title:b', into: 'arxiv:2', version: 8 },
        ],
      ),
      f.deps,
      ctx,
    );
    // The feed's guard drops a tombstone older than the paper's last entry.
    expect(f.changes).toEqual([
      { id: 'title:a', op: 'deleted', version: 7, reason: 'merged into arxiv:1' },
      { id: 'title:b', op: 'deleted', version: 8, reason: 'merged into arxiv:2' },
    ]);
  });

  it("hands the page's paper list to the bulk write, which records it with the documents", async () => {
    const f = fakes({});
    await processIndex({ ...job([doc('arxiv:1', 1)]), pagePaperIds: ['arxiv:1', 'arxiv:9'] }, f.deps, ctx);
    expect(f.pages).toEqual([{ url: job([]).url, paperIds: ['arxiv:1', 'arxiv:9'] }]);
    // A job without one (queued by an older deduplicator, or the embedder's) writes documents only.
    await processIndex(job([doc('arxiv:2', 2)]), f.deps, ctx);
    expect(f.pages[1]).toBeUndefined();
  });

  it('a bare id enqueued before deletes had versions is deleted as before, its tombstone on the clock', async () => {
    const f = fakes({});
    await processIndex(job([], ['title:old']), f.deps, ctx);
    expect(f.deleted).toEqual([{ id: 'title:old' }]);
    expect(f.changes).toEqual([
      { id: 'title:old', op: 'deleted', version: 555, reason: 'merged into another paper' },
    ]);
  });
});
