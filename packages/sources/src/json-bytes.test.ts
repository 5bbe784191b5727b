import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonBytes, parseJsonPieces } from './json-bytes.js';

/** What `JSON.parse` of the bytes' text does: its value, or its error. */
function viaJsonParse(bytes: Buffer): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) as unknown };
  } catch (err) {
    return { error: String(err) };
  }
}

function viaPieces(bytes: Buffer, pieceBytes: number): { value: unknown } | { error: string } {
  try {
    return { value: parseJsonBytes(bytes, pieceBytes) };
  } catch (err) {
    return { error: String(err) };
  }
}

describe('parseJsonBytes', () => {
  it('gives what JSON.parse gives, for any JSON value however it is split, without falling back', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        (value, pieceBytes, indent) => {
          const bytes = Buffer.from(JSON.stringify(value, null, indent ? 2 : undefined));
          expect(parseJsonPieces(bytes, pieceBytes)).toEqual(JSON.parse(bytes.toString()));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("fails with JSON.parse's own error on any damaged document", () => {
    const damaged = fc
      .tuple(fc.jsonValue(), fc.nat(), fc.constantFrom(',', '}', ']', '"', '\\', ':', ' ', '{', '[', 'x', ''))
      .map(([value, at, insert]) => {
        const text = JSON.stringify(value);
        const i = at % (text.length + 1);
        return Buffer.from(text.slice(0, i) + insert + text.slice(i + (insert === '' ? 1 : 0)));
      });
    fc.assert(
      fc.property(damaged, fc.integer({ min: 1, max: 32 }), (bytes, pieceBytes) => {
        expect(viaPieces(bytes, pieceBytes)).toEqual(viaJsonParse(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps escaped quotes and backslashes, brackets inside strings, and non-ASCII text', () => {
    const value = {
      'a"b': ['x\\', '\\"', '{[,:]}', 'Lefèvre — 数据', { '': [] }],
      nested: [[1, 2], {}, [], '\\\\'],
    };
    const bytes = Buffer.from(JSON.stringify(value));
    for (const pieceBytes of [1, 5, 16]) expect(parseJsonPieces(bytes, pieceBytes)).toEqual(value);
  });

  it('keeps "__proto__" as an own property and the last of duplicate keys, as JSON.parse does', () => {
    const bytes = Buffer.from('{"__proto__": {"polluted": true}, "k": 1, "k": [2, 3]}');
    const parsed = parseJsonPieces(bytes, 4) as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'k']);
    expect(parsed).toEqual(JSON.parse(bytes.toString()));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('ignores a leading byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a": [1, "two"]}')]);
    expect(parseJsonPieces(bytes, 4)).toEqual({ a: [1, 'two'] });
    expect(parseJsonBytes(bytes)).toEqual({ a: [1, 'two'] });
  });

  it('reads invalid UTF-8 as the whole text would read it', () => {
    const bytes = Buffer.concat([Buffer.from('["a'), Buffer.from([0xc3]), Buffer.from('", "b", ["c"]]')]);
    expect(parseJsonPieces(bytes, 2)).toEqual(JSON.parse(bytes.toString('utf8')));
  });
});
