import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  categoriesFromSubjects,
  categoryFromLabel,
  dayMonthYear,
  displayName,
  isArxivCategory,
  isoDateTime,
  relatedDoi,
  saysWithdrawn,
  slashDate,
} from './common.js';
import { firstPublished, latestVersion, readDateline, readHistory } from './history.js';

describe('displayName', () => {
  it.each([
    ['Gao, Yihang', 'Yihang Gao'],
    ['Ng, Michael K.', 'Michael K. Ng'],
    ['Di Francesco, P.', 'P. Di Francesco'],
    ['Tran Jr, Minh', 'Minh Tran Jr'], // arXiv puts the suffix after the surname
    ['Smith, Jr., John', 'John Smith Jr.'],
    ['ATLAS Collaboration', 'ATLAS Collaboration'],
    ['  Brihaye ,  Y. ', 'Y. Brihaye'],
    ['Smith, ', 'Smith'],
    [', John', 'John'],
  ])('%s → %s', (meta, shown) => {
    expect(displayName(meta)).toBe(shown);
  });

  it('never loses a word (property)', () => {
    const word = fc.stringMatching(/^[A-Za-zÀ-ÿ.'-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 3 }),
        fc.array(word, { minLength: 1, maxLength: 3 }),
        (last, first) => {
          const shown = displayName(`${last.join(' ')}, ${first.join(' ')}`);
          expect(shown.split(' ').sort()).toEqual([...last, ...first].sort());
        },
      ),
    );
  });
});

describe('categories', () => {
  it.each([
    'cs.LG',
    'hep-th',
    'math',
    'cond-mat.stat-mech',
    'physics.acc-ph',
    'q-bio.NC',
    'astro-ph.CO',
    'math-ph',
  ])('%s is an arXiv category', (c) => expect(isArxivCategory(c)).toBe(true));
  it.each(['I.2.7', '68T05', '35', 'F.2.2; G.3', '', 'cs.', 'CS.LG', 'cs LG'])('%s is not', (c) => {
    expect(isArxivCategory(c)).toBe(false);
  });

  it('reads the id from the last parentheses of a label', () => {
    expect(categoryFromLabel('Machine Learning (cs.LG)')).toBe('cs.LG');
    expect(categoryFromLabel('Physics and Society (Social Networks) (physics.soc-ph)')).toBe(
      'physics.soc-ph',
    );
    expect(categoryFromLabel('Machine Learning')).toBeNull();
  });

  it('puts the primary first and drops duplicates', () => {
    expect(
      categoriesFromSubjects(
        'Machine Learning (stat.ML)',
        'Machine Learning (stat.ML); Machine Learning (cs.LG); Artificial Intelligence (cs.AI); Machine Learning (cs.LG)',
      ),
    ).toEqual(['stat.ML', 'cs.LG', 'cs.AI']);
  });
});

describe('dates', () => {
  it('reads meta, dateline, history and ISO dates as UTC', () => {
    expect(slashDate('2024/02/21')).toBe('2024-02-21T00:00:00.000Z');
    expect(slashDate('2024/02/30')).toBeUndefined();
    expect(dayMonthYear('Submitted on 7 Jan 2008')).toBe('2008-01-07T00:00:00.000Z');
    expect(dayMonthYear('Mon, 7 Jan 2008 15:55:02 UTC (18 KB)')).toBe('2008-01-07T15:55:02.000Z');
    expect(dayMonthYear('Mon, 7 Jan 2008 15:55:02 GMT')).toBe('2008-01-07T15:55:02.000Z');
    expect(dayMonthYear('Thursday, 21 March 2024')).toBe('2024-03-21T00:00:00.000Z');
    expect(dayMonthYear('31 Feb 2024')).toBeUndefined();
    expect(isoDateTime('2026-02-09T03:01:00Z')).toBe('2026-02-09T03:01:00.000Z');
    expect(isoDateTime('2007-10-08T00:00:00-04:00')).toBe('2007-10-08T04:00:00.000Z');
    expect(isoDateTime('2024-01-05')).toBe('2024-01-05T00:00:00.000Z');
    expect(isoDateTime('2024-01-05T10:00:00')).toBe('2024-01-05T10:00:00.000Z');
    expect(isoDateTime('Mon, 7 Jan 2008')).toBeUndefined();
    expect(isoDateTime('99999-01-01')).toBeUndefined();
  });
});

