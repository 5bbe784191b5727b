/**
 * Robustness: whatever a page holds, parsePage returns candidates that pass PaperCandidateSchema
 * or throws a PaperlineError — never another exception type.
 */
import { PaperCandidateSchema, PaperlineError } from '@paperline/contracts';
import { normalizeArxivId } from '@paperline/identity';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apiFeed, mutate, mutation, oaiPage } from './arxiv/test-arbitraries.js';
import { parsePage, routeUrl, type ParsedPage } from './index.js';
import { BASES as PAGE_BASES, arxivFixture, hfFixture, page } from './test-support.js';

const HF = 'https://huggingface.co';
const ARXIV = 'https://arxiv.org';
const API = 'https://export.arxiv.org/api/query';
const OAI = 'https://oaipmh.arxiv.org/oai';
const BASES = { ...PAGE_BASES, oaiBaseUrl: OAI };

/** Runs parsePage and checks the contract; returns the result or null when it threw a PaperlineError. */
function checkContract(url: string, body: string, finalUrl = url): ParsedPage | null {
  let result: ParsedPage;
  try {
    result = parsePage(page(url, body, finalUrl), BASES);
  } catch (err: unknown) {
    if (!(err instanceof PaperlineError)) throw err;
    expect(['PARSE_ERROR', 'UNSUPPORTED_URL']).toContain(err.code);
    expect(err.message).toContain(finalUrl); // errors name the page
    return null;
  }
  for (const c of result.candidates) {
    const check = PaperCandidateSchema.safeParse(c);
    if (!check.success)
      throw new Error(`invalid candidate from ${url}: ${JSON.stringify(check.error.issues)}`);
  }
  const source = result.route.source;
  for (const c of result.candidates) expect(c.source).toBe(source);
  for (const link of result.links) {
    // Links are absolute URLs that route to the same source's parsers.
    expect(routeUrl(link, BASES)?.source).toBe(source);
    if (source === 'hf') expect(link.startsWith(`${HF}/papers/`)).toBe(true);
  }
  for (const id of result.withdrawnIds ?? []) expect(normalizeArxivId(id)).toBe(id);
  if (result.redirectedFrom !== undefined) expect(result.candidates).toEqual([]);
  return result;
}

const ARXIV_URLS = [
  `${ARXIV}/abs/2403.13187`,
  `${ARXIV}/abs/hep-th/9711200v3`,
  `${ARXIV}/list/cs.NE/new`,
  `${ARXIV}/list/cs.LG/recent?skip=50&show=50`,
  `${ARXIV}/list/hep-th/1997-11?skip=200&show=25`,
  `${API}?id_list=2402.13572,2403.13187&max_results=2`,
  `${API}?search_query=cat:cs.LG`,
  `${OAI}?verb=ListRecords&metadataPrefix=arXiv&set=cs`,
];

const HF_URLS = [
  `${HF}/papers`,
  `${HF}/papers?q=transformer`,
  `${HF}/papers/date/2024-02-22`,
  `${HF}/papers/week/2023-W43`,
  `${HF}/papers/month/2024-02`,
  `${HF}/papers/trending`,
  `${HF}/papers/2402.13572`,
  `${HF}/api/daily_papers?date=2024-02-22`,
  `${HF}/api/papers/2402.14905`,
  'https://example.org/papers',
];
const URLS = [...HF_URLS, ...ARXIV_URLS];

const FIXTURES = [
  ['date-2024-02-22.html', `${HF}/papers/date/2024-02-22`],
  ['week-2023-W43.html', `${HF}/papers/week/2023-W43`],
  ['trending.html', `${HF}/papers/trending`],
  ['search-transformer-algorithm.html', `${HF}/papers?q=transformer+algorithm`],
  ['date-2025-03-15-empty.html', `${HF}/papers/date/2025-03-15`],
  ['date-2024-02-23-cards-only.html', `${HF}/papers/date/2024-02-23`],
  ['paper-2402.13572.html', `${HF}/papers/2402.13572`],
  ['api-daily_papers-2024-02-22.json', `${HF}/api/daily_papers?date=2024-02-22`],
  ['api-papers-2402.14905.json', `${HF}/api/papers/2402.14905`],
  ['api-papers-search-transformer.json', `${HF}/api/papers/search?q=transformer+algorithm`],
] as const;
const BODIES = FIXTURES.map(([name, url]) => ({ name, url, body: hfFixture(name) }));

