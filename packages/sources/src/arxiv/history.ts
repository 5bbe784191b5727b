/**
 * The submission history and dateline of an arXiv abstract page
 * (docs/sources.md#arxiv-abstract-pages).
 */
import { dayMonthYear } from './common.js';
import { sizeKb } from './extras.js';

/** One `[vN]` line of the submission history. */
export interface VersionEntry {
  version: number;
  /** ISO date-time of the submission, when readable. */
  submittedAt?: string;
  /** The size in parentheses, `(2,161 KB)`, in kilobytes. */
  sizeKb?: number;
  /** `<em>(withdrawn)</em>` on the line. */
  withdrawn: boolean;
}

/** The parenthesised size of a history line: `(18 KB)`, `(2,161 KB)`. */
const SIZE_IN_LINE = /\(\s*\d[\d,]*(?:\.\d+)?\s*[kmg]?b\s*\)/i;

/**
 * The versions of a submission history's text (`[v1] Mon, 7 Jan 2008 15:55:02 UTC (18 KB)
 * [v3] … (withdrawn)`), in page order. Each `[vN]` owns the text up to the next one.
 */
export function readHistory(text: string): VersionEntry[] {
  const parts = text.split(/\[v(\d{1,4})\]/);
  const out: VersionEntry[] = [];
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const version = Number(parts[i]);
    const line = parts[i + 1] ?? '';
    if (version < 1) continue;
    const submittedAt = dayMonthYear(line);
    const size = sizeKb(SIZE_IN_LINE.exec(line)?.[0]);
    out.push({
      version,
      ...(submittedAt === undefined ? {} : { submittedAt }),
      ...(size === undefined ? {} : { sizeKb: size }),
      withdrawn: /\(withdrawn\)/i.test(line),
    });
  }
  return out;
}

/** The highest version named in a history, or undefined for none. */
export function latestVersion(history: readonly VersionEntry[]): VersionEntry | undefined {
  return history.reduce<VersionEntry | undefined>(
    (best, v) => (best === undefined || v.version > best.version ? v : best),
    undefined,
  );
}

/**
 * What the dateline says: `[Submitted on 7 Jan 2008 (v1), last revised 3 Mar 2008 (this version,
 * v3)]` → the v1 date and the highest version it names.
 */
export function readDateline(text: string): { submittedAt?: string; version?: number } {
  const m = /Submitted on\s+([^(\]]+)/i.exec(text);
  const submittedAt = m ? dayMonthYear(m[1] ?? '') : undefined;
  const versions = [...text.matchAll(/\bv(\d{1,4})\b/g)].map((x) => Number(x[1])).filter((v) => v > 0);
  return {
    ...(submittedAt === undefined ? {} : { submittedAt }),
    ...(versions.length === 0 ? {} : { version: Math.max(...versions) }),
  };
}

/**
 * The v1 date: the meta tag's day (`citation_date`), made precise with the history's `[v1]`
 * time when both name the same UTC day; else whichever is known (history, then dateline).
 */
export function firstPublished(
  metaDay: string | undefined,
  historyV1: string | undefined,
  dateline: string | undefined,
): string | undefined {
  if (metaDay !== undefined) {
    return historyV1 !== undefined && historyV1.slice(0, 10) === metaDay.slice(0, 10) ? historyV1 : metaDay;
  }
  return historyV1 ?? dateline;
}
