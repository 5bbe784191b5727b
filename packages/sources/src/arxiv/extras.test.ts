import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { licenseUrl, optionalText, sizeKb, versionList } from './extras.js';

describe('sizeKb', () => {
  it('reads the sizes arXiv writes, in kilobytes', () => {
    expect(sizeKb('18kb')).toBe(18); // OAI-PMH arXivRaw <size>
    expect(sizeKb('(2,161 KB)')).toBe(2161); // abstract page history
    expect(sizeKb(' 14 KB ')).toBe(14);
    expect(sizeKb('1.5 MB')).toBe(1536);
    expect(sizeKb('512b')).toBe(1);
  });
  it('gives undefined for anything else', () => {
    for (const bad of [undefined, '', 'kb', '12', '(lots)', '12 pages', '-3kb', '1e400kb'])
      expect(sizeKb(bad), String(bad)).toBeUndefined();
  });
  it('never throws and gives a non-negative integer or nothing', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const kb = sizeKb(s);
        expect(kb === undefined || (Number.isSafeInteger(kb) && kb >= 0)).toBe(true);
      }),
    );
  });
});

describe('licenseUrl and optionalText', () => {
  it('keeps http(s) URLs only', () => {
    expect(licenseUrl(' http://arxiv.org/licenses/nonexclusive-distrib/1.0/ ')).toBe(
      'http://arxiv.org/licenses/nonexclusive-distrib/1.0/',
    );
    for (const bad of [undefined, '', 'CC BY 4.0', 'javascript:alert(1)', 'ftp://x.org/l'])
      expect(licenseUrl(bad), String(bad)).toBeUndefined();
  });
  it('cleans text and drops blanks', () => {
    expect(optionalText('  12 pages,\n  3 figures ')).toBe('12 pages, 3 figures');
    expect(optionalText(' \n ')).toBeUndefined();
    expect(optionalText(undefined)).toBeUndefined();
  });
});

describe('versionList', () => {
  it('sorts by number, keeps the first sighting of each and only what was read', () => {
    expect(
      versionList([
        { version: 10, submittedAt: '2023-08-02T00:41:18.000Z' },
        { version: 2, sizeKb: 3, submittedAt: undefined },
        { version: 2, sizeKb: 99 },
        { version: 1 },
      ]),
    ).toEqual([
      { version: 1 },
      { version: 2, sizeKb: 3 },
      { version: 10, submittedAt: '2023-08-02T00:41:18.000Z' },
    ]);
  });
  it('drops impossible numbers and gives undefined for an empty history', () => {
    expect(versionList([{ version: 0 }, { version: -1 }, { version: 1.5 }])).toBeUndefined();
    expect(versionList([])).toBeUndefined();
  });
});
