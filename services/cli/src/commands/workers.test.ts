import { describe, expect, it } from 'vitest';
import { SERVICE_KINDS } from '@paperline/contracts';
import { parseProcesses, workerProcesses } from './workers.js';

describe('workers: which kinds share a process', () => {
  it('one process per kind by default', () => {
    expect(workerProcesses(SERVICE_KINDS, false)).toEqual(SERVICE_KINDS.map((k) => [k]));
  });

  it('with --chain the main line (fetcher, parser, deduplicator, indexer) runs in one process, the rest alone', () => {
    expect(workerProcesses(SERVICE_KINDS, true)).toEqual([
      ['fetcher', 'parser', 'deduplicator', 'indexer'],
      ['embedder'],
      ['scheduler'],
      ['webhooks'],
    ]);
    expect(workerProcesses(['embedder', 'deduplicator', 'parser'], true)).toEqual([
      ['deduplicator', 'parser'],
      ['embedder'],
    ]);
    expect(workerProcesses(['scheduler'], true)).toEqual([['scheduler']]);
  });

  it('--processes N runs N of each stage process, and the scheduler and webhook deliverer once', () => {
    const chained = ['fetcher', 'parser', 'deduplicator', 'indexer'];
    expect(workerProcesses(SERVICE_KINDS, true, 2)).toEqual([
      chained,
      chained,
      ['embedder'],
      ['embedder'],
      ['scheduler'],
      ['webhooks'],
    ]);
    expect(workerProcesses(['parser', 'scheduler'], false, 3)).toEqual([
      ['parser'],
      ['parser'],
      ['parser'],
      ['scheduler'],
    ]);
    expect(parseProcesses(undefined)).toBe(1);
    expect(parseProcesses('2')).toBe(2);
    for (const bad of ['0', '65', '1.5', 'two'])
      expect(() => parseProcesses(bad)).toThrow(
        `--processes must be a whole number from 1 to 64, got '${bad}'`,
      );
  });
});
