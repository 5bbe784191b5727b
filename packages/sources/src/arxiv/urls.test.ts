import { describe, expect, it } from 'vitest';
import { arxivAbsUrl, arxivApiUrlsForIds, ARXIV_API_BATCH, ARXIV_API_ROUTE, routeUrl } from '../index.js';
import { BASES, LOCAL_BASES } from '../test-support.js';

const API = 'https://export.arxiv.org/api/query';

describe('arxivApiUrlsForIds', () => {
  it('asks for a small batch in one URL, with max_results = batch size', () => {
    expect(arxivApiUrlsForIds(['2402.13572', 'arXiv:2403.13187', 'hep-th/9901001v2'], API)).toEqual([
      `${API}?id_list=2402.13572,2403.13187,hep-th/9901001v2&max_results=3`,
    ]);
  });

  it('splits into batches of at most 100 ids, in order', () => {
    const ids = Array.from({ length: 250 }, (_, i) => `2402.${String(10000 + i)}`);
    const urls = arxivApiUrlsForIds(ids, API);
    expect(ARXIV_API_BATCH).toBe(100);
    expect(urls).toHaveLength(3);
    const batches = urls.map((u) => new URL(u).searchParams);
    expect(batches.map((q) => q.get('max_results'))).toEqual(['100', '100', '50']);
    expect(batches.flatMap((q) => (q.get('id_list') ?? '').split(','))).toEqual(ids);
    for (const u of urls) expect(routeUrl(u, BASES)).toEqual(ARXIV_API_ROUTE);
    expect(ARXIV_API_ROUTE).toEqual({ source: 'arxiv', type: 'arxiv-api' });
  });

  it('drops duplicates and strings that are not arXiv ids', () => {
    expect(
      arxivApiUrlsForIds(['2402.13572', 'https://arxiv.org/abs/2402.13572', 'nope', '', '1234.12345'], API),
    ).toEqual([`${API}?id_list=2402.13572&max_results=1`]);
    expect(arxivApiUrlsForIds([], API)).toEqual([]);
    expect(arxivApiUrlsForIds(['2402.13572'], 'not a url')).toEqual([]);
  });

  it('works with a local API base', () => {
    expect(arxivApiUrlsForIds(['2402.13572'], LOCAL_BASES.arxivApiUrl)).toEqual([
      'http://127.0.0.1:4569/api/query?id_list=2402.13572&max_results=1',
    ]);
  });
});

describe('arxivAbsUrl', () => {
  it('builds the abstract URL on the configured base, without version', () => {
    expect(arxivAbsUrl('2402.13572v2', BASES)).toBe('https://arxiv.org/abs/2402.13572');
    expect(arxivAbsUrl('math.GT/0309136', BASES)).toBe('https://arxiv.org/abs/math/0309136');
    expect(arxivAbsUrl('10.48550/arXiv.2403.13187', LOCAL_BASES)).toBe(
      'http://127.0.0.1:4568/abs/2403.13187',
    );
    expect(arxivAbsUrl('not an id', BASES)).toBeNull();
  });
});
