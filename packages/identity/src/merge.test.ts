import { describe, expect, it } from 'vitest';
import type { PaperCandidate } from '@paperline/contracts';
import fc from 'fast-check';
import {
  buildRecord,
  canonicalId,
  combineSameSource,
  contentHash,
  identityKeys,
  mergeContent,
  stableStringify,
  storedDocument,
  storedView,
  withdrawalReason,
  type StoredSourceRef,
} from './merge.js';
import { titleFingerprint } from './fingerprint.js';

const hf: PaperCandidate = {
  source: 'hf',
  url: 'https://huggingface.co/papers/date/2024-02-21',
  fetchedAt: '2024-02-22T10:00:00.000Z',
  parserVersion: 'hf-1',
  arxivId: '2402.13572',
  title: 'On the Expressive Power of a Variant of the Looped Transformer',
  abstract: 'HF copy of the abstract.',
  authors: ['Yihang Gao', 'Chuanyang Zheng'],
  authorCount: 2,
  publishedAt: '2024-02-21T06:00:00.000Z',
  upvotes: 12,
  keywords: ['looped transformer'],
  codeUrls: ['https://github.com/example/algoformer'],
  links: { hf: 'https://huggingface.co/papers/2402.13572', project: 'https://example.org/algoformer' },
};

const arxiv: PaperCandidate = {
  source: 'arxiv',
  url: 'https://arxiv.org/abs/2402.13572',
  fetchedAt: '2024-02-21T10:00:00.000Z',
  parserVersion: 'arxiv-1',
  arxivId: '2402.13572',
  arxivVersion: 2,
  doi: '10.48550/arXiv.2402.13572',
  title: 'On the Expressive Power of a Variant of the Looped Transformer',
  abstract: 'arXiv abstract.',
  authors: ['Yihang Gao', 'Chuanyang Zheng', 'Enze Xie'],
  authorCount: 3,
  publishedAt: '2024-02-21T00:00:00.000Z',
  categories: ['cs.LG', 'cs.AI'],
  links: { abs: 'https://arxiv.org/abs/2402.13572', pdf: 'https://arxiv.org/pdf/2402.13572' },
};

describe('identity', () => {
  it('prefers the arXiv id, then a DOI, then the title fingerprint', () => {
    expect(canonicalId(identityKeys(hf))).toBe('arxiv:2402.13572');
    expect(canonicalId(identityKeys({ title: 'X', doi: '10.1145/ABC' }))).toBe('doi:10.1145/abc');
    expect(canonicalId(identityKeys({ title: 'X', doi: '10.48550/arXiv.2402.13572' }))).toBe(
      'arxiv:2402.13572',
    );
    expect(canonicalId(identityKeys({ title: 'Some  Title' }))).toBe(
      `title:${titleFingerprint('some title')}`,
    );
  });
  it('fingerprints ignore case, accents, punctuation and wrapping', () => {
    expect(titleFingerprint('Café:  a\n Study')).toBe(titleFingerprint('cafe a study'));
  });
});

