import { setTimeout as sleep } from 'node:timers/promises';
import { errors } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { ParseError, PermanentError, RateLimitedError, TransientError } from '@paperline/contracts';
import { classifyFailure } from './runner.js';

const aborted = async (): Promise<unknown> => {
  const c = new AbortController();
  c.abort('shutdown');
  return sleep(10, undefined, { signal: c.signal }).catch((e: unknown) => e);
};

describe('classifyFailure: which handler a failure goes to', () => {
  it('sends typed errors by their retry class', () => {
    expect(classifyFailure(new PermanentError('HTTP_NOT_FOUND', '404'), false)).toBe('permanent');
    expect(classifyFailure(new ParseError('http://x/', 'no props'), false)).toBe('permanent');
    expect(classifyFailure(new RateLimitedError('429', 5000), false)).toBe('rate-limited');
    expect(classifyFailure(new TransientError('HTTP_SERVER_ERROR', '503'), false)).toBe('retryable');
    expect(classifyFailure(new TransientError('JOB_TIMEOUT', 'over 300 ms'), false)).toBe('retryable');
  });

  it('sends Elasticsearch outages, typed or straight from the client, to the outage wait', () => {
    expect(classifyFailure(new TransientError('INDEX_UNAVAILABLE', 'bulk failed'), false)).toBe(
      'dependency-outage',
    );
    const down = new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200');
    expect(classifyFailure(down, false)).toBe('dependency-outage');
    expect(classifyFailure(new Error('wrapped', { cause: down }), false)).toBe('dependency-outage');
  });

  it('sends anything else untyped to the unexpected handler', () => {
    expect(classifyFailure(new TypeError('x is undefined'), false)).toBe('unexpected');
    expect(classifyFailure('a string', false)).toBe('unexpected');
  });

  it('a wait ended by shutdown is an interruption, but only while the worker is closing', async () => {
    const err = await aborted();
    expect(classifyFailure(err, true)).toBe('interrupted');
    expect(classifyFailure(err, false)).toBe('unexpected');
    // A real failure met during shutdown keeps its class.
    expect(classifyFailure(new PermanentError('HTTP_NOT_FOUND', '404'), true)).toBe('permanent');
  });
});
