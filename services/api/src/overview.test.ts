import { describe, expect, it } from 'vitest';
import type { Metrics } from 'bullmq';
import { groupFailures, perMinute } from './overview.js';
import { credentialsMatch } from './auth.js';
import { exposureProblem, isLoopback, loadApiOptions } from './config.js';

const MIN = 60_000;
const metrics = (count: number, prevCount: number, prevTS: number, data: number[]): Metrics => ({
  meta: { count, prevCount, prevTS },
  data,
  count: data.length,
});

describe('perMinute', () => {
  const now = 1000 * MIN + 30_000; // half-way through minute 1000

  it('places BullMQ data points on the minutes they counted, the current minute last', () => {
    // Last completion in minute 999; data[0] is minute 998, data[1] minute 997.
    const m = metrics(20, 16, 999 * MIN + 10, [3, 7]);
    expect(perMinute(m, now, 5)).toEqual([0, 7, 3, 4, 0]);
  });

  it('shows nothing for a queue that never completed a job, and nothing older than the window', () => {
    expect(perMinute(metrics(0, 0, 0, []), now, 3)).toEqual([0, 0, 0]);
    expect(perMinute(metrics(9, 9, 900 * MIN, [9]), now, 3)).toEqual([0, 0, 0]);
  });
});

describe('groupFailures', () => {
  it('groups by stage and code, most frequent first, keeping the latest example', () => {
    const row = (stage: string, code: string, failedAt: string) => ({
      stage,
      code,
      message: `${code} at ${failedAt}`,
      url: 'u',
      failedAt,
    });
    const groups = groupFailures([
      row('fetch', 'HTTP_TIMEOUT', '2025-01-01T00:00:01Z'),
      row('parse', 'PARSE_ERROR', '2025-01-01T00:00:00Z'),
      row('fetch', 'HTTP_TIMEOUT', '2025-01-01T00:00:09Z'),
    ]);
    expect(groups.map((g) => [g.stage, g.code, g.count])).toEqual([
      ['fetch', 'HTTP_TIMEOUT', 2],
      ['parse', 'PARSE_ERROR', 1],
    ]);
    expect(groups[0]!.lastMessage).toBe('HTTP_TIMEOUT at 2025-01-01T00:00:09Z');
  });
});

describe('auth and exposure', () => {
  const token = 'abcdefghijkl-123';
  it('accepts the token as Bearer or as the basic-auth password only', () => {
    expect(credentialsMatch(`Bearer ${token}`, token)).toBe(true);
    expect(credentialsMatch(`Basic ${Buffer.from(`x:${token}`).toString('base64')}`, token)).toBe(true);
    expect(credentialsMatch(`Basic ${Buffer.from(`${token}:x`).toString('base64')}`, token)).toBe(false);
    expect(credentialsMatch(`Bearer ${token}x`, token)).toBe(false);
    expect(credentialsMatch(undefined, token)).toBe(false);
  });

  it('refuses a non-loopback bind without a token unless told it is fine', () => {
    expect(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost')).toBe(true);
    expect(isLoopback('0.0.0.0') || isLoopback('10.0.0.5') || isLoopback('::')).toBe(false);
    expect(exposureProblem({ host: '0.0.0.0', insecure: false, protectAll: false })).toMatch(
      /PAPERLINE_API_TOKEN/,
    );
    expect(exposureProblem({ host: '0.0.0.0', insecure: true, protectAll: false })).toBeUndefined();
    expect(exposureProblem({ host: '0.0.0.0', token, insecure: false, protectAll: false })).toBeUndefined();
    expect(() => loadApiOptions({ PAPERLINE_API_HOST: '0.0.0.0' })).toThrow(
      /refusing to listen on 0\.0\.0\.0/,
    );
    expect(() => loadApiOptions({ PAPERLINE_API_TOKEN: 'short' })).toThrow(/too short/);
    expect(() => loadApiOptions({ PAPERLINE_API_PORT: '99999' })).toThrow(/PAPERLINE_API_PORT/);
    expect(loadApiOptions({})).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      rateLimitPerMinute: 300,
      protectAll: false,
    });
  });
});
