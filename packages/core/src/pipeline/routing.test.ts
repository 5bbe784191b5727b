import { describe, expect, it } from 'vitest';
import { jobIdFor } from './routing.js';

const url = 'http://127.0.0.1:9/papers/date/2024-03-20';
const hash = (c: string) => c.repeat(64);

describe('jobIdFor', () => {
  it("gives the embedder's index job of a paper its own id, apart from the page's index job", () => {
    const page = jobIdFor('index', { crawlId: 'c1', url, docs: [] });
    const vector = (textHash: string) =>
      jobIdFor('index', { crawlId: 'c1', url, docs: [], embedding: { id: 'arxiv:2403.1', textHash } });
    expect(vector(hash('a'))).not.toBe(page);
    expect(vector(hash('a'))).toBe(vector(hash('a')));
    expect(vector(hash('b'))).not.toBe(vector(hash('a')));
  });

  it('gives one embed job per paper and text in a crawl, whichever page asked', () => {
    const embed = (pageUrl: string, id: string, textHash: string) =>
      jobIdFor('embed', { crawlId: 'c1', url: pageUrl, id, textHash });
    expect(embed(url, 'arxiv:2403.1', hash('a'))).toBe(embed(`${url}?p=2`, 'arxiv:2403.1', hash('a')));
    expect(embed(url, 'arxiv:2403.1', hash('b'))).not.toBe(embed(url, 'arxiv:2403.1', hash('a')));
    expect(embed(url, 'arxiv:2403.2', hash('a'))).not.toBe(embed(url, 'arxiv:2403.1', hash('a')));
    expect(embed(url, 'arxiv:2403.1', hash('a'))).toMatch(/^c1\.embed\.[0-9a-f]{20}$/);
  });

  it('gives one enrichment job per page of a crawl, and each successor round its own', () => {
    const enrich = (round?: number) =>
      jobIdFor('enrich', { crawlId: 'c1', url, ...(round === undefined ? {} : { round }) });
    expect(enrich()).toBe(enrich());
    expect(enrich()).toMatch(/^c1\.enrich\.[0-9a-f]{20}$/);
    expect(new Set([enrich(), enrich(1), enrich(2)]).size).toBe(3);
    expect(enrich(1)).toBe(enrich(1));
    expect(jobIdFor('enrich', { crawlId: 'c2', url })).not.toBe(enrich());
  });
});
