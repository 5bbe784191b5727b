import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arxivIdFromDoi, normalizeArxivId, normalizeDoi, parseArxivId } from './ids.js';

describe('arXiv ids', () => {
  it.each([
    ['2402.13572', '2402.13572'],
    ['arXiv:2402.13572v3', '2402.13572'],
    ['ARXIV:0704.0001', '0704.0001'],
    ['https://arxiv.org/abs/2402.13572v2', '2402.13572'],
    ['https://arxiv.org/pdf/2402.13572.pdf', '2402.13572'],
    ['hep-th/9901001v2', 'hep-th/9901001'],
    ['math.GT/0309136', 'math/0309136'],
    ['10.48550/arXiv.2402.13572', '2402.13572'],
  ])('%s → %s', (raw, id) => expect(normalizeArxivId(raw)).toBe(id));

  it.each(['', 'hello', '2413.12345', '24021.3572', '10.1000/xyz'])('%s is not an arXiv id', (raw) =>
    expect(normalizeArxivId(raw)).toBeNull(),
  );

  it('keeps the version apart', () =>
    expect(parseArxivId('2402.13572v12')).toEqual({ id: '2402.13572', version: 12 }));

  it('normalizing is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const once = normalizeArxivId(s);
        if (once !== null) expect(normalizeArxivId(once)).toBe(once);
      }),
    );
  });
});

describe('DOIs', () => {
  it('lowercases and strips resolvers', () => {
    expect(normalizeDoi('https://doi.org/10.1145/ABC.123')).toBe('10.1145/abc.123');
    expect(normalizeDoi('doi: 10.5170/CERN-2013-002.237')).toBe('10.5170/cern-2013-002.237');
    expect(normalizeDoi('not a doi')).toBeNull();
  });
  it('maps the DataCite arXiv DOI to its arXiv id', () => {
    expect(arxivIdFromDoi('10.48550/arXiv.2402.13572')).toBe('2402.13572');
    expect(arxivIdFromDoi('10.1145/3290605')).toBeNull();
  });
});
