import {
  PaperlineError,
  PermanentError,
  RateLimitedError,
  TransientError,
  type ErrorCode,
  type ErrorContext,
} from '@paperline/contracts';
import { BodyTooLargeError, DecodingError, UnsupportedEncodingError } from './body.js';
import { BlockedAddressError, isCloudMetadataAddress } from './guard.js';
import { DEFAULT_RATE_LIMIT_DELAY_MS, parseRetryAfter } from './retry.js';

/** Where a fetch was when it failed: names the URL in messages and context. */
export interface FetchState {
  /** The URL passed to `fetch`. */
  readonly requestedUrl: string;
  /** The URL of the hop being fetched (differs after redirects). */
  currentUrl: string;
}

/** Limits quoted in timeout messages. */
interface TimeoutLimits {
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  totalTimeoutMs: number;
}

function where(state: FetchState): string {
  return state.currentUrl === state.requestedUrl
    ? `GET ${state.requestedUrl}`
    : `GET ${state.currentUrl} (redirected from ${state.requestedUrl})`;
}

function context(state: FetchState, extra: Record<string, unknown> = {}): ErrorContext {
  const hop = state.currentUrl === state.requestedUrl ? {} : { hopUrl: state.currentUrl };
  return { url: state.requestedUrl, ...hop, ...extra };
}

/** A PermanentError whose message names the request and ends with its code. */
export function permanent(
  state: FetchState,
  code: ErrorCode,
  what: string,
  extra?: Record<string, unknown>,
  cause?: unknown,
): PermanentError {
  return new PermanentError(code, `${where(state)}: ${what} (${code})`, {
    stage: 'fetch',
    context: context(state, extra),
    cause,
  });
}

/** A TransientError whose message names the request and ends with its code. */
export function transient(
  state: FetchState,
  code: ErrorCode,
  what: string,
  extra?: Record<string, unknown>,
  cause?: unknown,
): TransientError {
  return new TransientError(code, `${where(state)}: ${what} (${code})`, {
    stage: 'fetch',
    context: context(state, extra),
    cause,
  });
}

/**
 * The error for a response status that is neither success, 304 nor a redirect: 404/410 →
 * permanent `HTTP_NOT_FOUND`; 429 and 503 with `Retry-After` → {@link RateLimitedError} (a 429
 * without one waits 30 s); other 5xx and 408 → transient `HTTP_SERVER_ERROR`; other statuses →
 * permanent `HTTP_CLIENT_ERROR`.
 */
export function statusError(
  state: FetchState,
  status: number,
  retryAfter: string | undefined,
): PaperlineError {
  const extra = { status };
  if (status === 404 || status === 410)
    return permanent(state, 'HTTP_NOT_FOUND', `${status}, no such page`, extra);
  const wait = parseRetryAfter(retryAfter);
  if (status === 429 || (status === 503 && wait !== undefined)) {
    const ms = wait ?? DEFAULT_RATE_LIMIT_DELAY_MS;
    return new RateLimitedError(
      `${where(state)}: ${status}, rate limited; retry in ${ms} ms (HTTP_RATE_LIMITED)`,
      ms,
      {
        stage: 'fetch',
        context: context(state, { ...extra, retryAfterMs: ms }),
      },
    );
  }
  if (status >= 500 || status === 408) {
    return transient(state, 'HTTP_SERVER_ERROR', `server answered ${status}`, extra);
  }
  return permanent(state, 'HTTP_CLIENT_ERROR', `server answered ${status}`, extra);
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const first: unknown = err instanceof AggregateError ? err.errors[0] : undefined;
  return first === undefined ? undefined : errorCode(first);
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'ENODATA', 'ESERVFAIL']);

/**
 * Maps anything thrown while fetching to a PaperlineError carrying `context.url`. PaperlineErrors
 * pass through; `timedOut` marks that the total-time budget ran out.
 */
export function toFetchError(
  err: unknown,
  state: FetchState,
  limits: TimeoutLimits,
  timedOut: boolean,
): PaperlineError {
  if (err instanceof PaperlineError) return err;
  if (timedOut) {
    return transient(
      state,
      'HTTP_TIMEOUT',
      `no complete response within ${limits.totalTimeoutMs} ms`,
      {},
      err,
    );
  }
  if (err instanceof BlockedAddressError) {
    return permanent(
      state,
      'HTTP_BLOCKED_ADDRESS',
      isCloudMetadataAddress(err.address)
        ? `refused to connect: ${err.message}`
        : `refused to connect: ${err.message}; add the host to PAPERLINE_ALLOW_HOSTS if it is meant to be crawled`,
      { host: err.host, address: err.address },
    );
  }
  if (err instanceof BodyTooLargeError) {
    return permanent(state, 'HTTP_TOO_LARGE', err.message, { limit: err.limit });
  }
  if (err instanceof UnsupportedEncodingError) {
    return permanent(state, 'HTTP_BAD_CONTENT_TYPE', err.message, { encoding: err.encoding });
  }
  if (err instanceof DecodingError) {
    return transient(state, 'HTTP_CONNECTION', err.message, { encoding: err.encoding }, err);
  }
  const code = errorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const host = hostOf(state.currentUrl);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return transient(
        state,
        'HTTP_TIMEOUT',
        `could not connect to ${host} within ${limits.connectTimeoutMs} ms`,
        {},
        err,
      );
    case 'UND_ERR_HEADERS_TIMEOUT':
      return transient(
        state,
        'HTTP_TIMEOUT',
        `no response headers within ${limits.headersTimeoutMs} ms`,
        {},
        err,
      );
    case 'UND_ERR_BODY_TIMEOUT':
      return transient(
        state,
        'HTTP_TIMEOUT',
        `response body stalled for over ${limits.bodyTimeoutMs} ms`,
        {},
        err,
      );
    case 'UND_ERR_INVALID_ARG':
      return permanent(state, 'UNSUPPORTED_URL', `cannot request this URL: ${detail}`, {}, err);
    case 'ECONNREFUSED':
      return transient(state, 'HTTP_CONNECTION', `connection refused by ${host}`, { errorCode: code }, err);
  }
  if (code !== undefined && DNS_CODES.has(code)) {
    const name = new URL(state.currentUrl).hostname;
    return transient(
      state,
      'HTTP_CONNECTION',
      `DNS lookup of ${name} failed (${code})`,
      { errorCode: code },
      err,
    );
  }
  const why = code === undefined ? detail : `${detail} [${code}]`;
  return transient(
    state,
    'HTTP_CONNECTION',
    `connection to ${host} failed: ${why}`,
    { errorCode: code },
    err,
  );
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
