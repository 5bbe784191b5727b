import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { CHANGE_OPS, PaperlineError } from '@paperline/contracts';

/** Changes in one delivery at most: the default, and the most an endpoint may ask for. */
export const WEBHOOK_BATCH = { default: 100, max: 1000 } as const;

const EndpointSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (at most 64)'),
    url: z.url({ protocol: /^https?$/ }),
    secret: z.string().min(16, 'at least 16 characters').optional(),
    secretFile: z.string().min(1).optional(),
    filter: z
      .object({
        ops: z.array(z.enum(CHANGE_OPS)).min(1).optional(),
        categories: z.array(z.string().min(1)).min(1).optional(),
        newOnly: z.boolean().optional(),
      })
      .strict()
      .default({}),
    batchSize: z.number().int().min(1).max(WEBHOOK_BATCH.max).default(WEBHOOK_BATCH.default),
  })
  .strict()
  .refine((e) => (e.secret === undefined) !== (e.secretFile === undefined), {
    message: 'give exactly one of secret and secretFile',
    path: ['secret'],
  });

const FileSchema = z
  .object({ endpoints: z.array(EndpointSchema) })
  .strict()
  .refine((f) => new Set(f.endpoints.map((e) => e.name)).size === f.endpoints.length, {
    message: 'endpoint names must be unique',
    path: ['endpoints'],
  });

/** Which changes an endpoint gets: every field given must match. */
export interface WebhookFilter {
  ops?: readonly string[];
  categories?: readonly string[];
  newOnly?: boolean;
}

/** One configured endpoint, its secret read. */
export interface WebhookEndpoint {
  name: string;
  url: string;
  secret: string;
  filter: WebhookFilter;
  batchSize: number;
}

const invalid = (message: string) =>
  new PaperlineError('CONFIG_INVALID', message, 'permanent', { stage: 'config' });

/** Where a zod issue is, with the endpoint's name when it has one: `endpoints[1] (crm).url`. */
function issuePath(raw: unknown, path: readonly PropertyKey[]): string {
  const [top, index, ...rest] = path.map(String);
  if (top !== 'endpoints' || index === undefined) return path.map(String).join('.') || '(file)';
  const name = (raw as { endpoints?: Array<{ name?: unknown }> }).endpoints?.[Number(index)]?.name;
  const label = typeof name === 'string' ? `endpoints[${index}] (${name})` : `endpoints[${index}]`;
  return [label, ...rest].join('.');
}

/**
 * The endpoints of a webhooks file (`PAPERLINE_WEBHOOKS`, JSON: `{ "endpoints": [...] }`, see
 * docs/webhooks.md); none when `file` is ''. A `secretFile` is read relative to the config file.
 * Anything wrong is `CONFIG_INVALID` naming the file, the endpoint and the field; secrets are never
 * part of a message.
 */
export function loadWebhooks(file: string): WebhookEndpoint[] {
  if (file === '') return [];
  if (!existsSync(file)) throw invalid(`PAPERLINE_WEBHOOKS: no such file '${file}'`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw invalid(`PAPERLINE_WEBHOOKS: '${file}' is not JSON (${(err as Error).message})`);
  }
  const parsed = FileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(`PAPERLINE_WEBHOOKS: '${file}' ${issuePath(raw, issue.path)}: ${issue.message}`);
  }
  return parsed.data.endpoints.map((e) => ({
    name: e.name,
    url: e.url,
    secret: e.secret ?? readSecret(file, e.name, e.secretFile!),
    filter: e.filter,
    batchSize: e.batchSize,
  }));
}

function readSecret(configFile: string, endpoint: string, secretFile: string): string {
  const path = resolve(dirname(configFile), secretFile);
  let secret: string;
  try {
    secret = readFileSync(path, 'utf8').trim();
  } catch {
    throw invalid(`PAPERLINE_WEBHOOKS: endpoint '${endpoint}' secretFile: cannot read '${path}'`);
  }
  if (secret.length < 16) {
    throw invalid(
      `PAPERLINE_WEBHOOKS: endpoint '${endpoint}' secretFile: the secret in '${path}' is shorter than 16 characters`,
    );
  }
  return secret;
}
