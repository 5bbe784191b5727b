import type { Queue, JobsOptions } from 'bullmq';
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { ChangeFeed } from '@paperline/core/pipeline';
import { readChanges, type ChangesDeps } from '../changes.js';
import type { WebhookEndpoint } from './config.js';
import type { WebhookCursors } from './cursors.js';
import { passesFilter, type DeliveryPayload } from './delivery.js';

/** What following the feed for an endpoint needs. */
export interface FollowDeps {
  changes: ChangesDeps & { feed: Pick<ChangeFeed, 'read' | 'waitForMore' | 'head'> };
  cursors: WebhookCursors;
  queue: Pick<Queue<DeliveryPayload>, 'add' | 'getJobState'>;
  /** attempts, backoff and retention of each delivery job. */
  jobOptions: JobsOptions;
  /** How often a batch in flight is checked for having settled. */
  settlePollMs?: number;
}

/** The `deliver` job id of an endpoint's batch: the same batch, handed over again, is the same job. */
export function deliveryJobId(endpoint: string, to: string): string {
  return `${endpoint}.${createHash('sha256').update(to).digest('hex').slice(0, 20)}`;
}

/** Waits `ms`, or less when `signal` aborts (never throws). */
export const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  delay(ms, undefined, { signal }).catch(() => undefined);

const SETTLED = new Set(['completed', 'failed', 'unknown']);

/** Waits until a job has completed or been parked (or is gone); false when `signal` aborted first. */
async function settled(deps: FollowDeps, jobId: string, signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted) {
    if (SETTLED.has(await deps.queue.getJobState(jobId))) return true;
    await pause(deps.settlePollMs ?? 200, signal);
  }
  return false;
}

/**
 * Follows the change feed for one endpoint until `signal` aborts: waits for the batch in flight to
 * settle (one at a time per endpoint, so batches reach the receiver in feed order), reads the next
 * `batchSize` entries after the endpoint's cursor, hands those its filter passes to the `deliver`
 * queue as one job, then moves the cursor (at least once: a crash between the two hands the same
 * job again, which BullMQ ignores while it exists). An endpoint with no cursor yet starts at the
 * feed's head. The caller holds the endpoint's lease.
 */
export async function followEndpoint(
  ep: WebhookEndpoint,
  deps: FollowDeps,
  signal: AbortSignal,
): Promise<void> {
  let { cursor, job } = await deps.cursors.state(ep.name);
  if (cursor === undefined) {
    cursor = await deps.changes.feed.head();
    await deps.cursors.advance(ep.name, cursor);
  }
  while (!signal.aborted) {
    if (job !== undefined && !(await settled(deps, job, signal))) return;
    job = undefined;
    const page = await readChanges(deps.changes, { after: cursor, limit: ep.batchSize });
    if (page.entries.length === 0) {
      await deps.changes.feed.waitForMore(cursor, { signal, timeoutMs: 5000 });
      continue;
    }
    const changes = page.entries.filter((c) => passesFilter(ep.filter, c));
    if (changes.length > 0) {
      job = deliveryJobId(ep.name, page.next);
      const payload: DeliveryPayload = { endpoint: ep.name, batch: { from: cursor, to: page.next }, changes };
      await deps.queue.add(ep.name, payload, { ...deps.jobOptions, jobId: job });
    }
    await deps.cursors.advance(ep.name, page.next, job);
    cursor = page.next;
  }
}
