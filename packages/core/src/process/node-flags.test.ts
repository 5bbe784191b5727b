import { afterEach, describe, expect, it } from 'vitest';
import { workerExecArgv } from './node-flags.js';

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
