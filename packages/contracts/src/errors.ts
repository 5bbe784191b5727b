import type { Stage } from './queues.js';

/** How a failure should be handled by the queue. */
export type RetryClass = 'permanent' | 'transient' | 'rate-limited';

/** Stable error codes. Branch on these (or on `instanceof`), never on message text. */
export const ERROR_CODES = [
  'INVALID_PAYLOAD',
  'INVALID_RECORD',
  'PARSE_ERROR',
  'UNSUPPORTED_URL',
  'HTTP_CLIENT_ERROR',
  'HTTP_NOT_FOUND',
  'HTTP_SERVER_ERROR',
  'HTTP_RATE_LIMITED',
  'HTTP_TIMEOUT',
  'HTTP_CONNECTION',
  'HTTP_TOO_LARGE',
  'HTTP_TOO_MANY_REDIRECTS',
  'HTTP_BAD_CONTENT_TYPE',
  'HTTP_BLOCKED_ADDRESS',
  'ROBOTS_DISALLOWED',
  'ARCHIVE_MISSING',
  'ARCHIVE_UNREADABLE',
  'INDEX_ITEM_FAILED',
  'INDEX_UNAVAILABLE',
  'JOB_TIMEOUT',
  'REINDEX_FAILED',
  'CONFIG_INVALID',
  'STACK_UNAVAILABLE',
  'MODEL_MISSING',
  'MODEL_INVALID',
  'EMBED_INPUT_INVALID',
  'SEARCH_INVALID',
  'PAPER_NOT_FOUND',
  'VECTOR_MISSING',
  'EXPORT_INVALID',
  'EXPORT_FAILED',
  'FEED_CURSOR_INVALID',
  'FEED_CURSOR_EXPIRED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The code a failed job is recorded under: its error's code, `UNKNOWN` for an untyped error. */
export type FailureCode = ErrorCode | 'UNKNOWN';

export interface ErrorContext {
  readonly url?: string;
  readonly paperId?: string;
  readonly source?: string;
  readonly [key: string]: unknown;
}

export interface PaperlineErrorOptions {
  stage?: Stage | 'cli' | 'stack' | 'config';
  context?: ErrorContext;
  cause?: unknown;
}

/** Base of every error Paperline raises on purpose. */
export class PaperlineError extends Error {
  readonly code: ErrorCode;
  readonly retry: RetryClass;
  readonly stage: PaperlineErrorOptions['stage'];
  readonly context: Readonly<ErrorContext>;

  constructor(code: ErrorCode, message: string, retry: RetryClass, options: PaperlineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retry = retry;
    this.stage = options.stage;
    this.context = Object.freeze({ ...options.context });
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      stage: this.stage,
      context: this.context,
    };
  }
}

/** Bad input that will never succeed on retry (validation, 404, parse failure). */
export class PermanentError extends PaperlineError {
  constructor(code: ErrorCode, message: string, options: PaperlineErrorOptions = {}) {
    super(code, message, 'permanent', options);
  }
}

/** A failure worth retrying with backoff (timeouts, 5xx, connection loss). */
export class TransientError extends PaperlineError {
  constructor(code: ErrorCode, message: string, options: PaperlineErrorOptions = {}) {
    super(code, message, 'transient', options);
  }
}

/** The remote asked us to slow down; retry no earlier than `retryAfterMs`. */
export class RateLimitedError extends PaperlineError {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options: PaperlineErrorOptions = {}) {
    super('HTTP_RATE_LIMITED', message, 'rate-limited', options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** A page a parser could not read. Always names the URL and what was wrong. */
export class ParseError extends PermanentError {
  constructor(
    url: string,
    what: string,
    options: Omit<PaperlineErrorOptions, 'context'> & { source?: string } = {},
  ) {
    super('PARSE_ERROR', `cannot parse ${url}: ${what}`, {
      ...options,
      stage: options.stage ?? 'parse',
      context: { url, ...(options.source ? { source: options.source } : {}) },
    });
  }
}

export function isPaperlineError(err: unknown): err is PaperlineError {
  return err instanceof PaperlineError;
}
