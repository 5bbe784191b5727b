import { describe, expect, it } from 'vitest';
import { PaperRecordSchema } from '@paperline/contracts';
import { paperRow } from './paper-row.js';
import { PAPER_PARQUET_COLUMNS, PAPER_PARQUET_SCHEMA } from './parquet-schema.js';

/** A stored paper with every optional field (as `get` returns it, plus its vector). */
const full = {
  id: 'arxiv:2402.13572',
  arxivId: '2402.13572',
  arxivVersion: 2,
  doi: '10.1000/xyz',
  title: 'On the Expressive Power of a Variant of the Looped Transformer',
  abstract: 'Besides natural language processing, transformers exhibit…',
  authors: ['Yihang Gao', 'Chuanyang Zheng'],
  authorCount: 2,
  publishedAt: '2024-02-21T06:00:00.000Z',
  categories: ['cs.LG', 'cs.AI'],
  keywords: ['looped transformer'],
  upvotes: 12,
  codeUrls: ['https://github.com/example/algoformer'],
  links: { abs: 'https://arxiv.org/abs/2402.13572', hf: 'https://huggingface.co/papers/2402.13572' },
  versions: [
    { version: 1, submittedAt: '2024-02-21T06:00:00Z', sizeKb: 512 },
    { version: 2, submittedAt: '2024-03-01T10:30:00.250Z' },
  ],
  license: 'http://creativecommons.org/licenses/by/4.0/',
  journalRef: 'ICML 2024',
  comments: '12 pages, 3 figures',
  githubRepo: 'https://github.com/example/algoformer',
  githubStars: 345,
  organization: { name: 'facebook', fullname: 'AI at Meta' },
  aiSummary: 'A looped transformer variant…',
  linkedModelCount: 3,
  linkedDatasetCount: 0,
  linkedSpaceCount: 1,
  sources: [
    {
      source: 'arxiv',
      url: 'https://arxiv.org/abs/2402.13572',
      fetchedAt: '2024-03-02T00:00:00.000Z',
      parserVersion: 'arxiv-2',
    },
    {
      source: 'hf',
      url: 'https://huggingface.co/papers/2402.13572',
      fetchedAt: '2024-03-03T00:00:00.000Z',
      parserVersion: 'hf-2',
    },
  ],
  withdrawn: false,
  firstSeenAt: '2024-02-22T10:00:00.000Z',
  updatedAt: '2024-03-03T00:00:01.000Z',
  contentHash: 'c0ffee',
  parserVersion: 'arxiv-2+hf-2',
  embedding: { vector: [0.5, -0.25], textHash: 'a'.repeat(64) },
};

/** The least a stored paper has: no optional field at all. */
const minimal = {
  id: 'title:0123456789abcdef01234567',
  title: 'A paper seen on one listing',
  authors: [],
  authorCount: 0,
  categories: [],
  keywords: [],
  codeUrls: [],
  links: {},
  sources: [
    {
      source: 'hf',
      url: 'https://huggingface.co/papers/date/2024-02-21',
      fetchedAt: '2024-02-22T10:00:00.000Z',
      parserVersion: 'hf-2',
    },
  ],
  withdrawn: false,
  firstSeenAt: '2024-02-22T10:00:00.000Z',
  updatedAt: '2024-02-22T10:00:00.000Z',
  contentHash: 'beef',
  parserVersion: 'hf-2',
};

describe('the Parquet layout', () => {
  it('has a column for every field of the record schema, in its order, and nothing else', () => {
    expect(PAPER_PARQUET_COLUMNS).toEqual(Object.keys(PaperRecordSchema.shape));
  });

  it('declares as many top-level children as it has columns', () => {
    expect(PAPER_PARQUET_SCHEMA[0]).toMatchObject({ num_children: PAPER_PARQUET_COLUMNS.length });
  });
});

