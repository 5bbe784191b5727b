import { PaperCandidateSchema } from '@paperline/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BASES, FETCHED_AT } from '../test-support.js';
import { entryToCandidate, isoDate, paperSource } from './entry.js';

const HF_EXTRAS = [
  'githubRepo',
  'githubStars',
  'organization',
  'aiSummary',
  'linkedModelCount',
  'linkedDatasetCount',
  'linkedSpaceCount',
];
const ctx = { url: 'https://huggingface.co/papers/date/2024-02-22', fetchedAt: FETCHED_AT, bases: BASES };
const map = (item: unknown) => entryToCandidate(paperSource(item, 'dailyPapers[0]', ctx.url), ctx);

describe('entryToCandidate', () => {
  it('needs only an id and a title (docs/sources.md#edge-cases-the-parsers-handle: everything else may be absent)', () => {
    const c = map({
      paper: { id: '2402.13572', title: 'On the Expressive Power of a Variant of the Looped Transformer' },
    });
    expect(c).toEqual({
      source: 'hf',
      url: ctx.url,
      fetchedAt: FETCHED_AT,
      parserVersion: 'hf-2',
      arxivId: '2402.13572',
      title: 'On the Expressive Power of a Variant of the Looped Transformer',
      authors: [],
      authorCount: 0,
      codeUrls: [],
      links: {
        hf: 'https://huggingface.co/papers/2402.13572',
        abs: 'https://arxiv.org/abs/2402.13572',
        pdf: 'https://arxiv.org/pdf/2402.13572',
      },
      withdrawn: false,
    });
    expect(PaperCandidateSchema.safeParse(c).success).toBe(true);
  });

  it('accepts null for every optional field', () => {
    const c = map({
      paper: {
        id: '2402.13572',
        title: 'T',
        summary: null,
        authors: null,
        publishedAt: null,
        upvotes: null,
        ai_keywords: null,
        githubRepo: null,
        projectPage: null,
        withdrawnAt: null,
        organization: null,
        mediaUrls: null,
        githubStars: null,
        ai_summary: null,
        linkedModels: null,
        numTotalModels: null,
      },
      title: null,
      summary: null,
    });
    expect(PaperCandidateSchema.safeParse(c).success).toBe(true);
    expect(c.withdrawn).toBe(false);
    expect(c.abstract).toBeUndefined();
    for (const f of HF_EXTRAS) expect(c, f).not.toHaveProperty(f);
  });

  it('never fails a record over any JSON value in the optional HF fields', () => {
    const key = fc.constantFrom(
      'githubRepo',
      'githubStars',
      'organization',
      'ai_summary',
      'linkedModels',
      'numTotalModels',
      'linkedDatasets',
      'numTotalDatasets',
      'linkedSpaces',
      'numTotalSpaces',
    );
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.jsonValue()),
        fc.option(fc.jsonValue(), { nil: undefined }),
        (extra, org) => {
          const c = map({ paper: { id: '2402.14905', title: 'T', ...extra }, organization: org });
          const result = PaperCandidateSchema.safeParse(c);
          expect(result.success, JSON.stringify(result.error?.issues[0])).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads the repository with its stars, organization, AI summary and linked counts', () => {
    const c = map({
      paper: {
        id: '2402.14905',
        title: 'T',
        githubRepo: 'https://github.com/FacebookResearch/MobileLLM.git',
        githubStars: 1302,
        ai_summary: '  MobileLLM  shows\n depth matters. ',
        organization: { _id: 'x', name: 'facebook', fullname: ' AI at Meta ', avatar: 'a.png' },
        linkedModels: [{ id: 'facebook/MobileLLM-125M' }, { id: 'facebook/MobileLLM-350M' }],
        linkedDatasets: [],
        numTotalSpaces: 3,
      },
    });
    expect(c).toMatchObject({
      githubRepo: 'https://github.com/FacebookResearch/MobileLLM', // canonical: .git dropped, case kept
      githubStars: 1302,
      aiSummary: 'MobileLLM shows depth matters.',
      organization: { name: 'facebook', fullname: 'AI at Meta' },
      linkedModelCount: 2,
      linkedDatasetCount: 0,
      linkedSpaceCount: 3,
    });
    expect(PaperCandidateSchema.safeParse(c).success).toBe(true);
  });

  it("takes the entry's organization when the paper has none", () => {
    const c = map({ paper: { id: '2402.14905', title: 'T' }, organization: { name: 'facebook' } });
    expect(c.organization).toEqual({ name: 'facebook' });
  });

  it.each([
    ['stars as a string', { githubRepo: 'https://github.com/a/b', githubStars: '12' }, 'githubStars'],
    ['negative stars', { githubRepo: 'https://github.com/a/b', githubStars: -1 }, 'githubStars'],
    ['fractional stars', { githubRepo: 'https://github.com/a/b', githubStars: 1.5 }, 'githubStars'],
    ['stars without a repository', { githubStars: 12 }, 'githubStars'],
    ['a repository that is not GitHub', { githubRepo: 'https://gitlab.com/a/b' }, 'githubRepo'],
    ['an organization without a name', { organization: { fullname: 'Lab' } }, 'organization'],
    ['an organization that is a string', { organization: 'facebook' }, 'organization'],
    ['a blank ai_summary', { ai_summary: ' \n ' }, 'aiSummary'],
    ['ai_summary as a number', { ai_summary: 3 }, 'aiSummary'],
    ['counts that are not counts', { numTotalModels: -2, linkedModels: 'many' }, 'linkedModelCount'],
  ])('leaves out %s', (_, fields, field) => {
    const c = map({ paper: { id: '2402.14905', title: 'T', ...fields } });
    expect(c).not.toHaveProperty(field);
    expect(PaperCandidateSchema.safeParse(c).success).toBe(true);
  });

  it("falls back to the entry's copies of title and summary", () => {
    const c = map({
      paper: { id: '2402.13572', title: '', summary: '  ' },
      title: 'Entry title',
      summary: 'Entry\nsummary',
    });
    expect(c.title).toBe('Entry title');
    expect(c.abstract).toBe('Entry summary');
  });

  it('reads flat search results (a paper without an Entry around it)', () => {
    const c = map({ id: '2412.04703', title: 'Transformers Struggle to Learn to Search', upvotes: 14 });
    expect(c.arxivId).toBe('2412.04703');
    expect(c.upvotes).toBe(14);
  });

  it('drops values of the wrong kind rather than inventing them', () => {
    const c = map({
      paper: {
        id: '2402.13572',
        title: 'T',
        upvotes: -3,
        publishedAt: 'yesterday',
        projectPage: 'javascript:alert(1)',
        githubRepo: 'https://gitlab.com/foo/bar',
        ai_keywords: ['x', 3, null, ' X '],
        authors: [{ name: 'Ann Lee', hidden: true }, { name: 42 }, null, 'Bo Li', { hidden: false }],
      },
    });
    expect(c.upvotes).toBeUndefined();
    expect(c.publishedAt).toBeUndefined();
    expect(c.links?.project).toBeUndefined();
    expect(c.codeUrls).toEqual([]);
    expect(c.keywords).toEqual(['x']);
    expect(c.authors).toEqual(['Ann Lee', 'Bo Li']);
    expect(c.authorCount).toBe(2);
    expect(map({ paper: { id: '2402.13572', title: 'T', upvotes: 2.5 } }).upvotes).toBeUndefined();
  });

  it('keeps non-arXiv ids without arXiv links', () => {
    const c = map({ paper: { id: 'acl-2024.long.12', title: 'T' } });
    expect(c.arxivId).toBeUndefined();
    expect(c.links).toEqual({ hf: 'https://huggingface.co/papers/acl-2024.long.12' });
  });

  it('normalises publishedAt to ISO 8601 UTC', () => {
    expect(isoDate('2025-09-04T21:26:31.000Z')).toBe('2025-09-04T21:26:31.000Z');
    expect(isoDate('2025-09-04T23:26:31+02:00')).toBe('2025-09-04T21:26:31.000Z');
    expect(isoDate('2024-02-21')).toBe('2024-02-21T00:00:00.000Z');
    expect(isoDate('+275760-09-13T00:00:00.000Z')).toBeUndefined();
    expect(isoDate(1708499274000)).toBeUndefined();
    expect(isoDate('')).toBeUndefined();
  });

  it('throws for an item without a paper', () => {
    expect(() => map('2402.13572')).toThrow(/dailyPapers\[0\] is not an object/);
    expect(() => map({ title: 'T' })).toThrow(/dailyPapers\[0\] has no paper object/);
    expect(() => map({ paper: { id: '  ', title: 'T' } })).toThrow(/dailyPapers\[0\] has no paper id/);
  });
});
