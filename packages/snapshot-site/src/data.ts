import { readFileSync } from 'node:fs';
import type { DailyPaperEntry, SnapshotData, SnapshotDay } from './types.js';

const DATA_FILE = new URL('../data/hf-days.json', import.meta.url);
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const HEX24 = /^[0-9a-f]{24}$/;

/**
 * The ground truth of one distinct paper of the snapshot, with RAW values as they are in the data
 * (TeX, `\n` wraps and entities untouched), for tests to compare parsed records against.
 */
export interface SnapshotPaperTruth {
  /** arXiv id, e.g. `2403.13187`. */
  id: string;
  /** The listing days it appears on, oldest first. */
  days: string[];
  title: string;
  summary: string;
  /** Author names in order, hidden authors included. */
  authors: string[];
  /** `paper.upvotes` on the latest day it appears on. */
  upvotesLatest: number;
  githubRepo?: string;
  /** True when `paper.withdrawnAt` is set. */
  withdrawn: boolean;
}

function fail(where: string, what: string): never {
  throw new Error(`snapshot data ${DATA_FILE.pathname}: ${where}: ${what}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkEntry(e: unknown, where: string): void {
  if (!isRecord(e) || !isRecord(e.paper)) fail(where, 'entry without a paper object');
  const p = e.paper;
  if (typeof p.id !== 'string' || !/^\d{4}\.\d{4,5}$/.test(p.id)) fail(where, 'paper.id is not an arXiv id');
  for (const k of ['title', 'summary', 'publishedAt'] as const) {
    if (typeof p[k] !== 'string') fail(`${where} ${p.id}`, `paper.${k} is not a string`);
  }
  if (typeof p.upvotes !== 'number') fail(`${where} ${p.id}`, 'paper.upvotes is not a number');
  if (typeof p.discussionId !== 'string' || !HEX24.test(p.discussionId))
    fail(`${where} ${p.id}`, 'bad discussionId');
  if (!Array.isArray(p.authors)) fail(`${where} ${p.id}`, 'paper.authors is not an array');
  if (typeof e.numComments !== 'number' || typeof e.thumbnail !== 'string')
    fail(`${where} ${p.id}`, 'bad entry fields');
}

/** Checks the structure the server relies on; throws with the place of the first problem. */
function checkSnapshot(v: unknown): asserts v is SnapshotData {
  if (!isRecord(v) || !Array.isArray(v.days) || typeof v.snapshotAt !== 'string')
    fail('root', 'no days array');
  v.days.forEach((d: unknown, i: number) => {
    if (!isRecord(d) || typeof d.date !== 'string' || !DAY.test(d.date)) fail(`days[${i}]`, 'bad date');
    if (!Array.isArray(d.entries)) fail(d.date, 'no entries array');
    d.entries.forEach((e: unknown, j: number) => checkEntry(e, `${d.date}[${j}]`));
  });
}

/**
 * Reads and checks `data/hf-days.json`. Every call returns a fresh copy, so callers may mutate it.
 *
 * @throws Error naming the file and the first malformed place.
 */
export function loadSnapshot(): SnapshotData {
  const parsed: unknown = JSON.parse(readFileSync(DATA_FILE, 'utf8'));
  checkSnapshot(parsed);
  return parsed;
}

/** The days of `data` restricted to `days` (all when omitted), oldest first. */
export function selectDays(data: SnapshotData, days?: readonly string[]): SnapshotDay[] {
  if (days === undefined) return data.days;
  const unknown = days.filter((d) => !data.days.some((x) => x.date === d));
  if (unknown.length > 0) {
    const have = data.days.map((d) => d.date).join(', ');
    throw new Error(`snapshot has no listing for ${unknown.join(', ')} (it has ${have})`);
  }
  return data.days.filter((d) => days.includes(d.date));
}

/** A paper's entries across the selected days. */
export interface PaperAppearances {
  id: string;
  /** Oldest first. */
  days: string[];
  /** The entry of the latest day it appears on (the freshest upvotes). */
  latest: DailyPaperEntry;
  /** Its 1-based rank on the first day it appears on. */
  firstRank: number;
}

/** Distinct papers of `days`, in order of first appearance. */
export function distinctPapers(days: readonly SnapshotDay[]): PaperAppearances[] {
  const byId = new Map<string, PaperAppearances>();
  for (const day of days) {
    day.entries.forEach((entry, i) => {
      const seen = byId.get(entry.paper.id);
      if (seen) {
        seen.days.push(day.date);
        seen.latest = entry;
      } else {
        byId.set(entry.paper.id, { id: entry.paper.id, days: [day.date], latest: entry, firstRank: i + 1 });
      }
    });
  }
  return [...byId.values()];
}

/**
 * One {@link SnapshotPaperTruth} per distinct paper of the snapshot (or of `days`), in order of
 * first appearance.
 */
export function snapshotTruth(days?: readonly string[]): SnapshotPaperTruth[] {
  return distinctPapers(selectDays(loadSnapshot(), days)).map(({ id, days: on, latest }) => {
    const p = latest.paper;
    const truth: SnapshotPaperTruth = {
      id,
      days: on,
      title: p.title,
      summary: p.summary,
      authors: p.authors.map((a) => a.name),
      upvotesLatest: p.upvotes,
      withdrawn: p.withdrawnAt !== undefined,
    };
    if (p.githubRepo !== undefined) truth.githubRepo = p.githubRepo;
    return truth;
  });
}

/** The ISO week of a `YYYY-MM-DD` date, as HF writes it: `2024-W12`. */
export function isoWeek(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
  d.setUTCDate(d.getUTCDate() - dow + 3); // the Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const week = 1 + Math.floor((d.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}
