import { ParseError, PaperCandidateSchema, type PaperCandidate } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { parsePage } from '../index.js';
import { BASES, FETCHED_AT, LOCAL_BASES, hfFixture, page } from '../test-support.js';

const HF = 'https://huggingface.co';

function byId(candidates: PaperCandidate[], id: string): PaperCandidate {
  const c = candidates.find((x) => x.arxivId === id);
  if (!c) throw new Error(`no candidate ${id}`);
  return c;
}

describe('HF day page (date-2024-02-22.html)', () => {
  const url = `${HF}/papers/date/2024-02-22`;
  const result = parsePage(page(url, hfFixture('date-2024-02-22.html')), BASES);

  it('routes and reads every entry of the DailyPapers blob, in order', () => {
    expect(result.route).toEqual({
      source: 'hf',
      type: 'hf-daily',
      period: { kind: 'day', value: '2024-02-22' },
    });
    expect(result.redirectedFrom).toBeUndefined();
    expect(result.candidates.map((c) => c.arxivId)).toEqual([
      '2402.13572',
      '2402.14905',
      '2402.14531',
      '2402.13753',
      '2411.02959',
    ]);
    for (const c of result.candidates) expect(PaperCandidateSchema.safeParse(c).success).toBe(true);
  });

  it('links to each paper page on the same base', () => {
    expect(result.links).toEqual(result.candidates.map((c) => `${HF}/papers/${c.arxivId}`));
  });

  it('maps a full entry', () => {
    const c = byId(result.candidates, '2402.13572');
    expect(c).toMatchObject({
      source: 'hf',
      url,
      fetchedAt: FETCHED_AT,
      parserVersion: 'hf-2',
      title: 'On the Expressive Power of a Variant of the Looped Transformer',
      authorCount: 9,
      publishedAt: '2024-02-21T07:07:54.000Z',
      upvotes: 12,
      codeUrls: [],
      withdrawn: false,
      links: {
        hf: `${HF}/papers/2402.13572`,
        abs: 'https://arxiv.org/abs/2402.13572',
        pdf: 'https://arxiv.org/pdf/2402.13572',
      },
    });
    expect(c.links?.project).toBeUndefined(); // projectPage: null
    expect(c.abstract).toMatch(
      /^Besides natural language processing, transformers exhibit extraordinary performance/,
    );
    expect(c.abstract).not.toMatch(/\n|\s{2}/); // arXiv line wraps collapsed
    // Keywords trimmed, empty dropped, case-insensitive duplicates dropped.
    expect(c.keywords).toEqual([
      'looped transformer',
      'AlgoFormer',
      'expressive power',
      'pre-transformer',
      'post-transformer',
    ]);
  });

  it('keeps hidden authors, in order', () => {
    const c = byId(result.candidates, '2402.13572');
    expect(c.authors).toEqual([
      'Yihang Gao',
      'Chuanyang Zheng',
      'Enze Xie',
      'Han Shi',
      'Tianyang Hu',
      'Yu Li',
      'Michael K. Ng',
      'Zhenguo Li',
      'Zhaoqiang Liu',
    ]);
    expect(byId(result.candidates, '2402.14905').authors).toContain('Liangzhen Lai');
    expect(byId(result.candidates, '2402.14905').authorCount).toBe(12);
  });

  it('decodes &quot; &amp; &lt; &gt; &#39; &#x27; in data-props', () => {
    const c = byId(result.candidates, '2402.14905');
    expect(c.abstract).toContain('driven by increasing cloud costs & latency concerns');
    expect(c.abstract).toContain('fewer than a billion parameters (<1B)');
    expect(c.abstract).toContain("it's the model's depth, not width, that matters (depth > width).");
    expect(c.abstract).toContain('2.7%/4.3% accuracy boost'); // raw TeX \%
    expect(byId(result.candidates, '2402.14531').abstract).toContain('quote speakers as "A" and \'B\'.');
  });

  it('decodes entities exactly once', () => {
    const c = byId(result.candidates, '2411.02959');
    expect(c.abstract).toContain('table structures (<table>, <td>)');
    expect(c.abstract).toContain('escaped text such as "&amp;" or "&lt;td&gt;" must stay as written');
  });

  it('resolves TeX in titles and abstracts and keeps accented and CJK names', () => {
    const c = byId(result.candidates, '2402.14531');
    expect(c.title).toBe(
      'Schrödinger Bridges for Naïve Multilingual Speech: Café Conversations in Français, Español and 日本語',
    );
    expect(c.abstract).toContain('in noisy café settings');
    expect(c.abstract).toContain('trained on 1,200 hours');
    expect(c.abstract).toContain('by 18% relative');
    expect(c.abstract).toContain('Whisper large-v3');
    expect(c.abstract).toContain('$50\\,\\mathrm{ms}$'); // math untouched
    expect(c.abstract).toContain('the CaféTalk corpus & an evaluation suite (cafe_eval)');
    // Names trimmed, empty name skipped, hidden kept.
    expect(c.authors).toEqual([
      'Renée Lefèvre',
      'José María Núñez',
      '田中 太郎',
      '李明',
      'Søren Kierkegård',
      'Zoë O’Brien',
    ]);
    expect(c.authorCount).toBe(6);
    expect(c.keywords).toEqual(['speech translation', 'café noise']);
  });

  it('takes code URLs from githubRepo and the abstract, canonical and deduplicated', () => {
    expect(byId(result.candidates, '2402.14905').codeUrls).toEqual([
      'https://github.com/facebookresearch/MobileLLM',
    ]);
    // githubRepo null; \url{…}, \href{…}{…} with \_ and a /tree/… link followed by ")".
    expect(byId(result.candidates, '2402.14531').codeUrls).toEqual([
      'https://github.com/naist-ahc/cafetalk',
      'https://github.com/naist-ahc/cafe_eval',
    ]);
    expect(byId(result.candidates, '2411.02959').codeUrls).toEqual(['https://github.com/plageon/HtmlRAG']);
  });

  it('reads projectPage when it is an http(s) URL', () => {
    expect(byId(result.candidates, '2402.14531').links?.project).toBe(
      'https://naist-ahc.github.io/cafetalk/',
    );
  });

  it('marks withdrawn papers and tolerates null fields', () => {
    const c = byId(result.candidates, '2402.13753');
    expect(c.withdrawn).toBe(true);
    expect(c.upvotes).toBe(0);
    expect(c.codeUrls).toEqual([]);
    expect(c.keywords).toBeUndefined();
    expect(c.links?.project).toBeUndefined();
  });

  it('gives the same records for a local server standing in for huggingface.co', () => {
    const local = parsePage(
      page('http://127.0.0.1:4567/papers/date/2024-02-22', hfFixture('date-2024-02-22.html')),
      LOCAL_BASES,
    );
    expect(local.candidates).toHaveLength(5);
    expect(local.links[0]).toBe('http://127.0.0.1:4567/papers/2402.13572');
    expect(local.candidates[0]?.links).toEqual({
      hf: 'http://127.0.0.1:4567/papers/2402.13572',
      abs: 'http://127.0.0.1:4568/abs/2402.13572',
      pdf: 'http://127.0.0.1:4568/pdf/2402.13572',
    });
  });
});

