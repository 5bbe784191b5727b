import { pino, type Logger, type LevelWithSilent } from 'pino';
import { configuredSecrets } from '../config/secrets.js';

export type { Logger };

/** What a redacted value is replaced with. */
const REDACTED = '[redacted]';

/**
 * Keys (matched without regard to case) whose values are secrets, blanked at any depth of a log
 * line: config, environment objects, request and client headers, error metadata.
 */
const SECRET_KEYS = new Set(
  [
    'password',
    'apiKey',
    'api_key',
    'authorization',
    'proxy-authorization',
    'cookie',
    'set-cookie',
    'token',
    'redisUrl',
    'ELASTICSEARCH_PASSWORD',
    'ELASTICSEARCH_API_KEY',
    'REDIS_PASSWORD',
    'PAPERLINE_API_TOKEN',
  ].map((k) => k.toLowerCase()),
);

/** Secret values shorter than this are blanked by key only: as text they would match everywhere. */
const MIN_REDACTED_VALUE_LENGTH = 4;

const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):([^\s/@]*)@/gi;
const HAS_CREDENTIALS = new RegExp(CREDENTIALS.source, 'i');

/** Masks the password of every `scheme://user:password@` in a string. */
function maskUrlCredentials(text: string): string {
  return text.includes('@') ? text.replace(CREDENTIALS, '$1$2:***@') : text;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A function that redacts one JSON log line: values under {@link SECRET_KEYS} at any depth, the
 * password of any URL, and every occurrence of a `secrets` value (as is or URL-encoded) in any
 * string, the message included. A line that shows none of these is returned as it is.
 */
function createLineRedactor(secrets: readonly string[]): (line: string) => string {
  const values = [
    ...new Set(
      secrets.filter((s) => s.length >= MIN_REDACTED_VALUE_LENGTH).flatMap((s) => [s, encodeURIComponent(s)]),
    ),
  ].sort((a, b) => b.length - a.length);
  const valuePattern = values.length ? new RegExp(values.map(escapeRegExp).join('|'), 'g') : undefined;
  // How each value and key looks inside the JSON text, for the cheap test of whether to parse.
  const inJson = values.map((v) => JSON.stringify(v).slice(1, -1));
  const keyPattern = new RegExp(`"(?:${[...SECRET_KEYS].map(escapeRegExp).join('|')})":`, 'i');

  const redactString = (s: string) =>
    maskUrlCredentials(valuePattern ? s.replace(valuePattern, REDACTED) : s);
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return redactString(value);
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        redactString(k),
        SECRET_KEYS.has(k.toLowerCase()) ? REDACTED : walk(v),
      ]),
    );
  };

  return (line) => {
    const suspicious =
      keyPattern.test(line) || HAS_CREDENTIALS.test(line) || inJson.some((v) => line.includes(v));
    if (!suspicious) return line;
    try {
      return `${JSON.stringify(walk(JSON.parse(line)))}\n`;
    } catch {
      return redactString(line); // not JSON (never from pino): blank what can be found as text
    }
  };
}

interface LoggerOptions {
  /** @defaultValue 'info' */
  level?: LevelWithSilent;
  /** The `service` field of every line. @defaultValue 'paperline' */
  name?: string;
  /** Where lines go. @defaultValue stdout */
  destination?: NodeJS.WritableStream;
  /** The environment whose configured secrets are blanked wherever they appear. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * The one root logger of a process; everything else is a `child()` of it. Every line is
 * redacted as it is written (see {@link createLineRedactor}), so no log call, binding, error
 * or message can carry a secret out.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const options = {
    level: opts.level ?? 'info',
    base: { service: opts.name ?? 'paperline' },
    hooks: { streamWrite: createLineRedactor(configuredSecrets(opts.env ?? process.env)) },
  };
  return opts.destination ? pino(options, opts.destination as pino.DestinationStream) : pino(options);
}
