import { afterEach, describe, expect, it } from 'vitest';
import { WORKER_MALLOC_ENV, workerEnv, workerExecArgv } from './node-flags.js';

describe('workerExecArgv', () => {
  const saved = process.env.NODE_OPTIONS;
  afterEach(() => {
    if (saved === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = saved;
  });

  it('adds an 8 MB semi-space after the given flags', () => {
    delete process.env.NODE_OPTIONS;
    expect(workerExecArgv(['--import', 'tsx'])).toEqual(['--import', 'tsx', '--max-semi-space-size=8']);
  });

  it('leaves a semi-space size given on the command line or in NODE_OPTIONS alone', () => {
    delete process.env.NODE_OPTIONS;
    expect(workerExecArgv(['--max-semi-space-size=4'])).toEqual(['--max-semi-space-size=4']);
    process.env.NODE_OPTIONS = '--enable-source-maps --max-semi-space-size=64';
    expect(workerExecArgv(['--import', 'tsx'])).toEqual(['--import', 'tsx']);
  });
});

describe('workerEnv', () => {
  it("adds glibc's malloc settings to the given environment", () => {
    expect(workerEnv({ REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual({
      REDIS_URL: 'redis://127.0.0.1:6379',
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '1048576',
    });
  });

  it('leaves a malloc setting already in the environment alone', () => {
    const env = workerEnv({ MALLOC_ARENA_MAX: '8' });
    expect(env.MALLOC_ARENA_MAX).toBe('8');
    expect(env.MALLOC_MMAP_THRESHOLD_).toBe(WORKER_MALLOC_ENV.MALLOC_MMAP_THRESHOLD_);
  });
});
