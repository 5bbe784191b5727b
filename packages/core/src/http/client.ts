import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { destroyBody, readBody } from './body.js';
import { detectCharset } from './charset.js';
import { permanent, statusError, toFetchError, type FetchState } from './errors.js';
import { createGuardedConnector } from './connector.js';
import { normalizeAllowHosts } from './guard.js';

export const DEFAULT_USER_AGENT =
  'Paperline/0.1 (+https://github.com/paperline; mailto:paperline@example.org)';

/** Media types accepted by default. */
const DEFAULT_ACCEPT_CONTENT_TYPES: readonly string[] = [
  'text/html',
  'application/xhtml+xml',
  'application/json',
  'application/atom+xml',
  'application/xml',
  'text/xml',
  'text/plain',
];

const ACCEPT = 'text/html,application/xhtml+xml,application/json,application/atom+xml;q=0.9,*/*;q=0.8';
const ACCEPT_ENCODING = 'gzip, br';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Bytes of an error or redirect body read to keep the connection reusable before giving up on it. */
const DRAIN_LIMIT = 64 * 1024;

export interface HttpClientOptions {
  /** @defaultValue 'Paperline/0.1 (+https://github.com/paperline; mailto:paperline@example.org)' */
  userAgent?: string;
  /** Time to establish the TCP (and TLS) connection. @defaultValue 10_000 */
  connectTimeoutMs?: number;
  /** Time to response headers (first byte). @defaultValue 15_000 */
  headersTimeoutMs?: number;
  /** Max idle gap between body chunks. @defaultValue 15_000 */
  bodyTimeoutMs?: number;
  /** Total time for the whole fetch, redirects included. @defaultValue 45_000 */
  totalTimeoutMs?: number;
  /** Largest body accepted, counted on the wire and after decompression. @defaultValue 10 * 1024 * 1024 */
  maxBodyBytes?: number;
  /** Redirects followed before failing with `HTTP_TOO_MANY_REDIRECTS`. @defaultValue 5 */
  maxRedirects?: number;
  /**
   * Media types accepted (`type/subtype`, or `type/*`); others fail with `HTTP_BAD_CONTENT_TYPE`.
   * @defaultValue html, xhtml, json, atom+xml, application/xml, text/xml, text/plain
   */
  acceptContentTypes?: string[];
  /**
   * SSRF guard: destinations allowed even though they resolve to private/loopback addresses — the
   * configured base URLs plus PAPERLINE_ALLOW_HOSTS. A URL allows its scheme, host and port;
   * `host:port` that port; `host` ports 80 and 443 (see `normalizeAllowHosts`). Cloud metadata
   * addresses stay refused. @defaultValue []
   */
  allowHosts?: string[];
  /** Refuse private, loopback, link-local… addresses (see `isBlockedAddress`). @defaultValue true */
  blockPrivateAddresses?: boolean;
  /** Custom DNS lookup, for tests. @defaultValue `dns.lookup` */
  lookup?: LookupFunction;
}

/** Validators from an earlier fetch, sent as If-None-Match / If-Modified-Since. */
export interface ConditionalHeaders {
  etag?: string;
  lastModified?: string;
}

export interface FetchResult {
  /** The URL passed to `fetch`. */
  requestedUrl: string;
  /** The URL that answered, after redirects. */
  finalUrl: string;
  /** 200..299, or 304 when a conditional GET found the page unchanged. */
  status: number;
  /** The Content-Type header as sent (parameters included), '' when absent (e.g. on 304). */
  contentType: string;
  /** Charset found by `detectCharset` (BOM, header, `<meta>`/XML prolog, else utf-8). */
  charset: string;
  etag?: string;
  lastModified?: string;
  /** Decompressed body; empty on 304, 204 and 205. */
  body: Buffer;
  /** The URLs that answered with a redirect, in order (the first is `requestedUrl`); empty if none. */
  redirects: string[];
  /** Wall time of the whole fetch. */
  elapsedMs: number;
}