describe('other HF listing pages', () => {
  it('reads a week page (week-2023-W43.html)', () => {
    const url = `${HF}/papers/week/2023-W43`;
    const r = parsePage(page(url, hfFixture('week-2023-W43.html')), BASES);
    expect(r.route).toEqual({ source: 'hf', type: 'hf-week', period: { kind: 'week', value: '2023-W43' } });
    expect(r.candidates.map((c) => c.arxivId)).toEqual(['2310.13135', '2310.16898', '2401.00912']);
    const [letfuser, mcuformer, scatter] = r.candidates;
    expect(letfuser?.codeUrls).toEqual(['https://github.com/pagand/e2etransfuser']); // no githubRepo; /tree/cvpr-w in abstract
    expect(mcuformer?.codeUrls).toEqual(['https://github.com/liangyn22/MCUFormer']);
    expect(mcuformer?.abstract).toContain('73.62% top-1 accuracy');
    // githubRepo (other case, .git) first; the abstract's `…{…}.` duplicate dropped case-insensitively.
    expect(scatter?.codeUrls).toEqual(['https://github.com/SkyHeHe123/ScatterFormer']);
    expect(scatter?.keywords).toEqual([]);
  });

  it('reads the trending page (trending.html)', () => {
    const r = parsePage(page(`${HF}/papers/trending`, hfFixture('trending.html')), BASES);
    expect(r.route).toEqual({ source: 'hf', type: 'hf-trending' });
    expect(r.candidates.map((c) => [c.arxivId, c.upvotes])).toEqual([
      ['2208.06677', 88],
      ['2207.04044', 2],
      ['2406.06484', 2],
    ]);
    expect(r.candidates[1]?.codeUrls).toEqual([
      'https://github.com/google-research/deeplab2',
      'https://github.com/bytedance/kmax-deeplab',
    ]);
    expect(r.candidates[2]?.links?.project).toBe('https://sustcsonglin.github.io/blog/2024/deltanet-1/');
  });

  it('reads searchResults on a ?q= page (search-transformer-algorithm.html)', () => {
    const url = `${HF}/papers?q=transformer+algorithm`;
    const r = parsePage(page(url, hfFixture('search-transformer-algorithm.html')), BASES);
    expect(r.route).toEqual({ source: 'hf', type: 'hf-listing' });
    expect(r.candidates.map((c) => c.arxivId)).toEqual([
      '2402.13572',
      '2412.04703',
      '2406.06484',
      '2308.11509',
      '2211.15661',
    ]);
    expect(r.candidates.map((c) => c.title)).toContain('Transformers Struggle to Learn to Search');
    expect(r.candidates[4]?.authors[0]).toBe('Ekin Akyürek');
    expect(r.candidates[4]?.codeUrls).toEqual(['https://github.com/ekinakyurek/google-research']);
  });

  it('treats props.query.q as a search too', () => {
    const r = parsePage(page(`${HF}/papers`, hfFixture('search-transformer-algorithm.html')), BASES);
    expect(r.candidates.map((c) => c.arxivId)).toContain('2412.04703');
  });

  it('reads dailyPapers on a ?q= page without searchResults', () => {
    const r = parsePage(page(`${HF}/papers?q=normalization`, hfFixture('papers-latest.html')), BASES);
    expect(r.candidates.map((c) => c.arxivId)).toEqual(['2503.10622']);
  });

  it('returns zero candidates for an empty day (date-2025-03-15-empty.html)', () => {
    const r = parsePage(page(`${HF}/papers/date/2025-03-15`, hfFixture('date-2025-03-15-empty.html')), BASES);
    expect(r).toEqual({
      route: { source: 'hf', type: 'hf-daily', period: { kind: 'day', value: '2025-03-15' } },
      candidates: [],
      links: [],
    });
  });

  it('reads bare /papers (papers-latest.html)', () => {
    const r = parsePage(page(`${HF}/papers`, hfFixture('papers-latest.html')), BASES);
    expect(r.route).toEqual({ source: 'hf', type: 'hf-listing' });
    expect(r.candidates.map((c) => c.arxivId)).toEqual(['2503.10622']);
    expect(r.candidates[0]?.abstract).toContain('DyT($x$) = tanh($\\alpha x$)');
  });
});