describe('paperRow', () => {
  it('maps every field of a full record: times to Dates, counts to numbers, lists and groups kept', () => {
    const row = paperRow(full);
    expect(Object.keys(row)).toEqual(PAPER_PARQUET_COLUMNS);
    expect(row).toMatchObject({
      id: 'arxiv:2402.13572',
      arxivVersion: 2,
      authors: ['Yihang Gao', 'Chuanyang Zheng'],
      publishedAt: new Date('2024-02-21T06:00:00.000Z'),
      links: {
        abs: 'https://arxiv.org/abs/2402.13572',
        pdf: null,
        hf: 'https://huggingface.co/papers/2402.13572',
        project: null,
      },
      versions: [
        { version: 1, submittedAt: new Date('2024-02-21T06:00:00Z'), sizeKb: 512 },
        { version: 2, submittedAt: new Date('2024-03-01T10:30:00.250Z'), sizeKb: null },
      ],
      organization: { name: 'facebook', fullname: 'AI at Meta' },
      githubStars: 345,
      linkedDatasetCount: 0,
      sources: [
        { source: 'arxiv', fetchedAt: new Date('2024-03-02T00:00:00.000Z'), parserVersion: 'arxiv-2' },
        { source: 'hf', fetchedAt: new Date('2024-03-03T00:00:00.000Z'), parserVersion: 'hf-2' },
      ],
      withdrawn: false,
      updatedAt: new Date('2024-03-03T00:00:01.000Z'),
      embedding: { textHash: 'a'.repeat(64), vector: [0.5, -0.25] },
    });
  });

  it('gives null for every absent optional field, and keeps the required ones', () => {
    const row = paperRow(minimal);
    const optional = [
      'arxivId',
      'arxivVersion',
      'doi',
      'abstract',
      'publishedAt',
      'upvotes',
      'versions',
      'license',
      'journalRef',
      'comments',
      'githubRepo',
      'githubStars',
      'organization',
      'aiSummary',
      'linkedModelCount',
      'linkedDatasetCount',
      'linkedSpaceCount',
      'embedding',
    ];
    for (const f of optional) expect(row[f], f).toBeNull();
    expect(row).toMatchObject({
      authors: [],
      links: { abs: null, pdf: null, hf: null, project: null },
      firstSeenAt: new Date('2024-02-22T10:00:00.000Z'),
    });
  });

  it('a vector left out of the read (no --with-vectors) is a null vector beside the text hash', () => {
    expect(paperRow({ ...full, embedding: { textHash: 'b'.repeat(64) } }).embedding).toEqual({
      textHash: 'b'.repeat(64),
      vector: null,
    });
  });

  it('an organization without a full name keeps its name', () => {
    expect(paperRow({ ...full, organization: { name: 'google' } }).organization).toEqual({
      name: 'google',
      fullname: null,
    });
  });

  it.each([
    ['a required field missing', { title: undefined }, 'title is missing'],
    ['a time that is not one', { updatedAt: 'yesterday' }, 'updatedAt is not a time'],
    ['a count that is not whole', { upvotes: 1.5 }, 'upvotes is not a 32-bit whole number'],
    ['a count too large for INT32', { githubStars: 2 ** 31 }, 'githubStars is not a 32-bit whole number'],
    ['a list of the wrong things', { authors: ['A', 3] }, 'authors holds something other than strings'],
    ['a nested field wrong', { versions: [{ version: 'v1' }] }, 'versions[0].version is not a 32-bit'],
    [
      'a source without its time',
      { sources: [{ source: 'hf', url: 'u', parserVersion: 'hf-2' }] },
      'sources[0].fetchedAt is missing',
    ],
    ['an object where a string belongs', { doi: { x: 1 } }, 'doi is not a string'],
  ])('refuses %s, naming the paper and the field (INVALID_RECORD)', (_what, patch, message) => {
    const doc = { ...full, ...patch };
    expect(() => paperRow(doc)).toThrow(
      expect.objectContaining({
        code: 'INVALID_RECORD',
        message: expect.stringContaining(`paper arxiv:2402.13572: ${message}`),
      }),
    );
  });
});
