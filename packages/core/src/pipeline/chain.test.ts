import { describe, expect, it } from 'vitest';
import { LocalStages } from './chain.js';

const stage = { processor: async () => ({ outcome: 'indexed' as const }), timeoutMs: 1000 };

describe('LocalStages', () => {
  it('chains the main line only: fetch → parse → dedupe → index', () => {
    const local = new LocalStages();
    for (const s of ['fetch', 'parse', 'dedupe', 'index', 'embed'] as const) local.add(s, stage);
    expect(local.chained('fetch', 'parse')).toBe(stage);
    expect(local.chained('dedupe', 'index')).toBe(stage);
    expect(local.chained('parse', 'fetch')).toBeUndefined();
    expect(local.chained('dedupe', 'embed')).toBeUndefined();
    expect(local.chained('embed', 'index')).toBeUndefined();
  });

  it('says whether another stage of the process chains into a stage (the indexer sends early only then)', () => {
    const alone = new LocalStages();
    alone.add('index', stage);
    expect(alone.chainsInto('index')).toBe(false);
    const withDedupe = new LocalStages();
    withDedupe.add('dedupe', stage);
    withDedupe.add('index', stage);
    expect(withDedupe.chainsInto('index')).toBe(true);
    const off = new LocalStages(false);
    off.add('dedupe', stage);
    off.add('index', stage);
    expect(off.chainsInto('index')).toBe(false);
    expect(off.chained('dedupe', 'index')).toBeUndefined();
  });
});
