import { describe, expect, it } from 'vitest';
import { FetchJobSchema, IndexJobSchema } from './jobs.js';

describe('IndexJobSchema', () => {
  const base = { crawlId: 'c1', url: 'https://huggingface.co/papers/date/2024-03-20' };

  it('takes a document as an object or as its serialized JSON', () => {
    const doc = { id: 'arxiv:2403.12345', title: 'T' };
    expect(IndexJobSchema.parse({ ...base, docs: [{ id: doc.id, version: 7, doc }] }).docs[0]!.doc).toEqual(
      doc,
    );
    const json = JSON.stringify(doc);
    expect(
      IndexJobSchema.parse({ ...base, docs: [{ id: doc.id, version: 7, doc: json }] }).docs[0]!.doc,
    ).toBe(json);
  });

  it('names the item and field of a document that is neither', () => {
    const r = IndexJobSchema.safeParse({ ...base, docs: [{ id: 'arxiv:1', version: 1, doc: 'not json' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['docs', 0, 'doc']);
    const n = IndexJobSchema.safeParse({ ...base, docs: [{ id: 'arxiv:1', version: 1, doc: 42 }] });
    expect(n.success).toBe(false);
  });
});

describe('IndexJobSchema deletes', () => {
  const base = { crawlId: 'c1', url: 'https://huggingface.co/papers/date/2024-03-20', docs: [] };

  it('carries the surviving paper and the merge version of each delete', () => {
    const d = { id: 'title:abc', into: 'arxiv:2403.12345', version: 1_796_534_207_225_123 };
    expect(IndexJobSchema.parse({ ...base, deletes: [d] }).deletes).toEqual([d]);
  });

  it('still takes the bare ids enqueued before deletes carried a version', () => {
    expect(IndexJobSchema.parse({ ...base, deletes: ['title:abc'] }).deletes).toEqual(['title:abc']);
  });

  it('refuses a delete that lacks its version', () => {
    const r = IndexJobSchema.safeParse({ ...base, deletes: [{ id: 'title:abc', into: 'arxiv:1' }] });
    expect(r.success).toBe(false);
  });
});

describe('FetchJobSchema', () => {
  const base = { crawlId: 'c1', url: 'https://huggingface.co/papers/date/2024-03-20', depth: 1 };

  it('carries the route decided when the URL was enqueued', () => {
    const route = { source: 'hf', type: 'hf-daily', period: { kind: 'day', value: '2024-03-20' } } as const;
    expect(FetchJobSchema.parse({ ...base, route }).route).toEqual(route);
  });

  it('still takes a job enqueued before routes travelled with jobs', () => {
    expect(FetchJobSchema.parse(base).route).toBeUndefined();
  });

  it('names the field of a route that is not one', () => {
    const r = FetchJobSchema.safeParse({ ...base, route: { source: 'hf', type: 'hf-nothing' } });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['route', 'type']);
    const p = FetchJobSchema.safeParse({
      ...base,
      route: { source: 'hf', type: 'hf-daily', period: { kind: 'day', value: 'yesterday' } },
    });
    expect(p.error!.issues[0]!.path).toEqual(['route', 'period', 'value']);
  });
});
