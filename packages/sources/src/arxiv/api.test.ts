import { ParseError, PaperCandidateSchema } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { parsePage, type ParsedPage } from '../index.js';
import { BASES, FETCHED_AT, arxivFixture, page } from '../test-support.js';

const API = 'https://export.arxiv.org/api/query';
const ARXIV = 'https://arxiv.org';

function parseFeed(query: string, body: string): ParsedPage {
  const url = `${API}?${query}`;
  const r = parsePage(page(url, body, url, 'application/atom+xml; charset=utf-8'), BASES);
  expect(r.route).toEqual({ source: 'arxiv', type: 'arxiv-api' });
  expect(r.links).toEqual([]);
  for (const c of r.candidates) expect(PaperCandidateSchema.safeParse(c).success).toBe(true);
  return r;
}

describe('export API, current dialect (api-current-3.xml)', () => {
  const query = 'id_list=2402.13572,2403.13187,2310.99999&max_results=3';
  const r = parseFeed(query, arxivFixture('api-current-3.xml'));

  it('reads the three entries with the version of their id', () => {
    expect(r.candidates.map((c) => [c.arxivId, c.arxivVersion])).toEqual([
      ['2402.13572', 2],
      ['2403.13187', 3],
      ['2310.99999', 2],
    ]);
  });

  it('reads a full entry: DOI, journal paper, code link', () => {
    expect(r.candidates[1]).toEqual({
      source: 'arxiv',
      url: `${API}?${query}`,
      fetchedAt: FETCHED_AT,
      parserVersion: 'arxiv-2',
      arxivId: '2403.13187',
      arxivVersion: 3,
      doi: '10.1038/s42256-024-00975-8',
      title: 'Evolutionary Optimization of Model Merging Recipes',
      abstract: expect.stringMatching(
        /^We present a novel application .* Code: https:\/\/github\.com\/SakanaAI\/evolutionary-model-merge$/,
      ),
      authors: ['Takuya Akiba', 'Makoto Shing', 'Yujin Tang', 'Qi Sun', 'David Ha'],
      authorCount: 5,
      publishedAt: '2024-03-19T22:56:53.000Z',
      categories: ['cs.NE'],
      codeUrls: ['https://github.com/SakanaAI/evolutionary-model-merge'],
      links: { abs: `${ARXIV}/abs/2403.13187`, pdf: `${ARXIV}/pdf/2403.13187` },
      withdrawn: false,
      journalRef: 'Nature Machine Intelligence 7, 195-204 (2025)',
      comments: 'Published in Nature Machine Intelligence',
    });
  });

  it('gives no versions or licence (the API has neither) and leaves out absent comments', () => {
    for (const c of r.candidates) {
      expect(c).not.toHaveProperty('versions');
      expect(c).not.toHaveProperty('license');
    }
    expect(r.candidates[0]).not.toHaveProperty('journalRef');
  });

  it('puts the primary category first and drops MSC/ACM terms; a withdrawal comment marks withdrawn', () => {
    expect(r.candidates[0]?.categories).toEqual(['cs.LG', 'cs.AI', 'cs.CL', 'math.NA']);
    expect(r.candidates[2]).toMatchObject({
      categories: ['cs.LG', 'stat.ML'],
      withdrawn: true,
      authors: ['Wei Zhang', 'Lukas Müller', 'Ana Pérez-García'], // numeric character references
    });
  });
});

describe('export API, legacy dialect (api-legacy-2024-03.xml)', () => {
  const r = parseFeed('id_list=2402.13572,2402.99999,hep-th/9711200', arxivFixture('api-legacy-2024-03.xml'));

  it('drops the empty entry of the missing id and reads the others', () => {
    expect(r.candidates.map((c) => c.arxivId)).toEqual(['2402.13572', 'hep-th/9711200']);
  });

  it('unwraps hard-wrapped titles and summaries', () => {
    const old = r.candidates[1];
    expect(old?.title).toBe('The Large N Limit of Superconformal Field Theories and Supergravity');
    expect(old?.abstract).toMatch(/^We show that the large \$N\$ limit .* on AdS spaces\.$/);
    expect(old?.abstract).not.toMatch(/\n|\s{2}/);
    expect(old?.comments).toMatch(
      /^20 pages, harvmac, v2: section on AdS_2 corrected, references .* published version\)$/,
    );
    expect(old?.comments).not.toMatch(/\n|\s{2}/);
    expect(old?.journalRef).toBe('Adv.Theor.Math.Phys.2:231-252,1998; Int.J.Theor.Phys.38:1113-1133,1999');
  });

  it('reads per-element namespaces, -05:00 offsets, the DOI and the old-style id', () => {
    expect(r.candidates[1]).toMatchObject({
      arxivVersion: 3,
      publishedAt: '1997-11-27T20:42:06.000Z',
      doi: '10.1023/a:1026654312961',
      categories: ['hep-th'],
      authors: ['Juan M. Maldacena'],
      withdrawn: false,
      links: { abs: `${ARXIV}/abs/hep-th/9711200`, pdf: `${ARXIV}/pdf/hep-th/9711200` },
    });
  });

  it('agrees with the current dialect on the same paper', () => {
    const current = parseFeed('id_list=2402.13572', arxivFixture('api-current-3.xml')).candidates[0];
    const legacy = r.candidates[0];
    expect(legacy?.title).toBe(current?.title);
    expect(legacy?.authors).toEqual(current?.authors);
    expect(legacy?.categories).toEqual(current?.categories);
    expect(legacy?.publishedAt).toBe(current?.publishedAt);
    expect(legacy?.abstract).toBe(current?.abstract);
    expect(legacy?.journalRef).toBe(current?.journalRef);
  });
});

