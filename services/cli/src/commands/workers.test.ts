import { describe, expect, it } from 'vitest';
import { SERVICE_KINDS } from '@paperline/contracts';
import { workerProcesses } from './workers.js';

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
});
