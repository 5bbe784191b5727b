import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPlan } from './options.js';

describe('exportPlan', () => {
  it('normalizes the options: an absolute out, since as a UTC time, vectors off, 500 a page', () => {
    expect(exportPlan({ format: 'parquet', out: 'papers.parquet', since: '2025-03-14' })).toEqual({
      format: 'parquet',
      out: resolve('papers.parquet'),
      since: { updatedAt: '2025-03-14T00:00:00.000Z' },
      withVectors: false,
      pageSize: 500,
    });
  });

  it('takes an ISO time with a zone for --since', () => {
    expect(exportPlan({ format: 'jsonl', out: 'x', since: '2025-03-14T09:30:00+02:00' }).since).toEqual({
      updatedAt: '2025-03-14T07:30:00.000Z',
    });
  });

  it('takes a change-feed cursor for --since, as given', () => {
    expect(exportPlan({ format: 'jsonl', out: 'x', since: '1796558979116:1796558979116-3' }).since).toEqual({
      cursor: '1796558979116:1796558979116-3',
    });
    expect(exportPlan({ format: 'jsonl', out: 'x', since: '0' }).since).toEqual({ cursor: '0' });
  });

  it.each([
    ['--format', { format: 'csv' }, "must be one of jsonl, parquet, got 'csv'"],
    ['--since', { since: 'yesterday' }, "got 'yesterday'"],
    ['--since', { since: '2025-02-30' }, "got '2025-02-30'"],
    ['--since', { since: '2025-03-14T09:30:00' }, 'with a zone'],
    ['--since', { since: '17965:abc' }, 'or a change-feed cursor'],
    ['--query', { query: '  ' }, 'is empty'],
    ['--query', { query: 'x'.repeat(501) }, 'longer than 500 characters'],
    ['--out', { out: '' }, 'is empty'],
    ['--out', { out: 'exports/' }, 'must name a file'],
    ['pageSize', { pageSize: 0 }, 'from 1 to 10000'],
  ])('refuses a bad %s with EXPORT_INVALID naming it', (option, patch, message) => {
    expect(() => exportPlan({ format: 'jsonl', out: 'x.jsonl', ...patch })).toThrow(
      expect.objectContaining({
        code: 'EXPORT_INVALID',
        context: { option },
        message: expect.stringMatching(new RegExp(`^${option}: .*${escape(message)}`)),
      }),
    );
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
