import ms from 'ms';
import { PermanentError, type Change } from '@paperline/contracts';
import { deletePapers, withdrawnPapers, type EsClient, type WithdrawnPaper } from '@paperline/core/es';
import type { ChangeFeed } from '@paperline/core/pipeline';

/** What a purge needs: Elasticsearch, the papers alias, and the change feed for its tombstones. */
export interface PurgeDeps {
  es: EsClient;
  alias: string;
  feed: Pick<ChangeFeed, 'append'>;
}

export interface PurgeOptions {
  /**
   * Withdrawn papers not updated for this long: a duration (`30d`, `12h`, `90m`, `2w`) or a date
   * (`2025-01-31`, an ISO time). @defaultValue `30d`
   */
  olderThan?: string;
  /** Only count and list what would go. @defaultValue true */
  dryRun?: boolean;
  /** @defaultValue the current time */
  now?: Date;
  /** Documents per page and per bulk request. @defaultValue 1000 */
  pageSize?: number;
}

export interface PurgeReport {
  dryRun: boolean;
  /** Papers last updated before this time were eligible (ISO 8601). */
  cutoff: string;
  /** Withdrawn papers last updated before the cutoff. */
  matched: number;
  /** Their documents deleted (none in a dry run). */
  purged: number;
  /** Written again after they were found (a newer version): kept. */
  changed: number;
  /** Already gone when their delete came. */
  gone: number;
  /** The first ids matched (at most 100), to see what a dry run would purge. */
  sample: string[];
}

const SAMPLE = 100;

const DATE = /^\d{4}-\d{2}-\d{2}/;

/**
 * The time before which papers are old enough: now minus a duration with a unit (`ms`'s: `30d`,
 * `12h`, `90m`, `2w`, `1y`, `30 days`), or a date; anything else is `INVALID_PAYLOAD`.
 */
export function purgeCutoff(olderThan: string, now: Date): Date {
  if (DATE.test(olderThan)) {
    const t = Date.parse(olderThan);
    if (!Number.isNaN(t)) return new Date(t);
  } else if (/[a-z]$/i.test(olderThan)) {
    const duration = ms(olderThan as ms.StringValue) as number | undefined;
    if (typeof duration === 'number' && Number.isFinite(duration) && duration >= 0) {
      return new Date(now.getTime() - duration);
    }
  }
  throw new PermanentError(
    'INVALID_PAYLOAD',
    `--older-than must be a duration (30d, 12h, 90m, 2w) or a date (YYYY-MM-DD), got '${olderThan}'`,
    { stage: 'cli' },
  );
}

/**
 * Retention of withdrawn papers: finds those not updated since the cutoff (a point in time and
 * `search_after`) and, unless it is a dry run, removes them page by page. Each page's `purged`
 * tombstones go to the change feed first, then its bulk delete; each delete is a write at the
 * document's version + 1, so a paper written again since it was found stays (and its newer entry
 * follows the tombstone in the feed). A purge stopped half-way is run again: what it did not
 * delete is found again, and a tombstone already appended is not appended twice.
 */
export async function purgeWithdrawn(deps: PurgeDeps, opts: PurgeOptions = {}): Promise<PurgeReport> {
  const cutoff = purgeCutoff(opts.olderThan ?? '30d', opts.now ?? new Date());
  const report: PurgeReport = {
    dryRun: opts.dryRun ?? true,
    cutoff: cutoff.toISOString(),
    matched: 0,
    purged: 0,
    changed: 0,
    gone: 0,
    sample: [],
  };
  if (!(await deps.es.indices.exists({ index: deps.alias }))) return report;
  const pages = withdrawnPapers(deps.es, deps.alias, {
    before: report.cutoff,
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
  });
  for await (const page of pages) {
    report.matched += page.length;
    report.sample.push(...page.slice(0, SAMPLE - report.sample.length).map((p) => p.id));
    if (!report.dryRun) await purgePage(deps, page, report);
  }
  // Searches (and the next purge's point in time) stop seeing what went.
  if (report.purged > 0) await deps.es.indices.refresh({ index: deps.alias });
  return report;
}

/** Tombstones first, then the deletes: a purge never removes a document the feed was not told of. */
async function purgePage(deps: PurgeDeps, page: WithdrawnPaper[], report: PurgeReport): Promise<void> {
  const reason = `withdrawn, not updated since before ${report.cutoff}`;
  await deps.feed.append(
    page.map((p): Change => ({ id: p.id, op: 'purged', version: p.version + 1, reason })),
  );
  const outcomes = await deletePapers(
    deps.es,
    deps.alias,
    page.map((p) => ({ id: p.id, version: p.version + 1 })),
  );
  for (const o of outcomes) {
    if (o.result === 'deleted') report.purged++;
    else if (o.result === 'superseded') report.changed++;
    else report.gone++;
  }
}
