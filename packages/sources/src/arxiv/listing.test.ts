import { ParseError, PaperCandidateSchema, type PaperCandidate } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { parsePage, type ParsedPage } from '../index.js';
import { BASES, FETCHED_AT, LOCAL_BASES, arxivFixture, page } from '../test-support.js';

const ARXIV = 'https://arxiv.org';

function parseList(url: string, body: string, bases = BASES): ParsedPage {
  const r = parsePage(page(url, body), bases);
  expect(r.route).toEqual({ source: 'arxiv', type: 'arxiv-list' });
  for (const c of r.candidates) expect(PaperCandidateSchema.safeParse(c).success).toBe(true);
  return r;
}

function byId(r: ParsedPage, id: string): PaperCandidate {
  const c = r.candidates.find((x) => x.arxivId === id);
  if (!c) throw new Error(`no candidate ${id}`);
  return c;
}

const absLinks = (r: ParsedPage) => r.candidates.map((c) => `${ARXIV}/abs/${c.arxivId ?? ''}`);

describe('new listing with three sections (list-cs.NE-new.html)', () => {
  const url = `${ARXIV}/list/cs.NE/new`;
  const r = parseList(url, arxivFixture('list-cs.NE-new.html'));

  it('pairs dt/dd across the three dl#articles, keeping the first of a repeated id', () => {
    expect(r.candidates.map((c) => c.arxivId)).toEqual([
      '2403.13187',
      '2403.13271',
      '2403.13302',
      '2403.12846', // (cross-list from cs.LG)
      '2403.12978', // (cross-list from q-bio.NC)
      '2402.13572', // (replaced)
      '2311.04567', // (replaced); the replaced 2403.13271 after it is the repeat
    ]);
    expect(byId(r, '2403.13271').title).toBe(
      'Spiking Neural Networks with Learnable Delays Solve the $N$-Bit Parity Task in $O(\\log N)$ Layers',
    );
  });

  it('reads a new submission with its abstract', () => {
    expect(r.candidates[0]).toEqual({
      source: 'arxiv',
      url,
      fetchedAt: FETCHED_AT,
      parserVersion: 'arxiv-2',
      arxivId: '2403.13187',
      title: 'Evolutionary Optimization of Model Merging Recipes',
      abstract: expect.stringMatching(
        /^We present a novel application .* Code: https:\/\/github\.com\/SakanaAI\/evolutionary-model-merge$/,
      ),
      authors: ['Takuya Akiba', 'Makoto Shing', 'Yujin Tang', 'Qi Sun', 'David Ha'],
      authorCount: 5,
      categories: ['cs.NE'],
      codeUrls: ['https://github.com/SakanaAI/evolutionary-model-merge'],
      links: { abs: `${ARXIV}/abs/2403.13187`, pdf: `${ARXIV}/pdf/2403.13187` },
    });
  });

  it('reads cross-lists and replacements like the others, primary category first', () => {
    expect(byId(r, '2403.12846')).toMatchObject({
      categories: ['cs.LG', 'cs.NE'],
      codeUrls: ['https://github.com/example-lab/es-rnn'], // a bare URL in the abstract
    });
    expect(byId(r, '2403.12978').categories).toEqual(['q-bio.NC', 'cs.NE']);
    expect(byId(r, '2402.13572')).toMatchObject({ authorCount: 9, categories: ['cs.LG', 'cs.AI', 'cs.NE'] });
    expect(byId(r, '2403.13302').title).toBe('Quality-Diversity through AI Feedback for Café Menu Design');
    expect(byId(r, '2403.13271').abstract).toBe(
      'We show that spiking networks whose synaptic delays are trained jointly with their weights solve $N$-bit parity with $O(\\log N)$ layers. The delays act as a form of memory.',
    );
  });

  it('reads the Comments line of an entry', () => {
    expect(r.candidates.find((c) => c.arxivId === '2403.13271')?.comments).toBe('8 pages, 3 figures');
    expect(r.candidates.find((c) => c.arxivId === '2311.04567')?.comments).toBe('v3: corrected Table 2');
  });

  it('does not claim versions, dates or withdrawal it cannot see', () => {
    for (const c of r.candidates) {
      expect(c.arxivVersion).toBeUndefined();
      expect(c.publishedAt).toBeUndefined();
      expect(c.withdrawn).toBeUndefined();
    }
  });

  it('links to each abstract page; the fewer/more links are not paging', () => {
    expect(r.links).toEqual(absLinks(r));
  });
});

