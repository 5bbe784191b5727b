import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type { PaperlineConfig } from '../config.js';

export type { Client as EsClient };

/** The Elasticsearch client. Secrets come from config (env or *_FILE), TLS CA from a file. */
export function createEsClient(
  cfg: PaperlineConfig['elasticsearch'],
  opts: { requestTimeoutMs?: number } = {},
): Client {
  const options: ClientOptions = {
    node: cfg.url,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    maxRetries: 2,
    compression: false,
  };
  if (cfg.apiKey) options.auth = { apiKey: cfg.apiKey };
  else if (cfg.username && cfg.password) options.auth = { username: cfg.username, password: cfg.password };
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