/** arXiv fixtures, their URL, and whether the page is an error the parser must report. */
const ARXIV_FIXTURES: readonly (readonly [string, string, boolean?])[] = [
  ['abs-2403.13187.html', `${ARXIV}/abs/2403.13187`],
  ['abs-hep-th-9711200.html', `${ARXIV}/abs/hep-th/9711200`],
  ['abs-2310.99999-withdrawn.html', `${ARXIV}/abs/2310.99999`],
  ['abs-2407.99998-tex.html', `${ARXIV}/abs/2407.99998`],
  ['abs-2402.13572v1.html', `${ARXIV}/abs/2402.13572v1`],
  ['list-cs.NE-new.html', `${ARXIV}/list/cs.NE/new`],
  ['list-cs.LG-recent.html', `${ARXIV}/list/cs.LG/recent`],
  ['list-math.GT-pastweek.html', `${ARXIV}/list/math.GT/pastweek?show=25`],
  ['list-physics.pop-ph-new-empty.html', `${ARXIV}/list/physics.pop-ph/new`],
  ['list-cs.CL-new-2023-10-11.html', `${ARXIV}/list/cs.CL/new`],
  ['list-hep-th-1997-11.html', `${ARXIV}/list/hep-th/1997-11?skip=200&show=25`],
  ['api-current-3.xml', `${API}?id_list=2402.13572,2403.13187,2310.99999`],
  ['api-legacy-2024-03.xml', `${API}?id_list=2402.13572,2402.99999,hep-th/9711200`],
  ['api-2025-11-bare-links.xml', `${API}?id_list=2201.13452`],
  ['api-error.xml', `${API}?id_list=1234.12345`, true],
  ['oai-listrecords-cs-2024-03-21.xml', `${OAI}?verb=ListRecords&metadataPrefix=arXiv&set=cs`],
  ['oai-listrecords-last.xml', `${OAI}?verb=ListRecords&resumptionToken=x`],
  ['oai-listrecords-arxivraw.xml', `${OAI}?verb=ListRecords&metadataPrefix=arXivRaw&set=cs`],
  [
    'oai-getrecord-arxiv.xml',
    `${OAI}?verb=GetRecord&identifier=oai:arXiv.org:0806.4129&metadataPrefix=arXiv`,
  ],
  ['oai-norecordsmatch.xml', `${OAI}?verb=ListRecords&metadataPrefix=arXiv`],
  ['oai-badresumptiontoken.xml', `${OAI}?verb=ListRecords&resumptionToken=x`, true],
];
const ARXIV_BODIES = ARXIV_FIXTURES.map(([name, url, fails]) => ({
  name,
  url,
  fails: fails === true,
  body: arxivFixture(name),
}));

/** Text edits: delete, insert, duplicate, truncate. */
type Edit = { kind: 'delete' | 'insert' | 'duplicate' | 'truncate'; at: number; len: number; text: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'duplicate', 'truncate'),
  at: fc.nat(),
  len: fc.nat({ max: 200 }),
  text: fc.oneof(
    fc.string(),
    fc.constantFrom(
      '"',
      '&quot;',
      '&amp;',
      '<',
      '>',
      '{',
      '}',
      '[',
      ']',
      ',',
      '\\',
      'null',
      '&#x27;',
      '\u0000',
    ),
  ),
});

function applyEdit(s: string, e: Edit): string {
  const at = s.length === 0 ? 0 : e.at % s.length;
  switch (e.kind) {
    case 'delete':
      return s.slice(0, at) + s.slice(at + e.len);
    case 'insert':
      return s.slice(0, at) + e.text + s.slice(at);
    case 'duplicate':
      return s.slice(0, at + e.len) + s.slice(at, at + e.len) + s.slice(at + e.len);
    case 'truncate':
      return s.slice(0, at);
  }
}

/** Replaces the n-th node (pre-order) of a JSON value. */
function replaceNode(value: unknown, n: number, replacement: unknown): unknown {
  let i = 0;
  const walk = (v: unknown): unknown => {
    if (i++ === n) return replacement;
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value);
}

function countNodes(v: unknown): number {
  if (Array.isArray(v)) return 1 + v.reduce((n: number, x: unknown) => n + countNodes(x), 0);
  if (typeof v === 'object' && v !== null)
    return 1 + Object.values(v).reduce((n: number, x: unknown) => n + countNodes(x), 0);
  return 1;
}

const encodeAttr = (json: string) =>
  json.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The fixture's hydration props (or JSON body), and a function putting new props back. */