describe('recent listing, first 50 of a 120-entry day (list-cs.LG-recent.html)', () => {
  const url = `${ARXIV}/list/cs.LG/recent`;
  const r = parseList(url, arxivFixture('list-cs.LG-recent.html'));

  it('reads the 50 entries shown, without abstracts', () => {
    expect(r.candidates).toHaveLength(50);
    for (const c of r.candidates) {
      expect(c.abstract).toBeUndefined();
      expect(c.codeUrls).toBeUndefined();
    }
    expect(byId(r, '2402.14905')).toMatchObject({
      title: 'MobileLLM: Optimizing Sub-billion Parameter Language Models for On-Device Use Cases',
      authorCount: 12,
      categories: ['cs.LG', 'cs.AI', 'cs.CL'],
    });
    const crossLists = r.candidates.filter((c) => c.categories?.[0] === 'stat.ML');
    expect(crossLists).toHaveLength(3);
  });

  it('links to the abstracts, then the paging bar (not the per-day or more/fewer links)', () => {
    expect(r.links).toEqual([
      ...absLinks(r),
      `${ARXIV}/list/cs.LG/recent?skip=50&show=50`,
      `${ARXIV}/list/cs.LG/recent?skip=100&show=50`,
      `${ARXIV}/list/cs.LG/recent?skip=150&show=50`,
      `${ARXIV}/list/cs.LG/recent?skip=550&show=50`,
    ]);
  });

  it('does not link back to the page itself from a later page', () => {
    const later = parseList(`${url}?skip=50&show=50`, arxivFixture('list-cs.LG-recent.html'));
    expect(later.links).not.toContain(`${ARXIV}/list/cs.LG/recent?skip=50&show=50`);
    expect(later.links).toContain(`${ARXIV}/list/cs.LG/recent?skip=100&show=50`);
  });
});

describe('pastweek listing with an empty day (list-math.GT-pastweek.html)', () => {
  const r = parseList(`${ARXIV}/list/math.GT/pastweek?show=25`, arxivFixture('list-math.GT-pastweek.html'));

  it('reads every day section; "No updates" inside one section does not empty the page', () => {
    expect(r.candidates.map((c) => c.arxivId)).toEqual([
      '2403.09671',
      '2403.09702',
      '2403.08815',
      '2403.08523',
      '2403.08590',
      '2403.07011',
      '2403.07150',
      '2403.06102',
    ]);
    expect(byId(r, '2403.08815').categories).toEqual(['math.AT', 'math.GT']);
    expect(byId(r, '2403.08590').title).toBe(
      'Hyperbolic volume and the colored Jones polynomial of twist knots',
    );
    expect(r.links).toEqual(absLinks(r)); // a single page: no paging links
  });
});

describe('empty new listing (list-physics.pop-ph-new-empty.html)', () => {
  it('yields no candidates and no links', () => {
    const r = parseList(
      `${ARXIV}/list/physics.pop-ph/new`,
      arxivFixture('list-physics.pop-ph-new-empty.html'),
    );
    expect(r.candidates).toEqual([]);
    expect(r.links).toEqual([]);
  });
});

describe('pre-2024 listing layout (list-cs.CL-new-2023-10-11.html)', () => {
  const r = parseList(`${ARXIV}/list/cs.CL/new`, arxivFixture('list-cs.CL-new-2023-10-11.html'));

  it('reads dt > span.list-identifier > a, with the "Authors:" descriptor dropped', () => {
    expect(r.candidates.map((c) => c.arxivId)).toEqual([
      '2310.06825',
      '2310.06827',
      '2310.06770',
      'math/0211159',
      '2305.14314',
    ]);
    const mistral = byId(r, '2310.06825');
    expect(mistral).toMatchObject({
      title: 'Mistral 7B',
      authorCount: 18,
      categories: ['cs.CL', 'cs.AI', 'cs.LG'],
    });
    expect(mistral.authors).toContain('Lélio Renard Lavaud');
    expect(mistral.authors[0]).toBe('Albert Q. Jiang');
    expect(mistral.abstract).toMatch(/^We introduce Mistral 7B v0\.1, .* Apache 2\.0 license\.$/);
  });

  it('reads old-style ids, cross-lists and replacements (no abstract on replacements)', () => {
    expect(byId(r, 'math/0211159')).toMatchObject({
      authors: ['Grisha Perelman'],
      categories: ['math.DG', 'cs.CL'],
      links: { abs: `${ARXIV}/abs/math/0211159`, pdf: `${ARXIV}/pdf/math/0211159` },
    });
    expect(byId(r, '2305.14314').abstract).toBeUndefined();
    expect(byId(r, '2310.06827').codeUrls).toEqual(['https://github.com/example-lab/synthllm']);
  });

  it('does not follow the fewer link (another show) of the legacy paging', () => {
    expect(r.links).toEqual(absLinks(r));
  });
});

