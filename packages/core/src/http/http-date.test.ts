import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseHttpDate } from './http-date.js';

const at = (iso: string) => Date.parse(iso);
const now = at('2025-01-01T00:00:00Z');

/** The same moment in the three forms an HTTP-date may take. */
const FORMS = {
  imfFixdate: 'Wed, 01 Jan 2025 00:00:10 GMT',
  rfc850: 'Wednesday, 01-Jan-25 00:00:10 GMT',
  asctime: 'Wed Jan  1 00:00:10 2025',
};

/**
 * Runs `expression` (with `parseHttpDate` and `parseRetryAfter` in scope) in a fresh Node process
 * whose time zone is `tz`, and returns its JSON result with the zone's UTC offset in January.
 */
function inTimeZone(tz: string, expression: string): { offsetMinutes: number; result: unknown } {
  const script = `
    const { parseHttpDate } = await import(${JSON.stringify(new URL('./http-date.ts', import.meta.url).href)});
    const { parseRetryAfter } = await import(${JSON.stringify(new URL('./retry.ts', import.meta.url).href)});
    const result = ${expression};
    process.stdout.write(JSON.stringify({ offsetMinutes: new Date(2025, 0, 1).getTimezoneOffset(), result }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, TZ: tz },
    cwd: new URL('../../../../', import.meta.url),
    encoding: 'utf8',
  });
  return JSON.parse(out) as { offsetMinutes: number; result: unknown };
}

describe('parseHttpDate', () => {
  it('reads the three forms as the same UTC moment', () => {
    for (const text of Object.values(FORMS)) expect(parseHttpDate(text, now), text).toBe(now + 10_000);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')).toBe(at('1994-11-06T08:49:37Z'));
    expect(parseHttpDate('Thu Oct 23 18:05:09 2025')).toBe(at('2025-10-23T18:05:09Z'));
    expect(parseHttpDate('Sun, 6 Nov 1994 08:49:37 GMT')).toBe(at('1994-11-06T08:49:37Z'));
  });

  it('reads them as UTC in a process whose time zone is not UTC (America/New_York)', () => {
    const { offsetMinutes, result } = inTimeZone(
      'America/New_York',
      `[${Object.values(FORMS)
        .map((f) => `parseHttpDate(${JSON.stringify(f)}, ${now})`)
        .join(', ')}, parseRetryAfter(${JSON.stringify(FORMS.asctime)}, ${now})]`,
    );
    expect(offsetMinutes).toBe(300); // the zone really applied: UTC-5 in January
    expect(result).toEqual([now + 10_000, now + 10_000, now + 10_000, 10_000]);
  });

  it('puts an RFC 850 two-digit year at most 50 years after now', () => {
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(at('1994-11-06T08:49:37Z'));
    expect(parseHttpDate('Friday, 01-Jan-75 00:00:00 GMT', now)).toBe(at('2075-01-01T00:00:00Z'));
    expect(parseHttpDate('Saturday, 01-Jan-76 00:00:00 GMT', now)).toBe(at('1976-01-01T00:00:00Z'));
  });

  it('refuses other shapes and days that do not exist', () => {
    for (const text of [
      '',
      '2025-01-01T00:00:00Z',
      'Wed, 01 Jan 2025 00:00:10 EST',
      'Wed, 01 Jan 2025 00:00:10',
      'Wed, 31 Feb 2025 00:00:10 GMT',
      'Wed, 01 Foo 2025 00:00:10 GMT',
      'Wed, 01 Jan 2025 24:00:00 GMT',
      'Foo, 01 Jan 2025 00:00:10 GMT',
      'Wed Jan  1 00:00:10 2025 GMT',
      'Wednesday, 01-Jan-2025 00:00:10 GMT',
    ]) {
      expect(parseHttpDate(text, now), text).toBeUndefined();
    }
  });
});
