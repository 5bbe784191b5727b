import { describe, expect, it } from 'vitest';
import { backoffDelay, MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('reads HTTP-dates in all three formats', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wednesday, 01-Jan-25 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed Jan  1 00:00:10 2025', now)).toBe(10_000);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });

  it('caps long delays at one hour', () => {
    expect(parseRetryAfter('86400', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('Fri, 01 Jan 2027 00:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('returns undefined for missing or unreadable values', () => {
    for (const v of [undefined, '', '  ', '-5', 'soon', '5 minutes', 'Foo, 99 Bar 2025', '1e3']) {
      expect(parseRetryAfter(v, now)).toBeUndefined();
    }
  });
});

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt (full jitter: random * ceiling)', () => {
    const top = () => 0.999999;
    expect(backoffDelay(1, { baseMs: 1000, random: top })).toBe(999);
    expect(backoffDelay(2, { baseMs: 1000, random: top })).toBe(1999);
    expect(backoffDelay(4, { baseMs: 1000, random: top })).toBe(7999);
  });

  it('is capped at maxMs and never negative', () => {
    expect(backoffDelay(50, { baseMs: 1000, maxMs: 5000, random: () => 0.999999 })).toBe(4999);
    expect(backoffDelay(10_000, { random: () => 0.5 })).toBe(30_000);
    expect(backoffDelay(3, { random: () => 0 })).toBe(0);
    expect(backoffDelay(0, { baseMs: 100, random: () => 0.5 })).toBe(50);
    expect(backoffDelay(Number.NaN, { baseMs: 100, random: () => 0.5 })).toBe(50);
  });

  it('spreads delays across the window', () => {
    const values = Array.from({ length: 200 }, () => backoffDelay(3, { baseMs: 1000 }));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(4000);
    expect(new Set(values).size).toBeGreaterThan(50);
  });
});