describe('submission history and dateline', () => {
  const history =
    'Submission history From: Jane Doe [view email] [v1] Mon, 7 Jan 2008 15:55:02 UTC (18 KB) [v2] Mon, 28 Jan 2008 10:00:00 UTC (18 KB) [v3] Mon, 3 Mar 2008 09:00:00 UTC (19 KB) (withdrawn)';

  it('reads each version, its time, its size and a (withdrawn) mark', () => {
    const versions = readHistory(history);
    expect(versions).toEqual([
      { version: 1, submittedAt: '2008-01-07T15:55:02.000Z', sizeKb: 18, withdrawn: false },
      { version: 2, submittedAt: '2008-01-28T10:00:00.000Z', sizeKb: 18, withdrawn: false },
      { version: 3, submittedAt: '2008-03-03T09:00:00.000Z', sizeKb: 19, withdrawn: true },
    ]);
    expect(latestVersion(versions)?.version).toBe(3);
    expect(latestVersion([])).toBeUndefined();
  });

  it('reads the dateline', () => {
    expect(
      readDateline('[Submitted on 7 Jan 2008 (v1), last revised 3 Mar 2008 (this version, v3)]'),
    ).toEqual({
      submittedAt: '2008-01-07T00:00:00.000Z',
      version: 3,
    });
    expect(readDateline('[Submitted on 21 Feb 2024 (this version), latest version 2 Oct 2024 (v2)]')).toEqual(
      {
        submittedAt: '2024-02-21T00:00:00.000Z',
        version: 2,
      },
    );
    expect(readDateline('')).toEqual({});
  });

  it('makes the meta day precise only with a history time of the same day', () => {
    const day = '2024-02-21T00:00:00.000Z';
    expect(firstPublished(day, '2024-02-21T07:07:54.000Z', undefined)).toBe('2024-02-21T07:07:54.000Z');
    expect(firstPublished(day, '2024-02-22T01:00:00.000Z', undefined)).toBe(day);
    expect(firstPublished(undefined, undefined, day)).toBe(day);
    expect(firstPublished(undefined, undefined, undefined)).toBeUndefined();
  });
});

describe('relatedDoi and saysWithdrawn', () => {
  it('keeps the first real DOI, lowercased, and never the arXiv DataCite DOI', () => {
    expect(relatedDoi('10.1103/PhysRevD.77.084005')).toBe('10.1103/physrevd.77.084005');
    expect(relatedDoi('https://doi.org/10.1038/s42256-024-00975-8')).toBe('10.1038/s42256-024-00975-8');
    expect(relatedDoi('10.48550/arXiv.2403.13187')).toBeUndefined();
    expect(relatedDoi('https://doi.org/10.48550/arXiv.hep-th/9901001')).toBeUndefined();
    expect(relatedDoi('10.48550/arXiv.2403.13187 10.1000/xyz')).toBe('10.1000/xyz');
    expect(relatedDoi('DOI(s) linking to related resources')).toBeUndefined();
    expect(relatedDoi(undefined)).toBeUndefined();
  });

  it('reads withdrawal comments', () => {
    expect(saysWithdrawn('This paper has been withdrawn by the author')).toBe(true);
    expect(saysWithdrawn('Withdrawn: error in Lemma 2')).toBe(true);
    expect(saysWithdrawn('20 pages, 3 figures')).toBe(false);
    expect(saysWithdrawn(undefined)).toBe(false);
  });
});
