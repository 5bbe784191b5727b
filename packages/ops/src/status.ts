import type { CrawlSummary } from '@paperline/contracts';
import { jobCounts, type CrawlStore, type StageCounts } from '@paperline/core/pipeline';
import type { NamedQueue } from './queues.js';

/** What a status reads. */
export interface StatusDeps {
  queues: readonly NamedQueue[];
  crawls: Pick<CrawlStore, 'recent' | 'summary'>;
}

/** Job counts per queue (by name, in the order given) and the most recent crawls. */
export interface Status {
  queues: Record<string, StageCounts>;
  crawls: CrawlSummary[];
}

/** The summaries of the `limit` most recent crawls, the newest first. */
export async function recentCrawls(
  crawls: Pick<CrawlStore, 'recent' | 'summary'>,
  limit: number,
): Promise<CrawlSummary[]> {
  const summaries = await Promise.all((await crawls.recent(limit)).map((id) => crawls.summary(id)));
  return summaries.filter((s): s is CrawlSummary => s !== null);
}

/** Job counts per state of every queue, and the summaries of the recent crawls. */
export async function status(
  deps: StatusDeps,
  opts: {
    /** How many recent crawls. @defaultValue 5 */ crawls?: number;
  } = {},
): Promise<Status> {
  const [counts, crawls] = await Promise.all([
    Promise.all(deps.queues.map((q) => jobCounts(q.queue))),
    recentCrawls(deps.crawls, opts.crawls ?? 5),
  ]);
  return { queues: Object.fromEntries(deps.queues.map((q, i) => [q.name, counts[i]!])), crawls };
}