describe('merge precedence (docs/record-schema.md#merging)', () => {
  const m = mergeContent([hf, arxiv]);
  it('takes title, abstract, authors, categories, DOI from arXiv', () => {
    expect(m.abstract).toBe('arXiv abstract.');
    expect(m.authors).toEqual(arxiv.authors);
    expect(m.authorCount).toBe(3);
    expect(m.categories).toEqual(['cs.LG', 'cs.AI']);
    expect(m.doi).toBe('10.48550/arxiv.2402.13572');
    expect(m.arxivVersion).toBe(2);
  });
  it('takes upvotes, keywords, code and project links from Hugging Face', () => {
    expect(m.upvotes).toBe(12);
    expect(m.keywords).toEqual(['looped transformer']);
    expect(m.codeUrls).toEqual(['https://github.com/example/algoformer']);
    expect(m.links).toEqual({
      abs: 'https://arxiv.org/abs/2402.13572',
      pdf: 'https://arxiv.org/pdf/2402.13572',
      hf: 'https://huggingface.co/papers/2402.13572',
      project: 'https://example.org/algoformer',
    });
  });
  it('the newest fetch wins within one source', () => {
    const later = { ...hf, fetchedAt: '2024-02-23T00:00:00.000Z', upvotes: 40 };
    expect(mergeContent([later, hf]).upvotes).toBe(40);
    expect(mergeContent([hf, later]).upvotes).toBe(40);
  });
  it('the content hash ignores provenance and order', () => {
    const again = {
      ...hf,
      fetchedAt: '2030-01-01T00:00:00.000Z',
      url: 'https://huggingface.co/papers/date/2024-02-22',
    };
    expect(contentHash(mergeContent([arxiv, again]))).toBe(contentHash(m));
    expect(contentHash(mergeContent([{ ...hf, upvotes: 13 }, arxiv]))).not.toBe(contentHash(m));
  });
  it('builds a full record with one source entry per source', () => {
    const r = buildRecord('arxiv:2402.13572', [hf, arxiv], {
      firstSeenAt: '2024-02-21T11:00:00.000Z',
      updatedAt: '2024-02-22T11:00:00.000Z',
    });
    expect(r.sources.map((s) => s.source)).toEqual(['arxiv', 'hf']);
    expect(r.parserVersion).toBe('arxiv-1+hf-1');
    expect(r.contentHash).toBe(contentHash(m));
    expect(r.withdrawn).toBe(false);
  });
  it('says which sources withdrew a paper, and nothing for one that is not withdrawn', () => {
    const times = { firstSeenAt: '2024-02-21T11:00:00.000Z', updatedAt: '2024-02-22T11:00:00.000Z' };
    expect(withdrawalReason(buildRecord('arxiv:2402.13572', [hf, arxiv], times))).toBeUndefined();
    const one = buildRecord('arxiv:2402.13572', [hf, { ...arxiv, withdrawn: true }], times);
    expect(withdrawalReason(one)).toBe('withdrawn on arxiv');
    const both = buildRecord(
      'arxiv:2402.13572',
      [
        { ...hf, withdrawn: true },
        { ...arxiv, withdrawn: true },
      ],
      times,
    );
    expect(withdrawalReason(both)).toBe('withdrawn on arxiv and hf');
  });
});

describe('merge of the optional fields (docs/record-schema.md#merging)', () => {
  const hfExtra: PaperCandidate = {
    ...hf,
    githubRepo: 'https://github.com/example/algoformer',
    githubStars: 57,
    organization: { name: 'example-lab', fullname: 'Example Lab' },
    aiSummary: 'AlgoFormer is a looped transformer.',
    linkedModelCount: 2,
    linkedDatasetCount: 0,
    linkedSpaceCount: 1,
    // HF never gives these; were it to, arXiv would still win.
    comments: 'HF comment',
  };
  const arxivExtra: PaperCandidate = {
    ...arxiv,
    versions: [
      { version: 1, submittedAt: '2024-02-21T06:42:19.000Z', sizeKb: 1520 },
      { version: 2, submittedAt: '2024-03-01T10:00:00.000Z' },
    ],
    license: 'http://creativecommons.org/licenses/by/4.0/',
    journalRef: 'ICML 2024',
    comments: '12 pages',
  };

  it('takes versions, licence, journal reference and comments from arXiv', () => {
    const m = mergeContent([hfExtra, arxivExtra]);
    expect(m.versions).toEqual(arxivExtra.versions);
    expect(m.license).toBe(arxivExtra.license);
    expect(m.journalRef).toBe('ICML 2024');
    expect(m.comments).toBe('12 pages');
  });
  it('takes the repository, stars, organization, summary and linked counts from Hugging Face', () => {
    const m = mergeContent([arxivExtra, hfExtra]);
    expect(m).toMatchObject({
      githubRepo: 'https://github.com/example/algoformer',
      githubStars: 57,
      organization: { name: 'example-lab', fullname: 'Example Lab' },
      aiSummary: 'AlgoFormer is a looped transformer.',
      linkedModelCount: 2,
      linkedDatasetCount: 0,
      linkedSpaceCount: 1,
    });
  });
  it('falls back to the other source, and leaves out what no source has', () => {
    expect(mergeContent([{ ...arxivExtra, comments: undefined }, hfExtra]).comments).toBe('HF comment');
    const plain = mergeContent([hf, arxiv]);
    for (const f of ['versions', 'license', 'journalRef', 'comments', 'githubStars', 'organization'])
      expect(f in plain, f).toBe(false);
  });
  it('a changed star count or a new version changes the content hash; absent fields hash as before', () => {
    const base = contentHash(mergeContent([hfExtra, arxivExtra]));
    expect(contentHash(mergeContent([{ ...hfExtra, githubStars: 58 }, arxivExtra]))).not.toBe(base);
    const v3 = [...arxivExtra.versions!, { version: 3 }];
    expect(contentHash(mergeContent([hfExtra, { ...arxivExtra, versions: v3 }]))).not.toBe(base);
    expect(contentHash(mergeContent([{ ...hf, githubStars: undefined }, arxiv]))).toBe(
      contentHash(mergeContent([hf, arxiv])),
    );
  });
  it('a newer view of one source without the field keeps the older value', () => {
    const later = { ...hf, fetchedAt: '2024-03-01T00:00:00.000Z' };
    const m = mergeContent([combineSameSource(hfExtra, later), arxiv]);
    expect(m.githubStars).toBe(57);
  });
});

