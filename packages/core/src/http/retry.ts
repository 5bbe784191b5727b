import { parseHttpDate } from './http-date.js';

/** Longest delay a `Retry-After` header can impose; longer values are capped to this. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Delay used for a 429 without a usable `Retry-After`. */
export const DEFAULT_RATE_LIMIT_DELAY_MS = 30_000;

/**
 * Parses a `Retry-After` header: delay-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`, also the obsolete RFC 850 and asctime forms, all UTC) into
 * milliseconds from `now`, capped at {@link MAX_RETRY_AFTER_MS}. A date in the past gives 0.
 * Returns undefined when the header is absent or unreadable.
 *
 * @param now - the current time in ms since the epoch. @defaultValue `Date.now()`
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  let ms: number;
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    const at = parseHttpDate(text, now);
    if (at === undefined) return undefined;
    ms = at - now;
  }
  return Math.round(Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS));
}

interface BackoffOptions {
  /** Ceiling of the first retry's delay, doubled on each further attempt. @defaultValue 1000 */
  baseMs?: number;
  /** Upper bound of any delay. @defaultValue 60_000 */
  maxMs?: number;
  /** Source of randomness in [0, 1). @defaultValue `Math.random` */
  random?: () => number;
}

/**
 * Delay before the next attempt: exponential backoff with full jitter, a uniformly random value in
 * `[0, min(maxMs, baseMs * 2^(attempt - 1)))`.
 *
 * @param attempt - how many attempts have failed so far (1 for the first retry); values below 1
 *   count as 1.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const { baseMs = 1000, maxMs = 60_000, random = Math.random } = opts;
  const n = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(n - 1, 52));
  return Math.floor(random() * ceiling);
}
