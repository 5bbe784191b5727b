import { readFileSync } from 'node:fs';
import { Client, errors } from '@elastic/elasticsearch';

/** The client's constructor options (the ESM entry of the 9.x client does not export the type). */
type ClientOptions = ConstructorParameters<typeof Client>[0];
import type { PaperlineConfig } from '../config/config.js';
import { esAuth } from './auth.js';

export type { Client as EsClient };

/** The Elasticsearch client. Secrets come from config (env or *_FILE), TLS CA from a file. */
export function createEsClient(
  cfg: PaperlineConfig['elasticsearch'],
  opts: { requestTimeoutMs?: number } = {},
): Client {
  const options: ClientOptions = {
    // Several nodes: the client spreads requests and retries one that failed on another node.
    nodes: cfg.nodes,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    maxRetries: 2,
    compression: false,
  };
  const auth = esAuth(cfg);
  if (auth) options.auth = auth;
  if (cfg.caFile) options.tls = { ca: readFileSync(cfg.caFile) };
  return new Client(options);
}

/** True when the cluster answers health (this minimal distribution refuses `GET /`). */
export async function esReachable(es: Client): Promise<boolean> {
  try {
    const h = await es.cluster.health({ timeout: '2s' }, { requestTimeout: 3000, maxRetries: 0 });
    return h.status === 'green' || h.status === 'yellow';
  } catch {
    return false;
  }
}

/** Statuses with which Elasticsearch says "not now" (overloaded, restarting, shards recovering). */
const UNAVAILABLE_STATUSES = new Set([429, 502, 503, 504]);

/**
 * True when `err` (or an error in its `cause` chain) says Elasticsearch itself cannot be used right
 * now — connection refused or reset, no living node, a request timeout, or 429/502/503/504 (e.g.
 * shards still recovering after a restart) — rather than that one job's input is bad.
 */
export function isStoreUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    if (
      e instanceof errors.ConnectionError ||
      e instanceof errors.NoLivingConnectionsError ||
      e instanceof errors.TimeoutError
    )
      return true;
    if (e instanceof errors.ResponseError && UNAVAILABLE_STATUSES.has(e.statusCode ?? 0)) return true;
    e = e.cause;
  }
  return false;
}
