import { describe, expect, it } from 'vitest';
import { RRF_K, reciprocalRankFusion } from './rrf.js';

describe('reciprocalRankFusion', () => {
  it('scores each id by the sum of 1/(k + rank) over the lists it is in', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['c', 'a', 'd'],
    ]);
    expect(fused.map((f) => f.id)).toEqual(['a', 'c', 'b', 'd']);
    expect(fused[0]!.score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(fused[1]!.score).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(fused[2]!.score).toBeCloseTo(1 / 62, 12);
    expect(fused[3]!.score).toBeCloseTo(1 / 63, 12);
  });

  it('an id high in one list only can lose to one that is fair in both', () => {
    const fused = reciprocalRankFusion([
      ['solo', 'both'],
      ['x', 'y', 'both'],
    ]);
    expect(fused[0]!.id).toBe('both');
  });

  it('keeps the order of a single list, and of ties the first met', () => {
    expect(reciprocalRankFusion([['p', 'q', 'r']]).map((f) => f.id)).toEqual(['p', 'q', 'r']);
    expect(reciprocalRankFusion([['p'], ['q']]).map((f) => f.id)).toEqual(['p', 'q']);
    expect(reciprocalRankFusion([[], []])).toEqual([]);
  });

  it('counts an id repeated in one list once, at its best rank', () => {
    expect(reciprocalRankFusion([['a', 'a']])).toEqual([{ id: 'a', score: 1 / (RRF_K + 1) }]);
  });

  it('uses the given rank constant, and refuses one that is not positive', () => {
    expect(reciprocalRankFusion([['a']], 1)[0]!.score).toBe(0.5);
    expect(() => reciprocalRankFusion([['a']], 0)).toThrow(RangeError);
  });
});
