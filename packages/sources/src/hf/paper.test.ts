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

  it('reads ai_summary, and leaves out the repository, organization and counts it does not give', () => {
    const c = r.candidates[0];
    expect(c?.aiSummary).toBe(
      'AlgoFormer, a novel transformer block, enhances algorithmic capabilities and expressiveness in solving complex problems.',
    );
    for (const f of ['githubRepo', 'githubStars', 'organization', 'linkedModelCount', 'linkedSpaceCount'])
      expect(c, f).not.toHaveProperty(f);
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
        githubRepo: 'https://github.com/facebookresearch/MobileLLM',
        githubStars: 1302,
        organization: { name: 'facebook', fullname: 'AI at Meta' },
        // numTotal* win over the (cut short) linked* arrays: linkedSpaces is [] but numTotalSpaces 3.
        linkedModelCount: 14,
        linkedDatasetCount: 0,
        linkedSpaceCount: 3,
      }),
    ]);
    expect(r.candidates[0]).not.toHaveProperty('aiSummary'); // this paper has no ai_summary
  });

  describe('/api/papers/search (api-papers-search-transformer.json)', () => {
    const url = `${HF}/api/papers/search?q=transformer+algorithm`;
    const body = hfFixture('api-papers-search-transformer.json');
    const r = parsePage(page(url, body, url, 'application/json'), BASES);

    it('reads each result as a candidate and links to the paper pages', () => {
      expect(r.route).toEqual({ source: 'hf', type: 'hf-api-search' });
      expect(r.candidates.map((c) => c.arxivId)).toEqual([
        '2402.13572',
        '2412.04703',
        '2406.06484',
        '2308.11509',
      ]);
      expect(r.links).toEqual(r.candidates.map((c) => `${HF}/papers/${c.arxivId}`));
      for (const c of r.candidates) expect(PaperCandidateSchema.safeParse(c).success).toBe(true);
    });

    it('reads the HF fields where a result has them, on the paper or on the result', () => {
      expect(r.candidates[0]).toMatchObject({
        organization: { name: 'example-lab', fullname: 'Example Lab' },
        aiSummary: expect.stringMatching(/^AlgoFormer, a novel transformer block/),
      });
      expect(r.candidates[0]?.links).not.toHaveProperty('project'); // projectPage null
      expect(r.candidates[2]).toMatchObject({
        githubRepo: 'https://github.com/sustcsonglin/flash-linear-attention',
        githubStars: 1234,
        organization: { name: 'mit-han-lab', fullname: 'MIT HAN Lab' },
        links: { project: 'https://sustcsonglin.github.io/blog/2024/deltanet-1/' },
      });
    });

    it('leaves out null and absent fields', () => {
      expect(r.candidates[3]).toMatchObject({ githubRepo: 'https://github.com/lxq1000/SwinFace' });
      for (const f of ['githubStars', 'aiSummary', 'organization', 'linkedModelCount'])
        expect(r.candidates[3], f).not.toHaveProperty(f);
      expect(r.candidates[1]).not.toHaveProperty('githubRepo');
    });

    it('reads [] (no match) as zero candidates, and throws ParseError for a non-array', () => {
      expect(parsePage(page(url, '[]', url, 'application/json'), BASES).candidates).toEqual([]);
      expect(() => parsePage(page(url, '{"error":"q is too long"}', url, 'application/json'), BASES)).toThrow(
        new ParseError(url, 'expected a JSON array of results: q is too long', { source: 'hf' }),
      );
    });

    it('throws ParseError naming the result without a paper', () => {
      expect(() => parsePage(page(url, '[{"title":"T"}]', url, 'application/json'), BASES)).toThrow(
        new ParseError(url, 'results[0] has no paper object', { source: 'hf' }),
      );
    });
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
