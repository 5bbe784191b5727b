import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Client } from '@elastic/elasticsearch';
import type { IndexLayout } from '../config/config.js';

export interface TemplateFile {
  version: number;
  template: { settings: Record<string, unknown>; mappings: Record<string, unknown> };
}

const INFRA = new URL('../../../../infra/elasticsearch/', import.meta.url);

function readTemplate(name: string): TemplateFile {
  const raw = JSON.parse(readFileSync(fileURLToPath(new URL(name, INFRA)), 'utf8')) as TemplateFile & {
    _comment?: string;
  };
  return { version: raw.version, template: raw.template };
}

/** The papers template from infra/ (its `version` is the schema's). */
export const papersTemplate = (): TemplateFile => readTemplate('papers.template.json');
export const pagesTemplate = (): TemplateFile => readTemplate('pages.template.json');

/** Concrete index names behind an alias: `<alias>-v<schema>-<6-digit generation>`. */
export function concreteIndexName(alias: string, schemaVersion: number, generation: number): string {
  return `${alias}-v${schemaVersion}-${String(generation).padStart(6, '0')}`;
}

export async function putTemplate(
  es: Client,
  name: string,
  patterns: string[],
  file: TemplateFile,
  priority = 100,
): Promise<void> {
  await es.indices.putIndexTemplate({
    name,
    index_patterns: patterns,
    priority,
    version: file.version,
    template: file.template as never,
  });
}

const isAlreadyExists = (err: unknown): boolean =>
  typeof err === 'object' &&
  err !== null &&
  'meta' in err &&
  JSON.stringify((err as { meta: { body?: unknown } }).meta.body ?? '').includes(
    'resource_already_exists_exception',
  );

/**
 * The index settings of a layout: shards (for a new index only) and replicas, a count or a range
 * Elasticsearch keeps to as data nodes join and leave (`auto_expand_replicas`).
 */
export function layoutSettings(layout: IndexLayout, forNewIndex: boolean): Record<string, unknown> {
  const replicas = /^\d+$/.test(layout.replicas)
    ? { auto_expand_replicas: false, number_of_replicas: Number(layout.replicas) }
    : { auto_expand_replicas: layout.replicas };
  return forNewIndex && layout.shards !== undefined
    ? { number_of_shards: layout.shards, ...replicas }
    : replicas;
}

/** Brings existing indices to the layout's replicas (a dynamic setting; shards need a reindex). */
async function applyReplicas(es: Client, indices: readonly string[], layout: IndexLayout | undefined) {
  if (layout === undefined || indices.length === 0) return;
  await es.indices.putSettings({ index: indices.join(','), settings: layoutSettings(layout, false) });
}

/**
 * Makes sure the papers alias exists: installs the template and, when the alias is missing,
 * creates the first concrete index with the alias attached in the same request. Safe to call from
 * every worker at start-up concurrently (the index name is deterministic).
 */
export async function ensurePapersIndex(es: Client, alias: string, layout?: IndexLayout): Promise<string> {
  const file = papersTemplate();
  await putTemplate(es, `${alias}-template`, [`${alias}-v*`], file);
  const existing = await aliasTargets(es, alias);
  if (existing.length > 0) {
    await addTemplateFields(es, existing, file);
    await applyReplicas(es, existing, layout);
    return existing[0]!;
  }
  const name = concreteIndexName(alias, file.version, 1);
  try {
    await es.indices.create({
      index: name,
      aliases: { [alias]: { is_write_index: true } },
      ...(layout ? { settings: layoutSettings(layout, true) } : {}),
    });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  await es.cluster.health({ index: name, wait_for_status: 'yellow', timeout: '30s' });
  return name;
}

/** What {@link addTemplateFields} needs of the Elasticsearch client. */
export interface MappingWriter {
  indices: { putMapping(request: { index: string } & Record<string, unknown>): Promise<unknown> };
}

/**
 * Adds the template's fields to existing indices of the same schema version (named
 * `<alias>-v<version>-<generation>`). Optional fields join a schema version without a new one
 * (docs/record-schema.md#changing-the-schema), and with `dynamic: strict` an index created before
 * them would refuse every document that carries them. Elasticsearch only adds fields here: a
 * changed type is refused, as it must come with a new version and `paperline reindex`. Indices of
 * another version are left to that rebuild.
 */
export async function addTemplateFields(
  es: MappingWriter,
  indices: readonly string[],
  file: TemplateFile,
): Promise<void> {
  const sameVersion = indices.filter((name) => new RegExp(`-v${file.version}-\\d{6}$`).test(name));
  if (sameVersion.length === 0) return;
  await es.indices.putMapping({ index: sameVersion.join(','), ...file.template.mappings });
}

/** The archive's two indices: bodies by sha256 and the per-URL fetch log. */
export async function ensureArchiveIndices(es: Client, archive: string, layout?: IndexLayout): Promise<void> {
  await putTemplate(es, `${archive}-template`, [archive, `${archive}-urls`], pagesTemplate(), 90);
  const indices = [archive, `${archive}-urls`];
  for (const index of indices) {
    try {
      if (!(await es.indices.exists({ index })))
        await es.indices.create({ index, ...(layout ? { settings: layoutSettings(layout, true) } : {}) });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  await applyReplicas(es, indices, layout);
}

/** Concrete indices an alias points at (empty when the alias does not exist). */
export async function aliasTargets(es: Client, alias: string): Promise<string[]> {
  try {
    const res = await es.indices.getAlias({ name: alias });
    return Object.keys(res).sort();
  } catch (err) {
    if (
      typeof err === 'object' &&
      err !== null &&
      'meta' in err &&
      (err as { meta: { statusCode?: number } }).meta.statusCode === 404
    )
      return [];
    throw err;
  }
}
