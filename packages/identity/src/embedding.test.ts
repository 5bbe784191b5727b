import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { embeddingText, embeddingTextHash } from './embedding.js';

describe('embeddingText', () => {
  it('is the title, a newline and the abstract; the title alone without one', () => {
    expect(embeddingText({ title: 'Looped Transformers', abstract: 'They loop.' })).toBe(
      'Looped Transformers\nThey loop.',
    );
    expect(embeddingText({ title: 'Looped Transformers' })).toBe('Looped Transformers');
    expect(embeddingText({ title: 'Looped Transformers', abstract: '' })).toBe('Looped Transformers');
  });

  it('hashes that text: a change of title or abstract changes the hash, nothing else does', () => {
    const paper = { title: 'Looped Transformers', abstract: 'They loop.' };
    expect(embeddingTextHash(paper)).toBe(
      createHash('sha256').update('Looped Transformers\nThey loop.').digest('hex'),
    );
    expect(embeddingTextHash({ ...paper, upvotes: 9 } as typeof paper)).toBe(embeddingTextHash(paper));
    expect(embeddingTextHash({ ...paper, abstract: 'They loop twice.' })).not.toBe(embeddingTextHash(paper));
    expect(embeddingTextHash({ ...paper, title: 'Looped Transformer' })).not.toBe(embeddingTextHash(paper));
  });
});
