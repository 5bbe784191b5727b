import { createHash, randomBytes } from 'node:crypto';

/**
 * Identifiers derived below every concern of core (archive records, job ids, crawl ids), so that
 * `es`, `metrics` and `pipeline` take them from here rather than from each other.
 */

/** The first `len` hex digits of the sha256 of `s`: a stable, key-safe name for a URL or a job. */
export const shortHash = (s: string, len = 20): string =>
  createHash('sha256').update(s).digest('hex').slice(0, len);

/** A new crawl id: sortable by time, safe in BullMQ job ids and Redis keys. */
export function newCrawlId(now = new Date()): string {
  return `${crawlIdStamp(now)}-${randomBytes(3).toString('hex')}`;
}

/** The time part of crawl ids started at `at` (`c20261206052400`): ids compare as their times do. */
export function crawlIdStamp(at: Date): string {
  const ts = at
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .slice(0, 14);
  return `c${ts}`;
}
