import { describe, expect, it } from 'vitest';
import { distinctPapers, isoWeek, loadSnapshot, snapshotTruth } from './data.js';
import type { DailyPaperEntry } from './types.js';

const data = loadSnapshot();
const entries = data.days.flatMap((d) => d.entries);
const papers = distinctPapers(data.days);
const HEX24 = /^[0-9a-f]{24}$/;

describe('snapshot data', () => {
  it('has five consecutive weekdays of 6–10 papers', () => {
    const dates = data.days.map((d) => d.date);
    expect(dates).toEqual(['2024-03-18', '2024-03-19', '2024-03-20', '2024-03-21', '2024-03-22']);
    for (const d of data.days) {
      expect(new Date(`${d.date}T00:00:00Z`).getUTCDay()).toBeGreaterThanOrEqual(1);
      expect(new Date(`${d.date}T00:00:00Z`).getUTCDay()).toBeLessThanOrEqual(5);
      expect(d.entries.length).toBeGreaterThanOrEqual(6);
      expect(d.entries.length).toBeLessThanOrEqual(10);
      const ups = d.entries.map((e) => e.paper.upvotes);
      expect(ups).toEqual([...ups].sort((a, b) => b - a));
    }
    expect(papers).toHaveLength(35);
  });

  it('repeats some papers over two or three days, identical on each (a listing shows current counts)', () => {
    const repeated = papers.filter((p) => p.days.length > 1);
    expect(repeated.length).toBeGreaterThanOrEqual(5);
    expect(repeated.some((p) => p.days.length === 3)).toBe(true);
    for (const p of repeated) {
      const versions = entries.filter((e) => e.paper.id === p.id);
      for (const v of versions) expect(v).toEqual(p.latest);
    }
  });

  it('follows the Entry shape of docs/sources.md#hugging-face-listing-pages', () => {
    for (const e of entries) {
      const p = e.paper;
      expect(p.id).toMatch(/^\d{4}\.\d{4,5}$/);
      expect(p.discussionId).toMatch(HEX24);
      expect(e.title).toBe(p.title);
      expect(e.summary).toBe(p.summary);
      expect(p.summary).toContain('\n');
      expect(e.thumbnail).toBe(`https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/${p.id}.png`);
      expect(Date.parse(p.publishedAt)).not.toBeNaN();
      expect(Date.parse(e.publishedAt)).not.toBeNaN();
      expect(typeof e.isAuthorParticipating).toBe('boolean');
      expect(e.submittedBy.name).toBeTruthy();
      for (const a of p.authors) {
        expect(a._id).toMatch(HEX24);
        expect(typeof a.hidden).toBe('boolean');
        if (a.user) expect(a.user.user).toBeTruthy();
      }
      if (p.submittedOnDailyBy) expect(p.submittedOnDailyBy.user).toBe(e.submittedBy.name);
      if (p.submittedOnDailyAt)
        expect(Date.parse(p.submittedOnDailyAt)).toBeGreaterThanOrEqual(Date.parse(p.publishedAt));
    }
    const withKeywords = papers.filter((p) => p.latest.paper.ai_keywords !== undefined).length;
    expect(withKeywords / papers.length).toBeGreaterThan(0.8);
  });

  it('contains the edge cases of docs/sources.md#edge-cases-the-parsers-handle', () => {
    const by = (id: string): DailyPaperEntry => {
      const e = entries.find((x) => x.paper.id === id);
      if (!e) throw new Error(`missing ${id}`);
      return e;
    };
    const names = entries.flatMap((e) => e.paper.authors.map((a) => a.name));
    expect(names).toEqual(
      expect.arrayContaining([
        'Victor Rühle',
        'Björn Ommer',
        'Antoine Guédon',
        'Jiří Navrátil',
        'Hongyu Hè',
        '张晓明',
        '佐藤 健',
        '김지은',
      ]),
    );
    expect(entries.some((e) => e.paper.authors.some((a) => a.hidden))).toBe(true);
    expect(by('2403.12447').paper.title).toContain('$O(n^2)$');
    expect(by('2403.12447').paper.title).toContain('\\%');
    expect(by('2403.12447').paper.summary).toContain("R\\'enyi");
    expect(by('2403.12447').paper.summary).toContain('\\url{https://github.com/sketchattn/sketch-attention}');
    expect(by('2403.13187').paper.summary.replace(/\s+/g, ' ')).toContain(
      'https://github.com/SakanaAI/evolutionary-model-merge.',
    );
    expect(by('2403.13372').paper.summary).toContain('https://github.com/hiyouga/LLaMA-Factory and');
    expect(by('2403.10958').paper.title).toMatch(/Don't .*"Gold".*<10B/);
    expect(by('2403.10958').paper.summary).toContain('Q&A');
    expect(by('2403.10958').paper.submittedOnDailyAt).toBeUndefined();
    expect(by('2403.10958').paper.ai_keywords).toBeUndefined();
    expect(by('2403.11901').paper.projectPage).toBeNull();
    expect(entries.filter((e) => e.paper.withdrawnAt !== undefined).map((e) => e.paper.id)).toEqual([
      '2403.13655',
    ]);
    expect(by('2403.09611').paper.title).toContain('&');
  });
});

describe('snapshotTruth', () => {
  it('gives one raw record per distinct paper', () => {
    const truth = snapshotTruth();
    expect(truth).toHaveLength(35);
    expect(new Set(truth.map((t) => t.id)).size).toBe(35);
    expect(truth.filter((t) => t.withdrawn).map((t) => t.id)).toEqual(['2403.13655']);
    expect(truth.filter((t) => t.days.length > 1).length).toBeGreaterThanOrEqual(5);
    const evo = truth.find((t) => t.id === '2403.13187');
    expect(evo).toMatchObject({
      days: ['2024-03-20', '2024-03-21', '2024-03-22'],
      upvotesLatest: 74,
      githubRepo: 'https://github.com/SakanaAI/evolutionary-model-merge',
      authors: ['Takuya Akiba', 'Makoto Shing', 'Yujin Tang', 'Qi Sun', 'David Ha'],
    });
    const cjk = truth.find((t) => t.id === '2403.13490');
    expect(cjk?.authors).toHaveLength(6); // the hidden author counts
    expect(truth.reduce((n, t) => n + t.days.length, 0)).toBe(entries.length);
  });

  it('can be restricted to some days', () => {
    const two = snapshotTruth(['2024-03-18', '2024-03-19']);
    expect(two).toHaveLength(16);
    expect(two.find((t) => t.id === '2403.09629')).toMatchObject({
      days: ['2024-03-18', '2024-03-19'],
      upvotesLatest: 63,
    });
    expect(snapshotTruth(['2024-03-18']).find((t) => t.id === '2403.09629')?.upvotesLatest).toBe(63);
    expect(() => snapshotTruth(['2024-03-23'])).toThrow(/no listing for 2024-03-23/);
  });
});

describe('isoWeek', () => {
  it('names ISO weeks as HF does', () => {
    expect(isoWeek('2024-03-18')).toBe('2024-W12');
    expect(isoWeek('2024-03-24')).toBe('2024-W12');
    expect(isoWeek('2024-03-25')).toBe('2024-W13');
    expect(isoWeek('2021-01-03')).toBe('2020-W53');
    expect(isoWeek('2024-12-30')).toBe('2025-W01');
  });
});
