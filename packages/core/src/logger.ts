import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Keys whose values are secrets, blanked wherever they appear (config, env, headers). */
const SECRET_KEYS = [
  'password',
  'apiKey',
  'authorization',
  'token',
  'redisUrl',
  'ELASTICSEARCH_PASSWORD',
  'ELASTICSEARCH_API_KEY',
  'REDIS_PASSWORD',
];

/** Keys holding URLs that may carry `user:password@`: logged with the password masked. */
const URL_KEYS = ['url', 'REDIS_URL', 'ELASTICSEARCH_URL'];

/** Log objects are searched this deep (`{ cfg }` puts `cfg.elasticsearch.password` at depth 3). */
const DEPTH = 4;

const atAnyDepth = (key: string): string[] =>
  Array.from({ length: DEPTH }, (_, d) => [...Array<string>(d).fill('*'), key].join('.'));

/** Paths pino redacts wherever they appear in a log object, up to {@link DEPTH} levels down. */
export const REDACT_PATHS = [...SECRET_KEYS, ...URL_KEYS].flatMap(atAnyDepth);

const URL_KEY_SET = new Set(URL_KEYS);
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):([^\s/@]*)@/gi;

/** Masks the password of every `scheme://user:password@` in a string. */
export function maskUrlCredentials(text: string): string {
  return text.includes('@') ? text.replace(CREDENTIALS, '$1$2:***@') : text;
}

function censor(value: unknown, path: string[]): unknown {
  if (!URL_KEY_SET.has(String(path[path.length - 1]))) return '[redacted]';
  if (typeof value === 'string') return maskUrlCredentials(value);
  if (value instanceof URL) return maskUrlCredentials(value.href);
  return value;
}

/** The one root logger of a process; everything else is a `child()` of it. */
export function createLogger(
  opts: { level?: LevelWithSilent; name?: string; destination?: NodeJS.WritableStream } = {},
): Logger {
  const options = {
    level: opts.level ?? 'info',
    base: { service: opts.name ?? 'paperline' },
    redact: { paths: REDACT_PATHS, censor },
  };
  return opts.destination ? pino(options, opts.destination as pino.DestinationStream) : pino(options);
}
