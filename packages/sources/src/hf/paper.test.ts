import { ParseError, PaperCandidateSchema } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { parsePage } from '../index.js';
import { BASES, FETCHED_AT, hfFixture, page } from '../test-support.js';

const HF = 'https://huggingface.co';

describe('HF paper page (paper-2402.13572.html)', () => {
  const url = `${HF}/papers/2402.13572`;
  const r = parsePage(page(url, hfFixture('paper-2402.13572.html')), BASES);

  it('reads the PaperContent blob and links nowhere', () => {
    expect(r.route).toEqual({ source: 'hf', type: 'hf-paper' });
    expect(r.links).toEqual([]);
    expect(r.candidates).toHaveLength(1);
    const c = r.candidates[0];
    expect(PaperCandidateSchema.safeParse(c).success).toBe(true);
    expect(c).toMatchObject({
      source: 'hf',
      url,
      fetchedAt: FETCHED_AT,
      arxivId: '2402.13572',
      title: 'On the Expressive Power of a Variant of the Looped Transformer',
      authorCount: 9,
      upvotes: 12,
      publishedAt: '2024-02-21T07:07:54.000Z',
      withdrawn: false,
    });
    expect(c?.authors).toContain('Zhenguo Li'); // hidden
  });

  it('throws ParseError on a paper URL whose body has no PaperContent blob', () => {
    expect(() => parsePage(page(url, hfFixture('date-2024-02-22.html')), BASES)).toThrow(
      new ParseError(url, 'no PaperContent hydration blob', { source: 'hf' }),
    );
  });
});

describe('HF JSON API', () => {
  it('reads /api/daily_papers (an array of Entry)', () => {
    const url = `${HF}/api/daily_papers?date=2024-02-22`;
    const r = parsePage(
      page(url, hfFixture('api-daily_papers-2024-02-22.json'), url, 'application/json'),
      BASES,
    );
    expect(r.route).toEqual({
      source: 'hf',
      type: 'hf-api-daily',
      period: { kind: 'day', value: '2024-02-22' },
    });
    expect(r.candidates.map((c) => [c.arxivId, c.upvotes, c.withdrawn])).toEqual([
      ['2402.13572', 12, false],
      ['2402.14905', 157, false],
      ['2402.13753', 0, true],
    ]);
    expect(r.links).toEqual([
      `${HF}/papers/2402.13572`,
      `${HF}/papers/2402.14905`,
      `${HF}/papers/2402.13753`,
    ]);
  });

  it('reads [] past the end as zero candidates', () => {
    const url = `${HF}/api/daily_papers?date=2024-02-24&p=3`;
    expect(parsePage(page(url, '[]', url, 'application/json'), BASES).candidates).toEqual([]);
  });

  it('reads /api/papers/{id} (a flat paper)', () => {
    const url = `${HF}/api/papers/2402.14905`;
    const r = parsePage(page(url, hfFixture('api-papers-2402.14905.json'), url, 'application/json'), BASES);
    expect(r.route).toEqual({ source: 'hf', type: 'hf-api-paper' });
    expect(r.links).toEqual([]);
    expect(r.candidates).toEqual([
      expect.objectContaining({
        arxivId: '2402.14905',
        title: 'MobileLLM: Optimizing Sub-billion Parameter Language Models for On-Device Use Cases',
        authorCount: 12,
        upvotes: 157,
        codeUrls: ['https://github.com/facebookresearch/MobileLLM'],
        keywords: [
          'sub-billion parameter',
          'grouped-query attention',
          'embedding sharing',
          'block-wise weight sharing',
        ],
      }),
    ]);
  });

  it('throws ParseError for bodies that are not the expected JSON', () => {
    const daily = `${HF}/api/daily_papers`;
    expect(() => parsePage(page(daily, '<html>502 Bad Gateway</html>', daily, 'text/html'), BASES)).toThrow(
      /cannot parse https:\/\/huggingface\.co\/api\/daily_papers: response is not valid JSON/,
    );
    expect(() =>
      parsePage(page(daily, '{"error":"Invalid date"}', daily, 'application/json'), BASES),
    ).toThrow(/expected a JSON array of entries: Invalid date/);
    const paper = `${HF}/api/papers/2402.99999`;
    expect(() =>
      parsePage(page(paper, '{"error":"Paper not found"}', paper, 'application/json'), BASES),
    ).toThrow(/expected a paper object with an id: Paper not found/);
  });
});
