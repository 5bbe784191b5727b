import { describe, expect, it } from 'vitest';
import { errors } from '@elastic/elasticsearch';
import { PermanentError, TransientError } from '@paperline/contracts';
import { isStoreUnavailable } from '@paperline/core/es';
import { storeWaitDelay } from '@paperline/core/pipeline';

type DiagnosticResult = ConstructorParameters<typeof errors.ResponseError>[0];

const response = (statusCode: number) =>
  new errors.ResponseError({
    statusCode,
    body: { error: { type: 'x' } },
    headers: {},
    warnings: null,
    meta: {},
  } as unknown as DiagnosticResult);

describe('an Elasticsearch outage is told apart from a bad job', () => {
  it.each([
    ['connection refused', new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9270'), true],
    ['no living node', new errors.NoLivingConnectionsError('none', {} as unknown as DiagnosticResult), true],
    ['request timeout', new errors.TimeoutError('timeout'), true],
    ['503 shards recovering', response(503), true],
    ['429 rejected execution', response(429), true],
    ['400 bad request', response(400), false],
    ['404 not found', response(404), false],
    [
      'wrapped as the cause of a stage error',
      new TransientError('INDEX_UNAVAILABLE', 'bulk failed', { cause: new errors.ConnectionError('x') }),
      true,
    ],
    ['an HTTP fetch failure', new TransientError('HTTP_CONNECTION', 'reset'), false],
    ['a permanent error', new PermanentError('PARSE_ERROR', 'bad page'), false],
    ['anything else', new Error('boom'), false],
  ])('%s → %s', (_what, err, expected) => {
    expect(isStoreUnavailable(err)).toBe(expected);
  });

  it('jobs waiting it out back off from 0.25-0.5 s to at most 10 s, never spinning', () => {
    expect(storeWaitDelay(1, () => 0)).toBe(250);
    expect(storeWaitDelay(1, () => 1)).toBe(500);
    expect(storeWaitDelay(3, () => 0)).toBe(1000);
    expect(storeWaitDelay(50, () => 0)).toBe(5000);
    expect(storeWaitDelay(50, () => 1)).toBe(10_000);
  });
});
