import { readFileSync } from 'node:fs';

/** Environment variables holding secrets; each may instead name a file in `<NAME>_FILE`. */
export const SECRET_VARS = [
  'ELASTICSEARCH_PASSWORD',
  'ELASTICSEARCH_API_KEY',
  'REDIS_PASSWORD',
  'REDIS_SENTINEL_PASSWORD',
  'PAPERLINE_API_TOKEN',
] as const;

/** Environment variables holding URLs whose password part is a secret. */
const SECRET_URL_VARS = ['REDIS_URL', 'ELASTICSEARCH_URL'] as const;

/**
 * A secret variable's value: the variable itself, else the trimmed content of the file that
 * `<NAME>_FILE` names (Docker and Kubernetes secrets), else undefined.
 */
export function readSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value) return value;
  const file = env[`${name}_FILE`];
  return file ? readFileSync(file, 'utf8').trim() : undefined;
}

/** `read()`, or undefined when it throws (an unreadable *_FILE: loading the config reports it). */
function readable(read: () => string | undefined): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

function urlPassword(url: string | undefined): string[] {
  if (!url || !URL.canParse(url)) return [];
  const encoded = new URL(url).password;
  return encoded ? [encoded, readable(() => decodeURIComponent(encoded)) ?? encoded] : [];
}

/**
 * Every secret value configured in `env`: the {@link SECRET_VARS} (from the variables or their
 * files) and the passwords inside REDIS_URL and ELASTICSEARCH_URL.
 */
export function configuredSecrets(env: NodeJS.ProcessEnv): string[] {
  const values = [
    ...SECRET_VARS.map((name) => readable(() => readSecret(env, name))),
    ...SECRET_URL_VARS.flatMap((name) => urlPassword(env[name])),
  ];
  return [...new Set(values.filter((v): v is string => Boolean(v)))];
}