describe('export API, November 2025 capture with bare links (api-2025-11-bare-links.xml)', () => {
  it('reads the one entry returned for four ids', () => {
    const r = parseFeed(
      'id_list=2201.13455,2201.13452,2201.13453,2201.13454',
      arxivFixture('api-2025-11-bare-links.xml'),
    );
    expect(r.candidates).toHaveLength(1);
    expect(r.candidates[0]).toMatchObject({
      arxivId: '2201.13452',
      arxivVersion: 1,
      authors: ['Hong-Ming Yin', 'Jun Zou'],
      categories: ['math.AP'], // "35" (an MSC class) dropped
      publishedAt: '2022-01-31T18:59:34.000Z',
    });
    expect(r.candidates[0]?.doi).toBeUndefined();
  });

  it('finds a DOI in a bare doi.org link when arxiv:doi is missing', () => {
    const body = arxivFixture('api-2025-11-bare-links.xml').replace(
      '<link href="https://arxiv.org/pdf/2201.13452v1"/>',
      '<link href="https://arxiv.org/pdf/2201.13452v1"/><link href="https://doi.org/10.1234/Example.5678"/>',
    );
    expect(parseFeed('id_list=2201.13452', body).candidates[0]?.doi).toBe('10.1234/example.5678');
  });
});

describe('export API errors', () => {
  it('throws ParseError with the API message when every entry is an error (api-error.xml)', () => {
    const url = `${API}?id_list=1234.12345`;
    expect(() => parsePage(page(url, arxivFixture('api-error.xml')), BASES)).toThrow(
      new ParseError(url, 'the arXiv API answered with an error: incorrect id format for 1234.12345', {
        source: 'arxiv',
      }),
    );
  });

  it('skips error entries next to real ones', () => {
    const error = arxivFixture('api-error.xml').match(/<entry[\s\S]*<\/entry>/)?.[0] ?? '';
    const body = arxivFixture('api-current-3.xml').replace('</feed>', `${error}\n</feed>`);
    expect(parseFeed('id_list=2402.13572,1234.12345', body).candidates).toHaveLength(3);
  });

  it('reads a feed past the end (no entries) as empty', () => {
    const empty = arxivFixture('api-current-3.xml').replace(/<entry>[\s\S]*<\/entry>/, '');
    expect(parseFeed('search_query=all:electron&start=30000', empty).candidates).toEqual([]);
  });

  it('marks the answer to an id_list query a look-up (its yield is what was asked), a search not', () => {
    const body = arxivFixture('api-current-3.xml');
    expect(parseFeed('id_list=2402.13572,2403.13187,2310.99999&max_results=3', body).lookup).toBe(true);
    expect(parseFeed('search_query=cat:cs.LG&start=0&max_results=3', body).lookup).toBeUndefined();
  });

  it.each([
    [
      'an HTML error page',
      '<html><head><title>503</title></head><body>Service Unavailable</body></html>',
      /no <feed> root/,
    ],
    ['truncated XML', arxivFixture('api-current-3.xml').slice(0, 1500), /response is not well-formed XML/],
    ['plain text', 'Rate exceeded.', /response is not well-formed XML/],
  ])('throws ParseError for %s', (_, body, message) => {
    const url = `${API}?id_list=2402.13572`;
    expect(() => parsePage(page(url, body), BASES)).toThrow(ParseError);
    expect(() => parsePage(page(url, body), BASES)).toThrow(message);
  });

  it('throws ParseError for an entry whose id is not an arXiv id', () => {
    const body = arxivFixture('api-current-3.xml').replace(
      'http://arxiv.org/abs/2403.13187v3',
      'http://arxiv.org/abs/not-an-id',
    );
    expect(() => parsePage(page(`${API}?id_list=2403.13187`, body), BASES)).toThrow(
      /entry\[1\] has an id that is not an arXiv id: http:\/\/arxiv\.org\/abs\/not-an-id/,
    );
  });

  it('sets an entry without a title aside, naming it and the field, and keeps the others', () => {
    const body = arxivFixture('api-current-3.xml').replace(
      '<title>Evolutionary Optimization of Model Merging Recipes</title>',
      '<title>  </title>',
    );
    const parsed = parsePage(page(`${API}?id_list=2403.13187`, body), BASES);
    expect(parsed.candidates).toHaveLength(2);
    expect(parsed.candidates.map((c) => c.arxivId)).not.toContain('2403.13187');
    expect(parsed.rejected).toEqual([{ where: 'entry[1] (2403.13187)', reason: 'title: title is empty' }]);
  });

  it('throws ParseError naming the entry and field when no entry makes a valid record', () => {
    const body = arxivFixture('api-current-3.xml').replace(
      /<title>(?!arXiv)[^<]*<\/title>/g,
      '<title>  </title>',
    );
    expect(() => parsePage(page(`${API}?id_list=2403.13187`, body), BASES)).toThrow(
      /does not make a valid record: title: title is empty/,
    );
  });
});
