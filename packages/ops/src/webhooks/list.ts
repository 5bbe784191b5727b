import type { Queue } from 'bullmq';
import type { ChangeFeed } from '@paperline/core/pipeline';
import { FAILED_LIMIT } from '../failed.js';
import type { WebhookEndpoint } from './config.js';
import type { WebhookCursors } from './cursors.js';

/** Entries counted behind an endpoint at most: a lag of this many reads as "at least". */
export const LAG_CAP = 10_000;

/** One endpoint as `webhooks list` shows it. */
export interface WebhookRow {
  name: string;
  /** The URL's origin only: a path or query may hold a token. */
  origin: string;
  /** null: not started yet. */
  cursor: string | null;
  /** Feed entries after the cursor (up to {@link LAG_CAP}); null when not started. */
  lag: number | null;
  /** Batches that used up their attempts (failed `deliver` jobs). */
  parked: number;
  /** The process following it now, if any. */
  follower: string | null;
}

/** What listing reads. */
export interface ListWebhooksDeps {
  endpoints: readonly WebhookEndpoint[];
  cursors: Pick<WebhookCursors, 'state' | 'holder'>;
  feed: Pick<ChangeFeed, 'read'>;
  queue: Pick<Queue, 'getFailed'>;
}

/** Each configured endpoint with its cursor, its lag in feed entries and its parked batches. */
export async function listWebhooks(deps: ListWebhooksDeps): Promise<WebhookRow[]> {
  const failed = (await deps.queue.getFailed(0, FAILED_LIMIT - 1)).filter(Boolean);
  const rows: WebhookRow[] = [];
  for (const ep of deps.endpoints) {
    const { cursor } = await deps.cursors.state(ep.name);
    const lag = cursor === undefined ? null : (await deps.feed.read(cursor, LAG_CAP)).entries.length;
    rows.push({
      name: ep.name,
      origin: new URL(ep.url).origin,
      cursor: cursor ?? null,
      lag,
      parked: failed.filter((j) => j.name === ep.name).length,
      follower: await deps.cursors.holder(ep.name),
    });
  }
  return rows;
}