type ResolvedOptions = Required<Omit<HttpClientOptions, 'lookup' | 'allowHosts'>>;

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Starts reading an unwanted body (so a small one frees the connection) and never waits for it. */
function discardBody(body: Readable & { dump(opts: { limit: number }): Promise<void> }): void {
  body.on('error', () => undefined);
  body.dump({ limit: DRAIN_LIMIT }).catch(() => undefined);
}

function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Parses a URL the client may fetch (http: or https:), else `UNSUPPORTED_URL`. */
function checkedUrl(state: FetchState, raw: string, base?: string): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw permanent(state, 'UNSUPPORTED_URL', `"${raw}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw permanent(
      state,
      'UNSUPPORTED_URL',
      `only http: and https: URLs can be fetched, not ${url.protocol}`,
    );
  }
  return url;
}

/**
 * The fetcher's HTTP client: GET with timeouts, size limit, manual redirects, decompression,
 * conditional requests and an SSRF guard enforced at connect time. Failures are PaperlineErrors
 * (permanent, transient or rate-limited) with `context.url`.
 */
export class HttpClient {
  readonly #opts: ResolvedOptions;
  readonly #accept: readonly string[];
  readonly #agent: Agent;

  constructor(opts: HttpClientOptions = {}) {
    this.#opts = {
      userAgent: opts.userAgent ?? DEFAULT_USER_AGENT,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      headersTimeoutMs: opts.headersTimeoutMs ?? 15_000,
      bodyTimeoutMs: opts.bodyTimeoutMs ?? 15_000,
      totalTimeoutMs: opts.totalTimeoutMs ?? 45_000,
      maxBodyBytes: opts.maxBodyBytes ?? 10 * 1024 * 1024,
      maxRedirects: opts.maxRedirects ?? 5,
      acceptContentTypes: opts.acceptContentTypes ?? [...DEFAULT_ACCEPT_CONTENT_TYPES],
      blockPrivateAddresses: opts.blockPrivateAddresses ?? true,
    };
    this.#accept = this.#opts.acceptContentTypes.map((t) => t.trim().toLowerCase());
    this.#agent = new Agent({
      keepAliveTimeout: 4_000,
      pipelining: 1,
      headersTimeout: this.#opts.headersTimeoutMs,
      bodyTimeout: this.#opts.bodyTimeoutMs,
      connect: createGuardedConnector({
        timeoutMs: this.#opts.connectTimeoutMs,
        blockPrivateAddresses: this.#opts.blockPrivateAddresses,
        allowHosts: normalizeAllowHosts(opts.allowHosts ?? []),
        lookup: opts.lookup,
      }),
    });
  }

  /** GETs `url`, following up to `maxRedirects` redirects. Resolves on 2xx and 304 only. */
  async fetch(url: string, conditional: ConditionalHeaders = {}): Promise<FetchResult> {
    const started = performance.now();
    const state: FetchState = { requestedUrl: url, currentUrl: url };
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error('total timeout')), this.#opts.totalTimeoutMs);
    try {
      return await this.#follow(state, conditional, deadline.signal, started);
    } catch (err) {
      throw toFetchError(err, state, this.#opts, deadline.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes pooled connections once in-flight requests are done. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  #headers(conditional: ConditionalHeaders): Record<string, string> {
    const headers: Record<string, string> = {
      'user-agent': this.#opts.userAgent,
      accept: ACCEPT,
      'accept-encoding': ACCEPT_ENCODING,
    };
    if (conditional.etag) headers['if-none-match'] = conditional.etag;
    if (conditional.lastModified) headers['if-modified-since'] = conditional.lastModified;
    return headers;
  }

  async #follow(
    state: FetchState,
    conditional: ConditionalHeaders,
    signal: AbortSignal,
    started: number,
  ): Promise<FetchResult> {
    const headers = this.#headers(conditional);
    const redirects: string[] = [];
    let target = checkedUrl(state, state.requestedUrl);
    const seen = new Set([withoutHash(target)]);
    for (;;) {
      const res = await request(target, { dispatcher: this.#agent, method: 'GET', headers, signal });
      if (!REDIRECT_STATUSES.has(res.statusCode)) {
        return await this.#finish(state, res, redirects, started);
      }
      discardBody(res.body);
      const location = header(res.headers, 'location');
      if (!location) {
        throw permanent(state, 'HTTP_CLIENT_ERROR', `${res.statusCode} redirect without a Location header`, {
          status: res.statusCode,
        });
      }
      const next = checkedUrl(state, location, target.href);
      redirects.push(target.href);
      if (seen.has(withoutHash(next))) {
        throw permanent(
          state,
          'HTTP_TOO_MANY_REDIRECTS',
          `redirect loop: ${[...redirects, next.href].join(' -> ')}`,
          {
            redirects: [...redirects, next.href],
          },
        );
      }
      if (redirects.length > this.#opts.maxRedirects) {
        throw permanent(state, 'HTTP_TOO_MANY_REDIRECTS', `more than ${this.#opts.maxRedirects} redirects`, {
          redirects: [...redirects, next.href],
        });
      }
      seen.add(withoutHash(next));
      target = next;
      state.currentUrl = next.href;
    }
  }

  async #finish(
    state: FetchState,
    res: Dispatcher.ResponseData,
    redirects: string[],
    started: number,
  ): Promise<FetchResult> {
    const status = res.statusCode;
    const ok = status >= 200 && status < 300;
    if (!ok && status !== 304) {
      discardBody(res.body);
      throw statusError(state, status, header(res.headers, 'retry-after'));
    }
    const contentType = header(res.headers, 'content-type')?.trim() ?? '';
    let body: Buffer = Buffer.alloc(0);
    if (status === 304 || status === 204 || status === 205) {
      discardBody(res.body);
    } else {
      body = await this.#readChecked(state, res, contentType);
    }
    const etag = header(res.headers, 'etag');
    const lastModified = header(res.headers, 'last-modified');
    return {
      requestedUrl: state.requestedUrl,
      finalUrl: state.currentUrl,
      status,
      contentType,
      charset: detectCharset(body, contentType),
      ...(etag === undefined ? {} : { etag }),
      ...(lastModified === undefined ? {} : { lastModified }),
      body,
      redirects,
      elapsedMs: Math.round(performance.now() - started),
    };
  }

  /** Checks type and declared length before reading a byte, then streams the body under the limit. */
  async #readChecked(state: FetchState, res: Dispatcher.ResponseData, contentType: string): Promise<Buffer> {
    const type = mediaType(contentType);
    if (!this.#accepts(type)) {
      destroyBody(res.body);
      const what = type ? `content type "${type}" is not accepted` : 'response has no Content-Type';
      throw permanent(state, 'HTTP_BAD_CONTENT_TYPE', `${what} (accepted: ${this.#accept.join(', ')})`, {
        contentType: type,
      });
    }
    const declared = Number(header(res.headers, 'content-length'));
    if (Number.isFinite(declared) && declared > this.#opts.maxBodyBytes) {
      destroyBody(res.body);
      throw permanent(
        state,
        'HTTP_TOO_LARGE',
        `response body exceeds ${this.#opts.maxBodyBytes} bytes (Content-Length ${declared})`,
        { limit: this.#opts.maxBodyBytes, contentLength: declared },
      );
    }
    return await readBody(res.body, header(res.headers, 'content-encoding'), this.#opts.maxBodyBytes);
  }

  #accepts(type: string): boolean {
    if (!type) return false;
    return this.#accept.some((a) => a === type || (a.endsWith('/*') && type.startsWith(a.slice(0, -1))));
  }
}

function withoutHash(url: URL): string {
  return url.href.replace(/#.*$/, '');
}
