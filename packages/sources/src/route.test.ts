import { describe, expect, it } from 'vitest';
import { routeUrl } from './index.js';
import { BASES, LOCAL_BASES } from './test-support.js';

describe('routeUrl', () => {
  it.each([
    ['https://huggingface.co/papers', { source: 'hf', type: 'hf-listing' }],
    ['https://huggingface.co/papers/', { source: 'hf', type: 'hf-listing' }],
    ['https://huggingface.co/papers?q=transformer+algorithm', { source: 'hf', type: 'hf-listing' }],
    [
      'https://huggingface.co/papers/date/2025-03-14',
      { source: 'hf', type: 'hf-daily', period: { kind: 'day', value: '2025-03-14' } },
    ],
    [
      'https://huggingface.co/papers?date=2024-02-28',
      { source: 'hf', type: 'hf-daily', period: { kind: 'day', value: '2024-02-28' } },
    ],
    [
      'https://huggingface.co/papers/week/2025-W09',
      { source: 'hf', type: 'hf-week', period: { kind: 'week', value: '2025-W09' } },
    ],
    [
      'https://huggingface.co/papers/week/2025-w09?q=x',
      { source: 'hf', type: 'hf-week', period: { kind: 'week', value: '2025-W09' } },
    ],
    [
      'https://huggingface.co/papers/month/2025-02',
      { source: 'hf', type: 'hf-month', period: { kind: 'month', value: '2025-02' } },
    ],
    ['https://huggingface.co/papers/trending', { source: 'hf', type: 'hf-trending' }],
    ['https://huggingface.co/papers/trending?q=diffusion#top', { source: 'hf', type: 'hf-trending' }],
    ['https://huggingface.co/papers/2402.13572', { source: 'hf', type: 'hf-paper' }],
    ['https://huggingface.co/papers/2402.13572#community', { source: 'hf', type: 'hf-paper' }],
    ['https://huggingface.co/api/daily_papers', { source: 'hf', type: 'hf-api-daily' }],
    [
      'https://huggingface.co/api/daily_papers?date=2024-02-22&limit=100',
      { source: 'hf', type: 'hf-api-daily', period: { kind: 'day', value: '2024-02-22' } },
    ],
    [
      'https://huggingface.co/api/daily_papers?week=2025-W09',
      { source: 'hf', type: 'hf-api-daily', period: { kind: 'week', value: '2025-W09' } },
    ],
    [
      'https://huggingface.co/api/daily_papers?month=2025-02&p=1',
      { source: 'hf', type: 'hf-api-daily', period: { kind: 'month', value: '2025-02' } },
    ],
    ['https://huggingface.co/api/papers/2402.14905', { source: 'hf', type: 'hf-api-paper' }],
    ['https://huggingface.co/api/papers/search?q=x', { source: 'hf', type: 'hf-api-search' }],
    [
      'https://huggingface.co/api/papers/search?q=transformer+algorithm&limit=120',
      { source: 'hf', type: 'hf-api-search' },
    ],
  ])('%s', (url, route) => {
    expect(routeUrl(url, BASES)).toEqual(route);
  });

  it.each([
    'https://example.org/papers/date/2025-03-14', // foreign host
    'http://huggingface.co/papers', // other scheme than the base
    'https://huggingface.co:8443/papers', // other port
    'https://www.huggingface.co/papers', // other host
    'https://huggingface.co/models',
    'https://huggingface.co/papers/2402.13572.md',
    'https://huggingface.co/papers/date/latest',
    'https://huggingface.co/papers/date/2025-03-14/extra',
    'https://huggingface.co/papers/week/2025-09',
    'https://huggingface.co/api/papers/search', // no query
    'https://huggingface.co/api/papers/search?q=%20&limit=10',
    'https://huggingface.co/api/papers/search/extra?q=x',
    'not a url',
    '',
  ])('%s is not ours', (url) => {
    expect(routeUrl(url, BASES)).toBeNull();
  });

  it('follows a custom HF_BASE_URL (a local server standing in for huggingface.co)', () => {
    expect(routeUrl('http://127.0.0.1:4567/papers/date/2024-03-18', LOCAL_BASES)).toEqual({
      source: 'hf',
      type: 'hf-daily',
      period: { kind: 'day', value: '2024-03-18' },
    });
    expect(routeUrl('http://127.0.0.1:4567/papers/2402.13572', LOCAL_BASES)).toEqual({
      source: 'hf',
      type: 'hf-paper',
    });
    expect(routeUrl('http://127.0.0.1:4567/api/daily_papers', LOCAL_BASES)).toEqual({
      source: 'hf',
      type: 'hf-api-daily',
    });
    expect(routeUrl('https://huggingface.co/papers/2402.13572', LOCAL_BASES)).toBeNull();
    expect(routeUrl('http://127.0.0.1:4568/papers/2402.13572', LOCAL_BASES)).toBeNull();
  });

  it('accepts a base with a path and a trailing slash', () => {
    const bases = { ...LOCAL_BASES, hfBaseUrl: 'http://127.0.0.1:4567/hf/' };
    expect(routeUrl('http://127.0.0.1:4567/hf/papers/trending', bases)).toEqual({
      source: 'hf',
      type: 'hf-trending',
    });
    expect(routeUrl('http://127.0.0.1:4567/papers/trending', bases)).toBeNull();
    expect(routeUrl('http://127.0.0.1:4567/hfx/papers/trending', bases)).toBeNull();
  });

  it('returns null for an unusable base', () => {
    expect(routeUrl('https://huggingface.co/papers', { ...BASES, hfBaseUrl: 'not a url' })).toBeNull();
  });
});
