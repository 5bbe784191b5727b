import { describe, expect, it } from 'vitest';
import { PaperlineError } from '@paperline/contracts';
import { purgeCutoff } from './purge.js';

const now = new Date('2026-03-31T12:00:00.000Z');

describe('purge --older-than', () => {
  it('takes a duration with a unit, counted back from now', () => {
    expect(purgeCutoff('30d', now).toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(purgeCutoff('12h', now).toISOString()).toBe('2026-03-31T00:00:00.000Z');
    expect(purgeCutoff('2w', now).toISOString()).toBe('2026-03-17T12:00:00.000Z');
    expect(purgeCutoff('0s', now).toISOString()).toBe(now.toISOString());
  });

  it('takes a date or an ISO time', () => {
    expect(purgeCutoff('2025-01-31', now).toISOString()).toBe('2025-01-31T00:00:00.000Z');
    expect(purgeCutoff('2025-01-31T06:30:00Z', now).toISOString()).toBe('2025-01-31T06:30:00.000Z');
  });

  it('refuses anything else with INVALID_PAYLOAD naming the option and the value', () => {
    for (const bad of ['30', 'soon', '-1d', '2025-13-45', '']) {
      let err: unknown;
      try {
        purgeCutoff(bad, now);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(PaperlineError);
      expect((err as PaperlineError).code).toBe('INVALID_PAYLOAD');
      expect((err as PaperlineError).message).toContain(`--older-than must be a duration`);
    }
  });
});