describe('a document as stored (docs/record-schema.md#stored-source-views)', () => {
  const times = { firstSeenAt: '2024-02-21T10:00:00.000Z', updatedAt: '2024-02-22T10:00:00.000Z' };
  const stored = (partials: PaperCandidate[]) => {
    const record = buildRecord('arxiv:2402.13572', partials, times);
    const json = storedDocument(record);
    type Stored = Record<string, unknown> & { sources: Array<{ record: Record<string, unknown> }> };
    return { record, json, doc: JSON.parse(json) as Stored };
  };

  it('gives back every source view whole', () => {
    const { record, doc } = stored([hf, arxiv]);
    expect(doc.sources.map((s) => storedView(doc, s.record))).toEqual(
      (record.sources as StoredSourceRef[]).map((s) => s.record),
    );
  });

  it('leaves out what a view shares with the record and keeps what it does not', () => {
    const { doc } = stored([hf, arxiv]);
    const [arxivView, hfView] = doc.sources.map((s) => s.record as Record<string, unknown>);
    // arXiv wins the title and the abstract: its view shares them, the HF view keeps its own.
    expect(arxivView).not.toHaveProperty('abstract');
    expect(arxivView!.$shared).toEqual(expect.arrayContaining(['title', 'abstract', 'authors']));
    expect(hfView!.abstract).toBe('HF copy of the abstract.');
    expect(hfView!.$shared).toEqual(expect.arrayContaining(['upvotes', 'keywords', 'codeUrls']));
    // The HF links are not the record's (it takes the abstract and PDF links from arXiv).
    expect(hfView!.$shared).not.toContain('links');
    expect(hfView!.links).toEqual(hf.links);
  });

  it('stores a one-source paper without its text twice', () => {
    const { record, json, doc } = stored([hf]);
    expect(doc.sources[0]!.record.$shared).toEqual(expect.arrayContaining(['links', 'authors', 'title']));
    expect(json.split(hf.abstract!).length - 1).toBe(1);
    expect(json.length).toBeLessThan(JSON.stringify(record).length);
  });

  it('reads a view stored whole, as documents written before were', () => {
    const { record } = stored([hf]);
    const whole = JSON.parse(JSON.stringify(record)) as Record<string, unknown> & {
      sources: Array<{ record: Record<string, unknown> }>;
    };
    expect(storedView(whole, whole.sources[0]!.record)).toEqual(hf);
  });
});

describe('stableStringify', () => {
  // The implementation content hashes were first computed with: hashes in the index must not move.
  const reference = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
    if (v && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${reference(x)}`).join(',')}}`;
    }
    return JSON.stringify(v);
  };

  it('is JSON with sorted keys, byte for byte what it always was', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.dictionary(fc.string(), fc.option(fc.string(), { nil: undefined })),
        (j, d) => {
          expect(stableStringify(j)).toBe(reference(j));
          expect(stableStringify({ d, j, é: 1, Z: [d] })).toBe(reference({ d, j, é: 1, Z: [d] }));
        },
      ),
      { numRuns: 300 },
    );
    expect(stableStringify({ b: 1, a: [1, { d: undefined, c: 'x' }] })).toBe('{"a":[1,{"c":"x"}],"b":1}');
  });
});
