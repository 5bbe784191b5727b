import { ParseError, PaperCandidateSchema, type PaperCandidate } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { parsePage } from '../index.js';
import { BASES, FETCHED_AT, LOCAL_BASES, arxivFixture, hfFixture, page } from '../test-support.js';

const ARXIV = 'https://arxiv.org';

/** The one candidate of an abstract page. */
function parseAbs(path: string, body: string, bases = BASES): PaperCandidate {
  const url = `${bases.arxivBaseUrl}/abs/${path}`;
  const r = parsePage(page(url, body), bases);
  expect(r.route).toEqual({ source: 'arxiv', type: 'arxiv-abs' });
  expect(r.links).toEqual([]);
  expect(r.candidates).toHaveLength(1);
  const c = r.candidates[0];
  if (!c) throw new Error('no candidate');
  expect(PaperCandidateSchema.safeParse(c).success).toBe(true);
  return c;
}

/** The fixture without its `citation_*` meta tags (pages seen without them, or with them broken). */
function withoutMeta(body: string): string {
  return body.replace(/<meta name="citation_[^>]*>/g, '');
}

describe('abs page with a related DOI and three versions (abs-2403.13187.html)', () => {
  const body = arxivFixture('abs-2403.13187.html');
  const c = parseAbs('2403.13187', body);

  it('reads the whole record', () => {
    expect(c).toEqual({
      source: 'arxiv',
      url: `${ARXIV}/abs/2403.13187`,
      fetchedAt: FETCHED_AT,
      parserVersion: 'arxiv-2',
      arxivId: '2403.13187',
      arxivVersion: 3,
      doi: '10.1038/s42256-024-00975-8',
      title: 'Evolutionary Optimization of Model Merging Recipes',
      abstract: expect.stringMatching(
        /^We present a novel application of evolutionary algorithms .* foundation model development\. Code: https:\/\/github\.com\/SakanaAI\/evolutionary-model-merge$/,
      ),
      authors: ['Takuya Akiba', 'Makoto Shing', 'Yujin Tang', 'Qi Sun', 'David Ha'],
      authorCount: 5,
      publishedAt: '2024-03-19T22:56:53.000Z', // citation_date's day, with the [v1] time
      categories: ['cs.NE'],
      codeUrls: ['https://github.com/SakanaAI/evolutionary-model-merge'],
      links: { abs: `${ARXIV}/abs/2403.13187`, pdf: `${ARXIV}/pdf/2403.13187` },
      withdrawn: false,
      versions: [
        { version: 1, submittedAt: '2024-03-19T22:56:53.000Z', sizeKb: 11524 },
        { version: 2, submittedAt: '2024-09-12T03:31:08.000Z', sizeKb: 11530 },
        { version: 3, submittedAt: '2025-01-28T07:45:12.000Z', sizeKb: 11531 },
      ],
      license: 'http://creativecommons.org/licenses/by/4.0/',
      journalRef: 'Nature Machine Intelligence 7, 195-204 (2025)',
      comments: 'Published in Nature Machine Intelligence',
    });
  });

  it('reads the same record from the body alone when the meta tags are missing', () => {
    expect(parseAbs('2403.13187', withoutMeta(body))).toEqual(c);
  });

  it('keeps the meta day when the history names another day for v1', () => {
    const other = body.replace('content="2024/03/19"', 'content="2024/03/20"');
    expect(parseAbs('2403.13187', other).publishedAt).toBe('2024-03-20T00:00:00.000Z');
  });

  it('falls back to the dateline for the v1 date and the version when there is no history', () => {
    const bare = withoutMeta(body).replace(/<div class="submission-history">[\s\S]*?<\/div>/, '');
    expect(parseAbs('2403.13187', bare)).toMatchObject({
      publishedAt: '2024-03-19T00:00:00.000Z',
      arxivVersion: 3,
    });
  });

  it('does not take the arXiv DataCite DOI for a related DOI', () => {
    const own = withoutMeta(body)
      .replace(/<td class="tablecell doi">[\s\S]*?<\/td>/, '')
      .replace('</head>', '<meta name="citation_doi" content="10.48550/arXiv.2403.13187" /></head>');
    expect(parseAbs('2403.13187', own).doi).toBeUndefined();
  });

  it('builds links on the configured base', () => {
    const local = parseAbs('2403.13187', body, LOCAL_BASES);
    expect(local.url).toBe('http://127.0.0.1:4568/abs/2403.13187');
    expect(local.links).toEqual({
      abs: 'http://127.0.0.1:4568/abs/2403.13187',
      pdf: 'http://127.0.0.1:4568/pdf/2403.13187',
    });
  });
});

describe('abs page of an old-style id (abs-hep-th-9711200.html)', () => {
  const c = parseAbs('hep-th/9711200', arxivFixture('abs-hep-th-9711200.html'));

  it('keeps the slash in the id and reads the record', () => {
    expect(c).toMatchObject({
      arxivId: 'hep-th/9711200',
      arxivVersion: 3,
      doi: '10.1023/a:1026654312961', // lowercased
      title: 'The Large N Limit of Superconformal Field Theories and Supergravity',
      authors: ['Juan M. Maldacena'],
      authorCount: 1,
      publishedAt: '1997-11-27T20:42:06.000Z',
      categories: ['hep-th'],
      codeUrls: [],
      links: { abs: `${ARXIV}/abs/hep-th/9711200`, pdf: `${ARXIV}/pdf/hep-th/9711200` },
      withdrawn: false,
    });
    expect(c.abstract).toMatch(/^We show that the large \$N\$ limit .* on AdS spaces\.$/);
  });

  it('reads the id from the URL when the page has no citation_arxiv_id', () => {
    const body = arxivFixture('abs-hep-th-9711200.html').replace(/<meta name="citation_arxiv_id"[^>]*>/, '');
    expect(parseAbs('hep-th/9711200v3', body).arxivId).toBe('hep-th/9711200');
  });
});

describe('withdrawn abs page (abs-2310.99999-withdrawn.html)', () => {
  const body = arxivFixture('abs-2310.99999-withdrawn.html');

  it('marks the paper withdrawn and keeps the latest version', () => {
    expect(parseAbs('2310.99999', body)).toMatchObject({
      arxivId: '2310.99999',
      arxivVersion: 2,
      withdrawn: true,
      authors: ['Wei Zhang', 'Lukas Müller', 'Ana Pérez-García'],
      categories: ['cs.LG', 'stat.ML'],
      publishedAt: '2023-10-26T17:12:45.000Z',
    });
  });

  it('reads withdrawal from either the history or the notice', () => {
    const noEm = body.replace('<em>(withdrawn)</em>', '');
    expect(parseAbs('2310.99999', noEm).withdrawn).toBe(true);
    const noNotice = body.replace(/<span class="error"[^>]*>[^<]*<\/span>/, '');
    expect(parseAbs('2310.99999', noNotice).withdrawn).toBe(true);
    expect(parseAbs('2310.99999', noNotice.replace('<em>(withdrawn)</em>', '')).withdrawn).toBe(false);
  });

  it('reads "A newer version of this paper has been withdrawn" on an older version', () => {
    const v1 = body
      .replace(
        /<span class="error"[^>]*>[^<]*<\/span>/,
        '<span class="error" style="border: 2px solid grey">A newer version of this paper has been withdrawn by Wei Zhang</span>',
      )
      .replace('<em>(withdrawn)</em>', '');
    expect(parseAbs('2310.99999v1', v1).withdrawn).toBe(true);
  });
});

describe('abs page with TeX in the title and several subjects (abs-2407.99998-tex.html)', () => {
  const c = parseAbs('2407.99998', arxivFixture('abs-2407.99998-tex.html'));

  it('resolves TeX accents from the raw meta title and leaves math alone', () => {
    expect(c.title).toBe('Schrödinger Bridges in $O(n^2)$ Time for Poincaré--Sobolev Inequalities');
    expect(c.abstract).toContain('entropic Schrödinger bridge');
    expect(c.abstract).toContain('$O(n^2 \\log(1/\\varepsilon))$');
    expect(c.abstract).toContain('Erdős and Turán');
    expect(c.abstract).toContain('probability 99.9%. Our solver is provably stable');
    expect(c.abstract).toMatch(/code is at https:\/\/github\.com\/example-lab\/sb_sinkhorn\.$/);
    expect(c.codeUrls).toEqual(['https://github.com/example-lab/sb_sinkhorn']);
  });

  it('turns "Last, First" meta authors into display order, suffixes and collaborations included', () => {
    expect(c.authors).toEqual(['María José González', 'Bjørn Øksendal', 'Minh Tran Jr', 'EVA Collaboration']);
  });

  it('lists the primary subject first and ignores MSC/ACM classes', () => {
    expect(c.categories).toEqual(['math.PR', 'cs.DS', 'cs.LG', 'math.AP', 'math.OC']);
  });

  it('takes the v1 date from the history when citation_date is absent (JAIR journal refs)', () => {
    expect(c.publishedAt).toBe('2024-07-15T13:05:27.000Z');
    expect(c.arxivVersion).toBe(1);
  });
});

describe('abs page of an older version with wrapped meta (abs-2402.13572v1.html)', () => {
  const c = parseAbs('2402.13572v1', arxivFixture('abs-2402.13572v1.html'));

  it('gives the highest version, not the one viewed, and cross-lists primary first', () => {
    expect(c.arxivVersion).toBe(2);
    expect(c.categories).toEqual(['cs.LG', 'cs.AI', 'cs.CL', 'math.NA']);
    expect(c.links?.abs).toBe(`${ARXIV}/abs/2402.13572`);
  });

  it('agrees with Hugging Face on title, authors, abstract and v1 time', () => {
    const hf = parsePage(
      page('https://huggingface.co/papers/2402.13572', hfFixture('paper-2402.13572.html')),
      BASES,
    ).candidates[0];
    expect(c.title).toBe(hf?.title);
    expect(c.authors).toEqual(hf?.authors);
    expect(c.abstract).toBe(hf?.abstract);
    expect(c.publishedAt).toBe(hf?.publishedAt);
  });
});

describe('abs page versions, licence, journal reference and comments', () => {
  it('takes the Journal reference cell, not the Report number that shares its class', () => {
    const c = parseAbs('hep-th/9711200', arxivFixture('abs-hep-th-9711200.html'));
    expect(c.journalRef).toBe('Adv.Theor.Math.Phys.2:231-252,1998; Int.J.Theor.Phys.38:1113-1133,1999');
    expect(c.comments).toMatch(/^20 pages, harvmac, v2: section on AdS_2 corrected, .* published version\)$/);
    expect(c.versions?.map((v) => [v.version, v.sizeKb])).toEqual([
      [1, 26],
      [2, 28],
      [3, 28],
    ]);
  });

  it('leaves the licence out when the page has no licence link (older pages)', () => {
    const c = parseAbs('hep-th/9711200', arxivFixture('abs-hep-th-9711200.html'));
    expect('license' in c).toBe(false);
  });

  it('reads the withdrawn version with its size and the withdrawal comment', () => {
    const c = parseAbs('2310.99999', arxivFixture('abs-2310.99999-withdrawn.html'));
    expect(c.versions).toEqual([
      { version: 1, submittedAt: '2023-10-26T17:12:45.000Z', sizeKb: 412 },
      { version: 2, submittedAt: '2023-11-06T09:30:00.000Z', sizeKb: 1 },
    ]);
    expect(c.comments).toMatch(/^This paper has been withdrawn by the authors/);
  });

  it('reads "this https URL" in the comments as the URL it stands for', () => {
    const c = parseAbs('2407.99998', arxivFixture('abs-2407.99998-tex.html'));
    expect(c.comments).toBe('32 pages, 4 figures; code at https://github.com/example-lab/sb_sinkhorn');
    expect(c.journalRef).toBe('Journal of Artificial Intelligence Research 81 (2024) 1-32');
  });

  it('leaves out a licence link that is not an http(s) URL, and empty cells', () => {
    const body = arxivFixture('abs-2403.13187.html')
      .replace('href="http://creativecommons.org/licenses/by/4.0/"', 'href="javascript:void(0)"')
      .replace('Published in Nature Machine Intelligence', ' ')
      .replace('Nature Machine Intelligence 7, 195-204 (2025)', '');
    const c = parseAbs('2403.13187', body);
    for (const f of ['license', 'comments', 'journalRef']) expect(f in c, f).toBe(false);
  });

  it('keeps a version whose date or size cannot be read, without them', () => {
    const body = arxivFixture('abs-2403.13187.html').replace(
      'Thu, 12 Sep 2024 03:31:08 UTC (11,530 KB)',
      'sometime (lots)',
    );
    expect(parseAbs('2403.13187', withoutMeta(body)).versions?.[1]).toEqual({ version: 2 });
  });
});

describe('abs page failures', () => {
  it('throws ParseError for a page that is not an abstract page (404)', () => {
    const url = `${ARXIV}/abs/2402.99999`;
    const notFound = `<!DOCTYPE html><html><head><title>arXiv article identifier '2402.99999' not recognized</title></head>
      <body><div id="content"><h1>Article identifier '2402.99999' not recognized</h1>
      <p>You might instead try to <a href="/search">search for articles</a></p></div></body></html>`;
    expect(() => parsePage(page(url, notFound), BASES)).toThrow(
      new ParseError(url, 'no citation_title meta tag and no h1.title: not an arXiv abstract page', {
        source: 'arxiv',
      }),
    );
  });

  it('throws ParseError naming the field when the title is empty', () => {
    const body = withoutMeta(arxivFixture('abs-2403.13187.html')).replace(
      /(<h1 class="title mathjax"><span class="descriptor">Title:<\/span>)[^<]*/,
      '$1  ',
    );
    expect(() => parsePage(page(`${ARXIV}/abs/2403.13187`, body), BASES)).toThrow(
      /abstract page \(2403\.13187\) does not make a valid record: title: title is empty/,
    );
  });
});