describe('HF redirects', () => {
  it('attributes nothing to a date that redirected to /papers', () => {
    const url = `${HF}/papers/date/2025-03-16`;
    const r = parsePage(page(url, hfFixture('papers-latest.html'), `${HF}/papers`), BASES);
    expect(r).toEqual({
      route: { source: 'hf', type: 'hf-listing' },
      candidates: [],
      links: [],
      redirectedFrom: url,
    });
  });

  it('attributes nothing to a week that redirected to another week', () => {
    const url = `${HF}/papers/week/2023-W52`;
    const r = parsePage(page(url, hfFixture('week-2023-W43.html'), `${HF}/papers/week/2023-W43`), BASES);
    expect(r.candidates).toEqual([]);
    expect(r.redirectedFrom).toBe(url);
    expect(r.route.period).toEqual({ kind: 'week', value: '2023-W43' });
  });

  it('attributes nothing when the page shows another day than the URL (2024 behaviour)', () => {
    const url = `${HF}/papers/date/2025-03-16`;
    const r = parsePage(page(url, hfFixture('papers-latest.html')), BASES);
    expect(r.candidates).toEqual([]);
    expect(r.redirectedFrom).toBe(url);
  });

  it('does not treat the 2024 ?date= form landing on the same day as a redirect', () => {
    const r = parsePage(
      page(`${HF}/papers?date=2024-02-22`, hfFixture('date-2024-02-22.html'), `${HF}/papers/date/2024-02-22`),
      BASES,
    );
    expect(r.redirectedFrom).toBeUndefined();
    expect(r.candidates).toHaveLength(5);
  });
});