function splitFixture(body: string, name: string): { props: unknown; rebuild: (props: unknown) => string } {
  if (name.endsWith('.json'))
    return { props: JSON.parse(body) as unknown, rebuild: (p) => JSON.stringify(p) };
  const m = /data-target="(?:DailyPapers|PaperContent)" data-props="([^"]*)"/.exec(body);
  if (!m || m.index === undefined) return { props: null, rebuild: () => body };
  const raw = m[1] ?? '';
  const decoded = raw
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  const start = m.index + m[0].length - raw.length - 1;
  return {
    props: JSON.parse(decoded) as unknown,
    rebuild: (p) => body.slice(0, start) + encodeAttr(JSON.stringify(p)) + body.slice(start + raw.length),
  };
}

describe('parsePage robustness (fast-check)', () => {
  it('every unmutated fixture parses to valid candidates (or reports the error page it is)', () => {
    for (const { url, body } of BODIES) expect(checkContract(url, body)).not.toBeNull();
    for (const { url, body, fails } of ARXIV_BODIES) expect(checkContract(url, body) === null).toBe(fails);
  });

  it('arbitrary bodies on every route', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...URLS),
        fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.json()),
        (url, body) => {
          checkContract(url, body);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('arbitrary hydration props and API JSON', () => {
    fc.assert(
      fc.property(fc.constantFrom(...HF_URLS), fc.jsonValue(), (url, value) => {
        const json = JSON.stringify(value) ?? 'null';
        const target = url.includes('/papers/2402') ? 'PaperContent' : 'DailyPapers';
        checkContract(
          url,
          url.includes('/api/')
            ? json
            : `<div class="SVELTE_HYDRATER contents" data-target="${target}" data-props="${encodeAttr(json)}"></div>`,
        );
      }),
      { numRuns: 1500 },
    );
  });

  it('randomly edited fixture pages', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BODIES, ...ARXIV_BODIES),
        fc.array(edit, { minLength: 1, maxLength: 6 }),
        (fixture, edits) => {
          checkContract(fixture.url, edits.reduce(applyEdit, fixture.body));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('fixture pages with random values swapped into their JSON', () => {
    const parts = BODIES.map((b) => ({ ...b, ...splitFixture(b.body, b.name) })).filter(
      (b) => b.props !== null,
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...parts),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.oneof(
              fc.jsonValue({ maxDepth: 2 }),
              fc.constantFrom(
                null,
                '',
                ' ',
                -1,
                1.5,
                [],
                {},
                'https://github.com/a/b.git)',
                'javascript:x',
                '9999999-01-01',
              ),
            ),
          ),
          { minLength: 1, maxLength: 5 },
        ),
        (fixture, swaps) => {
          let props = fixture.props;
          for (const [n, v] of swaps) props = replaceNode(props, n % countNodes(props), v);
          checkContract(fixture.url, fixture.rebuild(props));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('arbitrary export API feeds, in both namespace styles', () => {
    fc.assert(
      fc.property(apiFeed, (body) => {
        checkContract(`${API}?id_list=2402.13572`, body);
      }),
      { numRuns: 600 },
    );
  });

  it('arbitrary OAI-PMH ListRecords pages', () => {
    fc.assert(
      fc.property(oaiPage, (body) => {
        checkContract(`${OAI}?verb=ListRecords&metadataPrefix=arXiv`, body);
      }),
      { numRuns: 600 },
    );
  });

  it('arXiv fixtures with text, attribute values or tags mutated', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ARXIV_BODIES),
        fc.array(mutation, { minLength: 1, maxLength: 5 }),
        (fixture, mutations) => {
          checkContract(fixture.url, mutations.reduce(mutate, fixture.body));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('random final URLs after a dated request', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BODIES),
        fc.constantFrom(...URLS, `${HF}/papers/date/2025-03-16`, 'not a url'),
        (fixture, finalUrl) => {
          checkContract(`${HF}/papers/date/2024-02-22`, fixture.body, finalUrl);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rejects a fetchedAt that is not an ISO date-time', () => {
    const url = `${HF}/papers/date/2024-02-22`;
    expect(() =>
      parsePage(
        { ...page(url, hfFixture('date-2024-02-22.html')), fetchedAt: 'Sun, 16 Mar 2025 08:00:00 GMT' },
        BASES,
      ),
    ).toThrow(expect.objectContaining({ code: 'INVALID_PAYLOAD' }));
  });
});
