import { isIP } from 'node:net';
import { PaperlineError } from '@paperline/contracts';
import { readSecret } from '@paperline/core/config';

/** The HTTP side's own settings (the shared ones come from core's `loadConfig`). */
export interface ApiOptions {
  /** `PAPERLINE_API_PORT`. @defaultValue 8080 */
  port: number;
  /** `PAPERLINE_API_HOST`. @defaultValue '127.0.0.1' */
  host: string;
  /**
   * `PAPERLINE_API_TOKEN` (or a file named by `PAPERLINE_API_TOKEN_FILE`). When set, the
   * dashboard and the overview need it (as a Bearer token, or the password of HTTP basic auth with
   * any user name), and state-changing requests need it as `Authorization: Bearer <token>`;
   * without it state-changing requests are disabled.
   */
  token?: string;
  /** `PAPERLINE_API_PROTECT_ALL=1`: the read-only endpoints need the token too. @defaultValue false */
  protectAll: boolean;
  /** `PAPERLINE_API_INSECURE=1`: allow a non-loopback bind without a token. @defaultValue false */
  insecure: boolean;
  /** `PAPERLINE_API_RATE_LIMIT`: requests per minute per client address; 0 turns it off. @defaultValue 300 */
  rateLimitPerMinute: number;
}

/** Shortest token accepted: a short secret behind basic auth is guessable. */
export const MIN_TOKEN_LENGTH = 12;

const flag = (v: string | undefined) => v === '1' || v === 'true' || v === 'yes';

function intVar(env: NodeJS.ProcessEnv, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new PaperlineError(
      'CONFIG_INVALID',
      `${name} must be an integer from ${min} to ${max}, got '${raw}'`,
      'permanent',
      {
        stage: 'config',
      },
    );
  }
  return n;
}

/** Reads the API's environment; throws CONFIG_INVALID naming the variable that is wrong. */
export function loadApiOptions(env: NodeJS.ProcessEnv = process.env): ApiOptions {
  const token = (readSecret(env, 'PAPERLINE_API_TOKEN') ?? '').trim();
  if (token && token.length < MIN_TOKEN_LENGTH) {
    throw new PaperlineError(
      'CONFIG_INVALID',
      `PAPERLINE_API_TOKEN is too short: use at least ${MIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 24\`)`,
      'permanent',
      { stage: 'config' },
    );
  }
  const opts: ApiOptions = {
    port: intVar(env, 'PAPERLINE_API_PORT', 8080, 0, 65_535),
    host: env.PAPERLINE_API_HOST?.trim() || '127.0.0.1',
    ...(token ? { token } : {}),
    protectAll: flag(env.PAPERLINE_API_PROTECT_ALL),
    insecure: flag(env.PAPERLINE_API_INSECURE),
    rateLimitPerMinute: intVar(env, 'PAPERLINE_API_RATE_LIMIT', 300, 0, 1_000_000),
  };
  const problem = exposureProblem(opts);
  if (problem) throw new PaperlineError('CONFIG_INVALID', problem, 'permanent', { stage: 'config' });
  return opts;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** Why these settings must not start, or undefined when they are safe. */
export function exposureProblem(
  opts: Pick<ApiOptions, 'host' | 'token' | 'insecure' | 'protectAll'>,
): string | undefined {
  if (opts.protectAll && !opts.token) {
    return 'PAPERLINE_API_PROTECT_ALL=1 needs PAPERLINE_API_TOKEN: set a token to protect the read-only endpoints';
  }
  if (!isLoopback(opts.host) && !opts.token && !opts.insecure) {
    return (
      `refusing to listen on ${opts.host} without PAPERLINE_API_TOKEN: the dashboard and retry actions ` +
      'would be open to the network. Set PAPERLINE_API_TOKEN, bind to 127.0.0.1, or set ' +
      'PAPERLINE_API_INSECURE=1 to accept the risk'
    );
  }
  return undefined;
}