describe('HF listing failures', () => {
  it('throws ParseError naming the URL for broken JSON in the blob', () => {
    const url = `${HF}/papers/date/2025-03-13`;
    const run = () => parsePage(page(url, hfFixture('date-2025-03-13-broken-json.html')), BASES);
    expect(run).toThrow(ParseError);
    expect(run).toThrow(
      /cannot parse https:\/\/huggingface\.co\/papers\/date\/2025-03-13: DailyPapers hydration blob is not valid JSON/,
    );
    try {
      run();
    } catch (err: unknown) {
      expect(err).toMatchObject({ code: 'PARSE_ERROR', retry: 'permanent', context: { url, source: 'hf' } });
    }
  });

  it('falls back to the visible cards when there is no blob (date-2024-02-23-cards-only.html)', () => {
    const url = `${HF}/papers/date/2024-02-23`;
    const r = parsePage(page(url, hfFixture('date-2024-02-23-cards-only.html')), BASES);
    expect(r.candidates).toEqual([
      {
        source: 'hf',
        url,
        fetchedAt: FETCHED_AT,
        parserVersion: 'hf-2',
        arxivId: '2402.13572',
        title: 'On the Expressive Power of a Variant of the Looped Transformer',
        authors: [],
        authorCount: 0,
        upvotes: 12,
        links: {
          hf: `${HF}/papers/2402.13572`,
          abs: 'https://arxiv.org/abs/2402.13572',
          pdf: 'https://arxiv.org/pdf/2402.13572',
        },
      },
      {
        source: 'hf',
        url,
        fetchedAt: FETCHED_AT,
        parserVersion: 'hf-2',
        arxivId: '2402.14905',
        title: 'MobileLLM: Optimizing Sub-billion Parameter Language Models for On-Device Use Cases',
        authors: [],
        authorCount: 0,
        upvotes: 157,
        links: {
          hf: `${HF}/papers/2402.14905`,
          abs: 'https://arxiv.org/abs/2402.14905',
          pdf: 'https://arxiv.org/pdf/2402.14905',
        },
      },
    ]);
    expect(r.links).toEqual([`${HF}/papers/2402.13572`, `${HF}/papers/2402.14905`]);
  });

  it('throws ParseError for a page with neither blob nor cards (error-page.html)', () => {
    const url = `${HF}/papers/date/2024-02-23`;
    expect(() => parsePage(page(url, hfFixture('error-page.html')), BASES)).toThrow(
      new ParseError(url, 'no DailyPapers hydration blob', { source: 'hf' }),
    );
  });

  it('throws ParseError with the field path when an entry does not make a record', () => {
    const props = { dailyPapers: [{ paper: { id: '2402.13572', title: '  \n ', authors: [] }, title: '' }] };
    const body = `<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="${JSON.stringify(props).replace(/"/g, '&quot;')}"></div>`;
    expect(() => parsePage(page(`${HF}/papers/date/2024-02-22`, body), BASES)).toThrow(
      /dailyPapers\[0\] \(2402\.13572\) does not make a valid record: title: title is empty/,
    );
  });

  it('throws ParseError when an entry has no paper id', () => {
    const body = `<div data-target="DailyPapers" data-props="{&quot;dailyPapers&quot;:[{&quot;paper&quot;:{&quot;title&quot;:&quot;T&quot;}}]}"></div>`;
    expect(() => parsePage(page(`${HF}/papers/trending`, body), BASES)).toThrow(
      /dailyPapers\[0\] has no paper id/,
    );
  });

  it('throws PermanentError UNSUPPORTED_URL for a URL no parser reads', () => {
    expect(() => parsePage(page('https://example.org/papers', '<html></html>'), BASES)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_URL' }),
    );
  });
});