describe('month listing of old-style ids, last page (list-hep-th-1997-11.html)', () => {
  const url = `${ARXIV}/list/hep-th/1997-11?skip=200&show=25`;
  const r = parseList(url, arxivFixture('list-hep-th-1997-11.html'));

  it('reads old-style ids and "(author list is unavailable)"', () => {
    expect(r.candidates).toHaveLength(12);
    expect(r.candidates.every((c) => /^hep-th\/9711\d{3}$/.test(c.arxivId ?? ''))).toBe(true);
    expect(byId(r, 'hep-th/9711193')).toMatchObject({ authors: [], authorCount: 0 });
    expect(byId(r, 'hep-th/9711200')).toMatchObject({
      title: 'The Large N Limit of Superconformal Field Theories and Supergravity',
      authors: ['Juan M. Maldacena'],
      categories: ['hep-th'],
    });
    expect(byId(r, 'hep-th/9711198').categories?.[0]).toBe('hep-ph'); // cross-list
  });

  it('reads the Journal-ref and Comments lines with their labels removed', () => {
    expect(byId(r, 'hep-th/9711200')?.journalRef).toBe(
      'Adv.Theor.Math.Phys.2:231-252,1998; Int.J.Theor.Phys.38:1113-1133,1999',
    );
    const withComments = r.candidates.filter((c) => c.comments !== undefined);
    expect(withComments.length).toBeGreaterThan(0);
    expect(withComments.every((c) => !/Comments:/.test(c.comments ?? ''))).toBe(true);
    expect(byId(r, 'hep-th/9711193')).not.toHaveProperty('journalRef');
  });

  it('links to the other pages of the same size', () => {
    expect(r.links.slice(12)).toEqual([
      `${ARXIV}/list/hep-th/1997-11?skip=0&show=25`,
      `${ARXIV}/list/hep-th/1997-11?skip=125&show=25`,
      `${ARXIV}/list/hep-th/1997-11?skip=150&show=25`,
      `${ARXIV}/list/hep-th/1997-11?skip=175&show=25`,
    ]);
  });

  it('resolves links against a local stand-in for arxiv.org', () => {
    const local = parseList(
      'http://127.0.0.1:4568/list/hep-th/1997-11?skip=200&show=25',
      arxivFixture('list-hep-th-1997-11.html'),
      LOCAL_BASES,
    );
    expect(local.links[0]).toBe('http://127.0.0.1:4568/abs/hep-th/9711189');
    expect(local.links.at(-1)).toBe('http://127.0.0.1:4568/list/hep-th/1997-11?skip=175&show=25');
  });
});

describe('listing failures', () => {
  const url = `${ARXIV}/list/cs.LG/new`;

  it('throws ParseError for a page with neither entries nor a "No updates" notice', () => {
    expect(() =>
      parsePage(page(url, '<html><body><h1>Service Unavailable</h1></body></html>'), BASES),
    ).toThrow(
      new ParseError(url, 'no <dt>/<dd> entries and no "No updates" notice: not an arXiv listing page', {
        source: 'arxiv',
      }),
    );
  });

  it('throws ParseError for an entry without an arXiv id', () => {
    const body = `<div id='dlpage'><dl id='articles'><dt><a name='item1'>[1]</a></dt>
      <dd><div class='meta'><div class='list-title mathjax'>T</div></div></dd></dl></div>`;
    expect(() => parsePage(page(url, body), BASES)).toThrow(/entry 1 has no arXiv id/);
  });

  it('throws ParseError naming the field of an entry without a title', () => {
    const body = `<dl id='articles'><dt><a href ="/abs/2403.13187" title="Abstract" id="2403.13187">arXiv:2403.13187</a></dt>
      <dd><div class='meta'><div class='list-title mathjax'><span class='descriptor'>Title:</span> </div></div></dd></dl>`;
    expect(() => parsePage(page(url, body), BASES)).toThrow(
      /entry 1 \(2403\.13187\) does not make a valid record: title: title is empty/,
    );
  });
});
