/**
 * `@paperline/core/es/reader`: `createPaperReader`, a `PaperReader` (the two reads `search` and
 * `get` make) over Node's own HTTP, for a process that starts for one query.
 */
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { text } from 'node:stream/consumers';
import type { estypes } from '@elastic/elasticsearch';
import { TransientError } from '@paperline/contracts';
import type { PaperlineConfig } from '../config/config.js';
import { esAuth } from './auth.js';

type Doc = Record<string, unknown>;

/**
 * The two reads behind `search` and `get`. The Elasticsearch client has them; so has
 * {@link createPaperReader}, for a process that starts for one query.
 */
export interface PaperReader {
  /**
   * Everything but `index` is sent as the request body, so only body parameters may be given
   * (vectors: `_source: { exclude_vectors: false }`).
   */
  search(req: estypes.SearchRequest & { index: string }): Promise<estypes.SearchResponse<Doc>>;
  mget(req: {
    index: string;
    ids: string[];
    _source_excludes?: string[];
    /**
     * `_source_exclude_vectors: false` includes `dense_vector` values, which Elasticsearch 9 leaves
     * out of `_source` (the client's types lack the parameter; its `querystring` passes it on).
     */
    querystring?: { _source_exclude_vectors?: boolean };
  }): Promise<estypes.MgetResponse<Doc>>;
}

/**
 * A {@link PaperReader} over Node's own HTTP, with the client's connection settings (URL, the same
 * credentials, CA file) and one attempt per call. Loading the Elasticsearch client (undici,
 * OpenTelemetry, Apache Arrow: about 900 modules) costs a CLI process more CPU than everything else
 * it does to answer `paperline search`.
 */
export function createPaperReader(
  cfg: PaperlineConfig['elasticsearch'],
  opts: { requestTimeoutMs?: number } = {},
): PaperReader {
  const bases = cfg.nodes.map((node) => new URL(node.endsWith('/') ? node : `${node}/`));
  const authorization = authorizationHeader(cfg, bases[0]!);
  for (const base of bases) {
    base.username = '';
    base.password = '';
  }
  const ca = cfg.caFile ? readFileSync(cfg.caFile) : undefined;
  const timeoutMs = opts.requestTimeoutMs ?? 30_000;
  let next = 0;

  /** Asks the nodes in turn, from the next one on; a node that is down or busy passes to the next. */
  async function post<T>(path: string, body: unknown): Promise<T> {
    let last: unknown;
    for (let tried = 0; tried < bases.length; tried++) {
      const base = bases[next]!;
      next = (next + 1) % bases.length;
      try {
        return await postTo<T>(base, path, body);
      } catch (err) {
        if (!(err instanceof TransientError)) throw err;
        last = err;
      }
    }
    throw last;
  }

  async function postTo<T>(base: URL, path: string, body: unknown): Promise<T> {
    const url = new URL(path, base);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      ca,
      timeout: timeoutMs,
    });
    req.on('timeout', () =>
      req.destroy(new Error(`Elasticsearch at ${base.origin} did not answer within ${timeoutMs} ms`)),
    );
    req.end(JSON.stringify(body));
    let res: IncomingMessage;
    let payload: string;
    try {
      [res] = (await once(req, 'response')) as [IncomingMessage];
      payload = await text(res);
    } catch (err) {
      throw unavailable(`${(err as Error).message} (POST ${url.pathname})`, base, err);
    }
    const status = res.statusCode ?? 0;
    const said = `Elasticsearch answered ${status}: ${reason(payload)}`;
    if (status === 429 || status >= 500) throw unavailable(said, base);
    if (status < 200 || status > 299) throw new Error(said);
    return JSON.parse(payload) as T;
  }

  return {
    search: ({ index, ...body }) => post(`${encodeURIComponent(index)}/_search`, body),
    mget: ({ index, _source_excludes: excludes, querystring, ...body }) => {
      const params = { _source_excludes: excludes?.join(','), ...querystring };
      return post(`${encodeURIComponent(index)}/_mget${queryString(params)}`, body);
    },
  };
}

/** `?a=1&b=x` of the parameters that are set, or `''`. */
function queryString(params: Record<string, string | boolean | undefined>): string {
  const set = Object.entries(params).filter((e): e is [string, string | boolean] => e[1] !== undefined);
  return set.length === 0
    ? ''
    : `?${new URLSearchParams(set.map(([k, v]): [string, string] => [k, String(v)]))}`;
}

/** Elasticsearch unreachable, or busy (429, 5xx): `INDEX_UNAVAILABLE`, as the client's outages are. */
function unavailable(message: string, base: URL, cause?: unknown): TransientError {
  return new TransientError('INDEX_UNAVAILABLE', message, {
    context: { url: base.origin },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The client's choice: the configured credentials, else those in the URL. */
function authorizationHeader(cfg: PaperlineConfig['elasticsearch'], url: URL): string | undefined {
  const auth = esAuth(cfg);
  if (auth && 'apiKey' in auth) return `ApiKey ${auth.apiKey}`;
  const [user, pass] = auth
    ? [auth.username, auth.password]
    : [url.username, url.password].map(decodeURIComponent);
  return user && pass ? `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` : undefined;
}

/** Elasticsearch's error type and reason (`index_not_found_exception: no such index [papers]`). */
function reason(payload: string): string {
  try {
    const { error } = JSON.parse(payload) as { error?: { type?: string; reason?: string } | string };
    if (typeof error === 'string') return error;
    if (error?.type) return `${error.type}: ${error.reason ?? ''}`;
  } catch {
    /* not JSON: the text itself */
  }
  return payload.slice(0, 200);
}
