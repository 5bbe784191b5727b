import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { l2Normalize, meanPool } from './pooling.js';

describe('meanPool', () => {
  it('averages the rows whose attention mask is set', () => {
    const hidden = Float32Array.from([1, 2, 3, 4, 5, 9]); // 3 tokens × 2 dims
    expect(Array.from(meanPool(hidden, [1, 1, 0], 2))).toEqual([2, 3]);
    expect(Array.from(meanPool(hidden, BigInt64Array.from([1n, 1n, 1n]), 2))).toEqual([3, 5]);
  });

  it('refuses hidden states that do not match the mask', () => {
    expect(() => meanPool(new Float32Array(5), [1, 1], 3)).toThrow(RangeError);
  });
});

describe('l2Normalize', () => {
  it('scales to unit length without turning the vector', () => {
    expect(Array.from(l2Normalize(Float32Array.from([3, 4])))).toEqual([
      0.6000000238418579, 0.800000011920929,
    ]);
    fc.assert(
      fc.property(
        fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 16 }),
        (xs) => {
          const v = Float32Array.from(xs);
          const norm = Math.hypot(...v);
          fc.pre(norm > 1e-3);
          const u = l2Normalize(v);
          expect(Math.hypot(...u)).toBeCloseTo(1, 5);
          u.forEach((x, i) => expect(x).toBeCloseTo(v[i]! / norm, 5));
        },
      ),
    );
  });

  it('leaves a zero vector at zero', () => {
    expect(Array.from(l2Normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
});
