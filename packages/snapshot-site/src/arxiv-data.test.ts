import { describe, expect, it } from 'vitest';
import {
  authorQuery,
  lastFirst,
  loadArxivSnapshot,
  parseHistoryDate,
  snapshotArxivTruth,
  tex2utf,
} from './arxiv-data.js';
import { loadSnapshot, snapshotTruth } from './data.js';
import type { SnapshotPaperTruth } from './data.js';

const arxiv = snapshotArxivTruth();
const hf = new Map(snapshotTruth().map((t) => [t.id, t]));
const both = arxiv.filter((t) => t.onHf);
const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();
const hfOf = (id: string): SnapshotPaperTruth => {
  const t = hf.get(id);
  if (!t) throw new Error(`${id} is not on HF`);
  return t;
};

describe('arXiv snapshot data', () => {
  it('covers most HF papers, leaves five HF-only and adds five arXiv-only', () => {
    expect(arxiv).toHaveLength(35);
    expect(both).toHaveLength(30);
    expect(arxiv.filter((t) => !t.onHf).map((t) => t.id)).toEqual([
      '2403.03206',
      '2403.03507',
      '2403.04132',
      '2403.07691',
      '2403.13787',
    ]);
    const onArxiv = new Set(arxiv.map((t) => t.id));
    expect([...hf.keys()].filter((id) => !onArxiv.has(id)).sort()).toEqual([
      '2403.10958',
      '2403.12706',
      '2403.13248',
      '2403.13490',
      '2403.14773',
    ]);
    for (const t of both) expect(hf.has(t.id)).toBe(true);
    expect(arxiv.map((t) => t.id)).toEqual([...arxiv.map((t) => t.id)].sort());
  });

  it('shows the same papers as HF: same people, same v1 instant, same words', () => {
    for (const t of both) {
      const h = hfOf(t.id);
      expect(t.authors, t.id).toEqual(h.authors);
      expect(collapse(t.abstract), t.id).toBe(collapse(h.summary));
      expect(collapse(tex2utf(t.title)), t.id).toBe(collapse(h.title));
      expect(t.withdrawn, t.id).toBe(h.withdrawn);
    }
    // The HF hidden author (Andrey Voynov) is a plain author on arXiv.
    expect(arxiv.find((t) => t.id === '2403.14602')?.authors).toContain('Andrey Voynov');
  });

  it('dates v1 at the instant HF gives as paper.publishedAt', () => {
    const published = new Map(
      loadSnapshot().days.flatMap((d) => d.entries.map((e) => [e.paper.id, e.paper.publishedAt] as const)),
    );
    for (const t of both) expect(t.publishedAt, t.id).toBe(published.get(t.id));
  });

  it('differs from HF the way arXiv does: wraps, whitespace, a TeX accent', () => {
    const wrappedTitles = both.filter((t) => t.title.includes('\n  ')).map((t) => t.id);
    expect(wrappedTitles).toEqual(['2403.09611', '2403.12968', '2403.14621']);
    for (const id of wrappedTitles) expect(arxiv.find((t) => t.id === id)?.title).not.toBe(hfOf(id).title);
    const rewrapped = both.filter((t) => t.abstract !== hfOf(t.id).summary);
    expect(rewrapped.length).toBeGreaterThanOrEqual(10);
    expect(both.filter((t) => t.abstract === hfOf(t.id).summary).length).toBeGreaterThanOrEqual(10);
    expect(rewrapped.some((t) => t.abstract.startsWith('  ') && t.abstract.endsWith('\n'))).toBe(true);
    const tex = arxiv.find((t) => t.id === '2403.12447');
    expect(tex?.title).toContain("R\\'enyi");
    expect(hfOf('2403.12447').title).toContain('Rényi');
    expect(tex2utf(tex?.title ?? '')).toBe(hfOf('2403.12447').title);
  });

  it('has versions v1–v3, one withdrawn paper, two related DOIs and categories primary first', () => {
    const latest = new Set(arxiv.map((t) => t.latestVersion));
    expect([...latest].sort()).toEqual([1, 2, 3]);
    expect(arxiv.filter((t) => t.withdrawn).map((t) => t.id)).toEqual(['2403.13655']);
    const w = loadArxivSnapshot().papers.find((p) => p.id === '2403.13655');
    expect(w?.versions.at(-1)).toMatchObject({
      v: 2,
      withdrawn: true,
      date: 'Thu, 21 Mar 2024 14:02:11 UTC',
    });
    expect(arxiv.filter((t) => t.doi !== undefined).map((t) => t.id)).toEqual(['2403.12015', '2403.14554']);
    expect(arxiv.filter((t) => t.journalRef !== undefined)).toHaveLength(2);
    expect(arxiv.find((t) => t.id === '2403.13187')?.categories).toEqual([
      'cs.NE',
      'cs.AI',
      'cs.CL',
      'cs.LG',
    ]);
    for (const t of arxiv) {
      expect(t.categories.length).toBeGreaterThan(0);
      expect(new Set(t.categories).size).toBe(t.categories.length);
      expect(Date.parse(t.updatedAt)).toBeGreaterThanOrEqual(Date.parse(t.publishedAt));
      expect(t.publishedAt.startsWith('2024-0')).toBe(true);
      expect(Date.parse(t.updatedAt)).toBeLessThan(Date.parse('2024-03-23T00:00:00Z'));
    }
    expect(arxiv.filter((t) => !t.onHf).every((t) => t.publishedAt.startsWith('2024-03'))).toBe(true);
  });
});

describe('arXiv text helpers', () => {
  it('parses submission-history dates and rejects a wrong weekday', () => {
    expect(parseHistoryDate('Mon, 18 Mar 2024 17:59:59 UTC')?.toISOString()).toBe('2024-03-18T17:59:59.000Z');
    expect(parseHistoryDate('Tue, 18 Mar 2024 17:59:59 UTC')).toBeNull();
    expect(parseHistoryDate('Mon, 18 Mar 2024 17:59:59 GMT')).toBeNull();
    expect(parseHistoryDate('Fri, 31 Feb 2024 10:00:00 UTC')).toBeNull();
  });

  it('resolves TeX accents like arXiv HTML and leaves math alone', () => {
    expect(tex2utf("R\\'enyi and Poincar\\'{e}, {\\\"o}, \\c{c}, {\\`a}")).toBe(
      'Rényi and Poincaré, ö, ç, à',
    );
    expect(tex2utf('$O(n^2)$ with 99.7\\% and \\url{x}')).toBe('$O(n^2)$ with 99.7\\% and \\url{x}');
  });

  it('writes authors as "Last, First" and as author-search queries', () => {
    expect(lastFirst('Noah D. Goodman')).toBe('Goodman, Noah D.');
    expect(lastFirst('Björn Ommer')).toBe('Ommer, Björn');
    expect(lastFirst('Plato')).toBe('Plato');
    expect(authorQuery('Noah D. Goodman')).toBe('Goodman,+N+D');
    expect(authorQuery('Jonas Müller')).toBe('M%C3%BCller,+J');
  });
});
