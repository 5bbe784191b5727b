/**
 * `@paperline/core/http`: the hardened HTTP client the fetcher reads the web with.
 *
 * - `HttpClient`: one GET, conditional when given validators (`ConditionalHeaders`), every hop
 *   checked against the address guard (no private or cloud-metadata address unless allowed),
 *   with size and time limits; it answers a `FetchResult` or throws a typed error (transient or
 *   permanent, a 429/503's `Retry-After` included).
 * - `HttpPoster`: one POST (webhook deliveries) under the same address guard, with a time limit.
 * - `decodeBody(body, contentType)`: a body as text, in its declared or sniffed charset;
 *   `lazyBody` defers that until the text is needed, and keeps UTF-8 bytes readable as bytes.
 * - `backoffDelay(attempt)`: exponential backoff with full jitter, for retries by the caller.
 */
export { HttpPoster, type HttpPosterOptions } from './post.js';
export { HttpClient, type ConditionalHeaders, type FetchResult } from './client.js';
export { decodeBody, lazyBody, textBody } from './charset.js';
export { backoffDelay } from './retry.js';
