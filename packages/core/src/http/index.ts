export {
  HttpClient,
  DEFAULT_USER_AGENT,
  DEFAULT_ACCEPT_CONTENT_TYPES,
  type HttpClientOptions,
  type ConditionalHeaders,
  type FetchResult,
} from './client.js';
export { decodeBody, detectCharset } from './charset.js';
export {
  parseRetryAfter,
  backoffDelay,
  MAX_RETRY_AFTER_MS,
  DEFAULT_RATE_LIMIT_DELAY_MS,
  type BackoffOptions,
} from './retry.js';
export { isBlockedAddress, isCloudMetadataAddress } from './guard.js';
