import type { PaperlineConfig } from '../config/config.js';

/** Credentials for Elasticsearch: the API key when there is one, else the user and password. */
export function esAuth(
  cfg: PaperlineConfig['elasticsearch'],
): { apiKey: string } | { username: string; password: string } | undefined {
  if (cfg.apiKey) return { apiKey: cfg.apiKey };
  if (cfg.username && cfg.password) return { username: cfg.username, password: cfg.password };
  return undefined;
}
