/**
 * What every arXiv parser shares: identifier and category shapes, name and date formats, the
 * related-DOI rule and the candidate builder (docs/sources.md#arxiv, docs/record-schema.md#arxiv-ids).
 */
import type { ArxivVersion, PaperCandidate } from '@paperline/contracts';
import { arxivIdFromDoi, normalizeDoi } from '@paperline/identity';
import { trimBase } from '../base-url.js';
import { cleanText } from '../text.js';
import type { SourceBases } from '../types.js';
import { PARSER_VERSIONS } from '../versions.js';

/** An arXiv id as it appears in a URL path: new-style or old-style (`math.GT/0309136`), optional `vN`. */
export const ARXIV_ID_IN_PATH = /^(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?$/;

/**
 * An arXiv category or archive: `cs.LG`, `hep-th`, `math`, `cond-mat.stat-mech`, `physics.acc-ph`.
 * ACM (`I.2.7`) and MSC (`68T05`) codes do not match.
 */
const CATEGORY = /^[a-z]+(?:-[a-z]+)?(?:\.(?:[A-Z]{2}|[a-z]+(?:-[a-z]+)?))?$/;

/** True for an arXiv category or archive id (not an ACM or MSC class); also the `{context}` of `/list/{context}/…`. */
export function isArxivCategory(s: string): boolean {
  return CATEGORY.test(s);
}

/**
 * The category id of a subject label, `Machine Learning (cs.LG)` → `cs.LG` (the last parenthesised
 * id), or null.
 */
export function categoryFromLabel(label: string): string | null {
  const ids = [...label.matchAll(/\(([^()\s]+)\)/g)].map((m) => m[1] ?? '').filter(isArxivCategory);
  return ids.at(-1) ?? null;
}

/**
 * Category ids, primary first, from a subjects line: the primary label and the `; `-separated rest
 * (`Artificial Intelligence (cs.AI); Machine Learning (stat.ML)`). Duplicates dropped.
 */
export function categoriesFromSubjects(primary: string | undefined, all: string): string[] {
  const ids = [primary ?? '', ...all.split(';')].map(categoryFromLabel).filter((c) => c !== null);
  return unique(ids);
}

/** Terms kept in order, empties and later duplicates dropped. */
export function unique(items: readonly string[]): string[] {
  return [...new Set(items.filter((s) => s !== ''))];
}

/**
 * Authors written as one string (`A. Author, B. Author and C. Author`: OAI-PMH arXivRaw, listings
 * without author links): parenthesised affiliations dropped, split on commas and "and", cleaned.
 */
export function splitAuthorList(raw: string): string[] {
  let text = raw;
  for (let prev = ''; prev !== text;) [prev, text] = [text, text.replace(/\([^()]*\)/g, ' ')];
  return text
    .split(/,\s*|\s+and\s+/)
    .map(cleanText)
    .filter((s) => s !== '');
}

/** Generational suffixes that arXiv writes after the surname (`Smith Jr, John`). */
const SUFFIX = /^(?:Jr|Sr|I{2,3}|IV|V)\.?$/i;

/**
 * `Last, First` (arXiv `citation_author`, which puts a suffix after the surname: `Smith Jr, John`)
 * → `First Last`. A name without a comma (`ATLAS Collaboration`) is kept as is.
 */
export function displayName(meta: string): string {
  const parts = meta.split(',').map((p) => p.trim());
  if (parts.length < 2) return meta.trim();
  const [last = '', ...rest] = parts;
  // `Smith, Jr., John`: a suffix written after its own comma.
  const suffix = rest.length > 1 && SUFFIX.test(rest[0] ?? '') ? rest.shift() : undefined;
  return [rest.join(', '), last, suffix ?? ''].filter((p) => p !== '').join(' ');
}

const MONTHS: Readonly<Record<string, number>> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/** An ISO date-time from UTC parts, or undefined when the parts are not a real date. */
function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): string | undefined {
  if (y < 1000 || y > 9999 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(Date.UTC(y, mo, d, h, mi, s));
  return date.getUTCMonth() === mo && date.getUTCDate() === d ? date.toISOString() : undefined;
}

/** `2024/02/21` (meta tags) → `2024-02-21T00:00:00.000Z`. */
export function slashDate(raw: string | undefined): string | undefined {
  const m = /^\s*(\d{4})\/(\d{1,2})\/(\d{1,2})\s*$/.exec(raw ?? '');
  return m ? utc(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
}

/**
 * The first `7 Jan 2008` or `Mon, 7 Jan 2008 15:55:02 UTC` in a text (dateline, submission
 * history; times are UTC, older pages say GMT) as an ISO date-time.
 */
export function dayMonthYear(text: string): string | undefined {
  const m =
    /\b(\d{1,2})\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?/i.exec(
      text,
    );
  if (!m) return undefined;
  const month = MONTHS[(m[2] ?? '').toLowerCase()];
  if (month === undefined) return undefined;
  const [h, mi, s] = [m[4], m[5], m[6]].map((x) => (x === undefined ? 0 : Number(x)));
  return utc(Number(m[3]), month, Number(m[1]), h, mi, s);
}

/** An ISO 8601 date or date-time (`Z`, `-04:00`, none = UTC) normalised with `toISOString`. */
export function isoDateTime(raw: string | undefined): string | undefined {
  const s = raw?.trim() ?? '';
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) return undefined;
  const base = utc(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  );
  if (base === undefined) return undefined;
  const zone = m[7];
  if (zone === undefined || zone === 'Z') return base;
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!z) return undefined;
  const offset = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3])) * 60_000;
  const d = new Date(Date.parse(base) - offset);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * The related DOI of a paper, lowercased: the first DOI in `raw` (a DOI, a `doi.org` URL, or
 * several separated by spaces), or undefined when there is none or it is only the paper's own
 * arXiv DataCite DOI `10.48550/arXiv.{id}`.
 */
