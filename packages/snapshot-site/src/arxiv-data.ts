import { readFileSync } from 'node:fs';
import type { ArxivData, ArxivPaper, ArxivVersion } from './arxiv-types.js';

const DATA_FILE = new URL('../data/arxiv.json', import.meta.url);
const HF_FILE = new URL('../data/hf-days.json', import.meta.url);
const NEW_ID = /^\d{2}(0[1-9]|1[0-2])\.\d{4,5}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DOW = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const HISTORY_DATE =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat), (\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) UTC$/;

/** Display names of the categories the snapshot uses, as arXiv prints them in `Subjects:`. */
export const CATEGORY_NAMES: Readonly<Record<string, string>> = {
  'cs.AI': 'Artificial Intelligence',
  'cs.CL': 'Computation and Language',
  'cs.CV': 'Computer Vision and Pattern Recognition',
  'cs.GR': 'Graphics',
  'cs.IR': 'Information Retrieval',
  'cs.LG': 'Machine Learning',
  'cs.NE': 'Neural and Evolutionary Computing',
};

/** The categories with a `/list/{cat}/new` page. */
export const LISTED_CATEGORIES = ['cs.AI', 'cs.CL', 'cs.CV', 'cs.LG'] as const;

/**
 * The ground truth of one arXiv paper of the snapshot, with RAW values as they are in the data
 * (TeX, `\n` wraps and leading/trailing whitespace untouched), for tests to compare parsed records
 * against.
 */
export interface SnapshotArxivPaperTruth {
  /** arXiv id without version, e.g. `2403.13187`. */
  id: string;
  /** The number of the latest version (1–3 in the snapshot). */
  latestVersion: number;
  title: string;
  abstract: string;
  /** Author names in arXiv's order. */
  authors: string[];
  /** Primary category first. */
  categories: string[];
  /** Related DOI, when the paper has one. */
  doi?: string;
  comments?: string;
  journalRef?: string;
  /** True when the latest version withdrew the paper. */
  withdrawn: boolean;
  /** ISO 8601 date of v1 (`2024-03-19T17:08:46.000Z`), the same instant as HF's `paper.publishedAt`. */
  publishedAt: string;
  /** ISO 8601 date of the latest version. */
  updatedAt: string;
  /** True when the HF snapshot (`data/hf-days.json`) lists the paper too. */
  onHf: boolean;
}

