/**
 * What the bulk-load experiments (`nested-sources`, `source-vectors`, `source-view-size`) share:
 * the papers of P synthetic listing pages as the deduplicator builds them, an index made from the
 * papers template for a load, and the ceiling's load itself (bulks of 1,000, 2 at once, refresh
 * off, one refresh at the end) with Elasticsearch's CPU per paper.
 */
import type { Client } from '@elastic/elasticsearch';
import { bulkWrite, papersTemplate } from '@paperline/core/es';
import { buildRecord, canonicalId, identityKeys } from '@paperline/identity';
import { parsePage } from '@paperline/sources';
import { esCpuMs } from '../infra.js';
import { SYNTHETIC_BASES as bases, syntheticPage } from './synthetic-page.js';

export type SyntheticRecord = ReturnType<typeof buildRecord>;

/** The records of `pages` synthetic listing pages from page `from`, one per listed paper, first seen now. */
export function syntheticRecords(pages: number, from = 0): SyntheticRecord[] {
  const fetchedAt = new Date().toISOString();
  return Array.from({ length: pages }, (_, p) => {
    const { url, body } = syntheticPage(from + p);
    const input = { url, finalUrl: url, body, contentType: 'text/html', fetchedAt };
    return parsePage(input, bases).candidates.map((c) =>
      buildRecord(canonicalId(identityKeys(c)), [c], { firstSeenAt: fetchedAt, updatedAt: fetchedAt }),
    );
  }).flat();
}

/**
 * Creates `<alias>-v1` behind `alias` from the papers template, with `settings` over the
 * template's and `mappings` instead of its own when given, set for a bulk load (no replicas,
 * refresh off). Returns the index's name.
 */
export async function createLoadIndex(
  es: Client,
  alias: string,
  opts: { settings?: Record<string, unknown>; mappings?: Record<string, unknown> } = {},
): Promise<string> {
  const { template } = papersTemplate();
  const index = `${alias}-v1`;
  await es.indices.create({
    index,
    settings: { ...template.settings, ...opts.settings, refresh_interval: '-1', number_of_replicas: 0 },
    mappings: opts.mappings ?? template.mappings,
    aliases: { [alias]: {} },
  });
  return index;
}

/**
 * Loads `docs` (serialized documents) through `alias` as the ceiling does, refreshes `index` once,
 * and returns Elasticsearch's CPU ms per document meanwhile.
 */
export async function bulkLoadEsMs(
  es: Client,
  alias: string,
  index: string,
  docs: Array<{ id: string; doc: string }>,
): Promise<number> {
  const before = await esCpuMs(es);
  let next = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (next < docs.length) {
        const batch = docs.slice(next, (next += 1000));
        await bulkWrite(
          es,
          alias,
          batch.map((d) => ({ ...d, version: 1 })),
        );
      }
    }),
  );
  await es.indices.refresh({ index });
  return ((await esCpuMs(es)) - before) / docs.length;
}