export function relatedDoi(raw: string | undefined): string | undefined {
  for (const token of (raw ?? '').split(/[\s,;]+/)) {
    const doi = normalizeDoi(token);
    if (doi !== null && arxivIdFromDoi(doi) === null && !doi.startsWith('10.48550/arxiv.')) return doi;
  }
  return undefined;
}

/** True when a comment says the paper (this version) was withdrawn. */
export function saysWithdrawn(comment: string | undefined): boolean {
  return comment !== undefined && /\bwithdrawn\b/i.test(comment);
}

/** Where a candidate came from: the page and its fetch. */
export interface ArxivContext {
  /** `input.finalUrl`: the page the data was read from. */
  url: string;
  fetchedAt: string;
  bases: SourceBases;
}

/** What an arXiv page says about one paper, before links and provenance are added. */
export interface ArxivFields {
  /** Normalized, without version. */
  arxivId: string;
  arxivVersion?: number | undefined;
  title: string;
  abstract?: string | undefined;
  authors: string[];
  publishedAt?: string | undefined;
  /** Primary first; omitted from the record when empty. */
  categories?: string[] | undefined;
  doi?: string | undefined;
  /** Set when the abstract was read (an empty list then means "no code links"). */
  codeUrls?: string[] | undefined;
  withdrawn?: boolean | undefined;
  /** Ascending; set only by pages that list versions (abstract page, OAI-PMH arXivRaw). */
  versions?: ArxivVersion[] | undefined;
  license?: string | undefined;
  journalRef?: string | undefined;
  comments?: string | undefined;
}

/** The `/abs/` and `/pdf/` links of an arXiv id (no version) on the configured base. */
export function arxivLinks(arxivId: string, bases: SourceBases): { abs: string; pdf: string } {
  const base = trimBase(bases.arxivBaseUrl);
  return { abs: `${base}/abs/${arxivId}`, pdf: `${base}/pdf/${arxivId}` };
}

/** A candidate record (source `arxiv`) from the fields a page gave; validated later, per page. */
export function arxivCandidate(f: ArxivFields, ctx: ArxivContext): PaperCandidate {
  const c: PaperCandidate = {
    source: 'arxiv',
    url: ctx.url,
    fetchedAt: ctx.fetchedAt,
    parserVersion: PARSER_VERSIONS.arxiv,
    arxivId: f.arxivId,
    title: f.title,
    authors: f.authors,
    authorCount: f.authors.length,
    links: arxivLinks(f.arxivId, ctx.bases),
  };
  if (f.arxivVersion !== undefined) c.arxivVersion = f.arxivVersion;
  if (f.doi !== undefined) c.doi = f.doi;
  if (f.abstract !== undefined && f.abstract !== '') c.abstract = f.abstract;
  if (f.publishedAt !== undefined) c.publishedAt = f.publishedAt;
  if (f.categories !== undefined && f.categories.length > 0) c.categories = f.categories;
  if (f.codeUrls !== undefined) c.codeUrls = f.codeUrls;
  if (f.withdrawn !== undefined) c.withdrawn = f.withdrawn;
  if (f.versions !== undefined && f.versions.length > 0) c.versions = f.versions;
  if (f.license !== undefined) c.license = f.license;
  if (f.journalRef !== undefined && f.journalRef !== '') c.journalRef = f.journalRef;
  if (f.comments !== undefined && f.comments !== '') c.comments = f.comments;
  return c;
}