function fail(where: string, what: string): never {
  throw new Error(`snapshot data ${DATA_FILE.pathname}: ${where}: ${what}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.trim() !== '');
}

/**
 * Parses a submission-history date (`Mon, 18 Mar 2024 17:59:59 UTC`).
 *
 * @returns the instant, or null when the text is not in that format or names the wrong weekday.
 */
export function parseHistoryDate(text: string): Date | null {
  const m = HISTORY_DATE.exec(text);
  if (!m) return null;
  const [, dow, day, mon, year, hh, mm, ss] = m;
  const month = MONTHS.indexOf(mon ?? '');
  if (month < 0) return null;
  const d = new Date(Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss)));
  if (d.getUTCDate() !== Number(day) || DOW[d.getUTCDay()] !== dow) return null;
  return d;
}

/** The instant of a version; the data is checked at load, so this cannot fail for loaded data. */
export function versionDate(v: ArxivVersion): Date {
  const d = parseHistoryDate(v.date);
  if (!d) throw new Error(`bad version date "${v.date}"`);
  return d;
}

/** The latest version of a paper (the data guarantees at least one). */
export function latestVersion(p: ArxivPaper): ArxivVersion {
  const v = p.versions[p.versions.length - 1];
  if (!v) throw new Error(`${p.id} has no versions`);
  return v;
}

function checkVersions(vs: unknown, where: string): void {
  if (!Array.isArray(vs) || vs.length === 0) fail(where, 'no versions');
  let prev = 0;
  vs.forEach((v: unknown, i: number) => {
    if (!isRecord(v) || v.v !== i + 1) fail(where, `versions[${i}] is not v${i + 1}`);
    if (typeof v.date !== 'string') fail(where, `v${i + 1} has no date`);
    const d = parseHistoryDate(v.date);
    if (!d) fail(where, `v${i + 1} date "${v.date}" is not like "Mon, 18 Mar 2024 17:59:59 UTC"`);
    if (d.getTime() <= prev) fail(where, `v${i + 1} is not later than v${i}`);
    prev = d.getTime();
    if (typeof v.size !== 'number' || !Number.isInteger(v.size) || v.size < 1) fail(where, 'bad size');
    if (v.withdrawn !== undefined && (v.withdrawn !== true || i !== vs.length - 1))
      fail(where, 'only the latest version may be withdrawn');
  });
}

function checkPaper(p: unknown, i: number): void {
  if (!isRecord(p) || typeof p.id !== 'string' || !NEW_ID.test(p.id)) fail(`papers[${i}]`, 'bad id');
  const where = p.id;
  for (const k of ['submitter', 'title', 'abstract'] as const)
    if (typeof p[k] !== 'string' || p[k].trim() === '') fail(where, `${k} is not a non-empty string`);
  if (!isStringArray(p.authors)) fail(where, 'authors is not a list of names');
  if (!isStringArray(p.categories)) fail(where, 'categories is not a list');
  const unknown = p.categories.filter((c) => CATEGORY_NAMES[c] === undefined);
  if (unknown.length > 0) fail(where, `unknown categories ${unknown.join(', ')}`);
  for (const k of ['comments', 'journal_ref', 'doi'] as const)
    if (p[k] !== undefined && typeof p[k] !== 'string') fail(where, `${k} is not a string`);
  checkVersions(p.versions, where);
}

/** Checks the structure the server relies on; throws with the place of the first problem. */
function checkArxiv(v: unknown): asserts v is ArxivData {
  if (!isRecord(v) || !Array.isArray(v.papers)) fail('root', 'no papers array');
  if (
    typeof v.note !== 'string' ||
    typeof v.snapshotAt !== 'string' ||
    Number.isNaN(Date.parse(v.snapshotAt))
  )
    fail('root', 'bad note or snapshotAt');
  if (typeof v.announced !== 'string' || !DAY.test(v.announced)) fail('root', 'bad announced day');
  v.papers.forEach(checkPaper);
  const ids = v.papers.map((p: ArxivPaper) => p.id);
  if (new Set(ids).size !== ids.length) fail('papers', 'duplicate ids');
}

/**
 * Reads and checks `data/arxiv.json`. Every call returns a fresh copy, so callers may mutate it.
 *
 * @throws Error naming the file and the first malformed place.
 */
export function loadArxivSnapshot(): ArxivData {
  const parsed: unknown = JSON.parse(readFileSync(DATA_FILE, 'utf8'));
  checkArxiv(parsed);
  return parsed;
}

/** The ids of the HF snapshot's papers (all days). */
function hfIds(): Set<string> {
  const raw: unknown = JSON.parse(readFileSync(HF_FILE, 'utf8'));
  const ids = new Set<string>();
  if (isRecord(raw) && Array.isArray(raw.days))
    for (const d of raw.days as unknown[])
      if (isRecord(d) && Array.isArray(d.entries))
        for (const e of d.entries as unknown[])
          if (isRecord(e) && isRecord(e.paper) && typeof e.paper.id === 'string') ids.add(e.paper.id);
  return ids;
}

/** One {@link SnapshotArxivPaperTruth} per paper of `data/arxiv.json`, ordered by id. */
export function snapshotArxivTruth(): SnapshotArxivPaperTruth[] {
  const onHf = hfIds();
  return loadArxivSnapshot().papers.map((p) => {
    const latest = latestVersion(p);
    const first = p.versions[0] ?? latest;
    const truth: SnapshotArxivPaperTruth = {
      id: p.id,
      latestVersion: latest.v,
      title: p.title,
      abstract: p.abstract,
      authors: [...p.authors],
      categories: [...p.categories],
      withdrawn: latest.withdrawn === true,
      publishedAt: versionDate(first).toISOString(),
      updatedAt: versionDate(latest).toISOString(),
      onHf: onHf.has(p.id),
    };
    if (p.doi !== undefined) truth.doi = p.doi;
    if (p.comments !== undefined) truth.comments = p.comments;
    if (p.journal_ref !== undefined) truth.journalRef = p.journal_ref;
    return truth;
  });
}

const ACCENTS: Readonly<Record<string, string>> = {
  "'": '\u0301',
  '`': '\u0300',
  '"': '\u0308',
  '^': '\u0302',
  '~': '\u0303',
  '=': '\u0304',
  '.': '\u0307',
  c: '\u0327',
  u: '\u0306',
  v: '\u030c',
  H: '\u030b',
};

/**
 * A small `tex2utf`: resolves TeX accents (`R\'enyi`, `{\"o}`, `\c{c}`) to Unicode, as arXiv's HTML
 * does for titles and abstracts, and leaves everything else (math, `\%`) alone.
 */
export function tex2utf(text: string): string {
  const accent = (_m: string, mark: string, letter: string): string =>
    (letter + (ACCENTS[mark] ?? '')).normalize('NFC');
  return text
    .replace(/\{\\(['`"^~=.]|[cuvH])\s*\{?([A-Za-z])\}?\}/g, accent) // {\'e} {\'{e}} {\c{c}}
    .replace(/\\(['`"^~=.]|[cuvH])\{([A-Za-z])\}/g, accent) // \'{e} \c{c}
    .replace(/\\(['`"^~=.])([A-Za-z])/g, accent); // \'e
}

/** Whitespace runs collapsed to one space, ends trimmed (what arXiv's meta tags do). */
export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `Noah D. Goodman` → `Goodman, Noah D.` (the form of `citation_author`). */
export function lastFirst(name: string): string {
  const parts = name.trim().split(/\s+/);
  const last = parts.pop() ?? '';
  return parts.length === 0 ? last : `${last}, ${parts.join(' ')}`;
}

/** `Noah D. Goodman` → `Goodman,+N+D` (arXiv's author-search query, URL-encoded per part). */
export function authorQuery(name: string): string {
  const parts = name.trim().split(/\s+/);
  const last = parts.pop() ?? '';
  const initials = parts
    .map((p) => encodeURIComponent(p.replace(/[^\p{L}]/gu, '').slice(0, 1)))
    .filter(Boolean);
  return [encodeURIComponent(last) + (initials.length > 0 ? ',' : ''), ...initials].join('+');
}

/** `Computation and Language (cs.CL)`. */
export function categoryDisplay(cat: string): string {
  return `${CATEGORY_NAMES[cat] ?? cat} (${cat})`;
}

/** `YYYY/MM/DD` (meta tags). */
export function slashDate(d: Date): string {
  return d.toISOString().slice(0, 10).replace(/-/g, '/');
}

/** `7 Jan 2008` (dateline, `%-d %b %Y`). */
export function shortDate(d: Date): string {
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()] ?? ''} ${d.getUTCFullYear()}`;
}

/** `2024-03-14T17:58:59Z` (the Atom feed's dates). */
export function atomDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
