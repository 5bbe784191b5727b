import { describe, expect, it } from 'vitest';
import { IndexJobSchema } from './jobs.js';

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
