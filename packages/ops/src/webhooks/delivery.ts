import { UnrecoverableError, type Job } from 'bullmq';
import { ERROR_CODES, PaperlineError, TransientError, type FailureCode } from '@paperline/contracts';
import type { HttpPoster } from '@paperline/core/http';
import type { ChangeView } from '../changes.js';
import type { WebhookEndpoint, WebhookFilter } from './config.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';

/** One batch for one endpoint: the `deliver` job's data and, as JSON, the body POSTed. */
export interface DeliveryPayload {
  endpoint: string;
  /** The feed cursors the batch spans: read after `from`, up to and including `to`. */
  batch: { from: string; to: string };
  changes: ChangeView[];
}

/** Whether a change passes an endpoint's filter (every field given must match). */
export function passesFilter(filter: WebhookFilter, change: ChangeView): boolean {
  if (filter.ops && !filter.ops.includes(change.op)) return false;
  if (!filter.categories && !filter.newOnly) return true;
  // Categories and newness are read off the current record: only upserts have one.
  const record = change.record;
  if (!record) return false;
  if (filter.newOnly && record.firstSeenAt !== record.updatedAt) return false;
  if (filter.categories) {
    const cats = Array.isArray(record.categories) ? (record.categories as unknown[]) : [];
    if (!filter.categories.some((c) => cats.includes(c))) return false;
  }
  return true;
}

/** What delivering needs: the configured endpoints by name, and the guarded HTTP client. */
export interface DeliverDeps {
  endpoints: ReadonlyMap<string, WebhookEndpoint>;
  poster: Pick<HttpPoster, 'post'>;
}

/**
 * POSTs one batch to its endpoint, signed (docs/webhooks.md). A 2xx answer delivers it; any other
 * answer, a timeout or a refused connection throws, and BullMQ retries the job with backoff until
 * its attempts are used up: then it is parked (failed) for `failed` / `retry`. An endpoint no
 * longer configured, or an address the guard refuses, parks the batch at once.
 */
export async function deliverBatch(
  job: Job<DeliveryPayload>,
  deps: DeliverDeps,
): Promise<{ status: number }> {
  const ep = deps.endpoints.get(job.data.endpoint);
  if (!ep) throw parkNow('CONFIG_INVALID', `webhook endpoint '${job.data.endpoint}' is no longer configured`);
  const body = JSON.stringify(job.data);
  const headers = {
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: signatureHeader(ep.secret, body, Math.floor(Date.now() / 1000)),
    'paperline-delivery': job.id ?? '',
  };
  let status: number;
  try {
    status = await deps.poster.post(ep.url, body, headers);
  } catch (err) {
    throw deliveryError(ep.name, err);
  }
  if (status < 200 || status > 299) {
    throw new TransientError(
      status >= 500 ? 'HTTP_SERVER_ERROR' : 'HTTP_CLIENT_ERROR',
      `webhook '${ep.name}' answered ${status}`,
    );
  }
  return { status };
}

/**
 * Sends a signed ping (`{ endpoint, ping: true, changes: [] }`) to an endpoint now, outside the
 * queue (`webhooks test`); resolves with the answer's status, throws like a delivery.
 */
export async function pingEndpoint(ep: WebhookEndpoint, poster: Pick<HttpPoster, 'post'>): Promise<number> {
  const body = JSON.stringify({ endpoint: ep.name, ping: true, changes: [] });
  const headers = {
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: signatureHeader(ep.secret, body, Math.floor(Date.now() / 1000)),
  };
  try {
    return await poster.post(ep.url, body, headers);
  } catch (err) {
    throw deliveryError(ep.name, err);
  }
}

function deliveryError(endpoint: string, err: unknown): Error {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (e.code === 'PAPERLINE_BLOCKED_ADDRESS' || e.cause?.code === 'PAPERLINE_BLOCKED_ADDRESS') {
    return parkNow(
      'HTTP_BLOCKED_ADDRESS',
      `webhook '${endpoint}': ${e.message} (allow it in PAPERLINE_ALLOW_HOSTS)`,
    );
  }
  const timeout = e.name === 'TimeoutError' || e.name === 'AbortError' || /Timeout/.test(e.code ?? '');
  return new TransientError(
    timeout ? 'HTTP_TIMEOUT' : 'HTTP_CONNECTION',
    `webhook '${endpoint}': ${timeout ? 'no answer in time' : (e.message ?? String(err))}`,
  );
}

/** A failure that parks the batch at once (BullMQ retries it no more), carrying its code. */
function parkNow(code: FailureCode, message: string): UnrecoverableError & { code: FailureCode } {
  return Object.assign(new UnrecoverableError(message), { code });
}

/** The code a failed delivery is listed under by `failed` (and picked by `retry --code`). */
export function deliveryFailureCode(err: unknown): FailureCode {
  if (err instanceof PaperlineError) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return (ERROR_CODES as readonly unknown[]).includes(code) ? (code as FailureCode) : 'UNKNOWN';
}

/** Whether this failure parks the batch: it is for good, or the job's last attempt. */
export function parksBatch(job: Job, err: unknown): boolean {
  return err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
