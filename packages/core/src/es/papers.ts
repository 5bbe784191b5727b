import type { Client } from '@elastic/elasticsearch';
import { ensurePapersIndex } from './templates.js';

interface StoredPaper {
  id: string;
  version: number;
  doc: Record<string, unknown>;
}

/**
 * Reads current documents by canonical id (realtime GET semantics: no refresh needed), vectors
 * included: Elasticsearch 9 leaves `dense_vector` values out of `_source` unless asked, and a
 * merge must carry the paper's vector on.
 */
export async function getPapers(es: Client, alias: string, ids: string[]): Promise<Map<string, StoredPaper>> {
  const out = new Map<string, StoredPaper>();
  if (ids.length === 0) return out;
  const res = await es.mget<Record<string, unknown>>({
    index: alias,
    ids,
    querystring: { _source_exclude_vectors: false },
  });
  for (const d of res.docs) {
    if ('found' in d && d.found && d._source) {
      out.set(d._id, { id: d._id, version: Number(d._version ?? 1), doc: d._source });
    }
  }
  return out;
}

export type BulkOutcome =
  | { id: string; result: 'written' }
  | { id: string; result: 'superseded' } // a newer version is already in the index
  | { id: string; result: 'retry'; status: number; reason: string }
  | { id: string; result: 'failed'; status: number; reason: string };

export interface BulkItem {
  id: string;
  version: number;
  /** The document, or its JSON already serialized (sent as is). */
  doc: Record<string, unknown> | string;
}

/**
 * One bulk request; the outcome of every item is returned, never dropped. Writes use external
 * versions so an older merge can never overwrite a newer one, and a replay is a no-op.
 */
export async function bulkWrite(es: Client, alias: string, items: BulkItem[]): Promise<BulkOutcome[]> {
  if (items.length === 0) return [];
  const operations: Array<object | string> = [];
  for (const it of items) {
    operations.push({ index: { _index: alias, _id: it.id, version: it.version, version_type: 'external' } });
    operations.push(it.doc);
  }
  // require_alias: a write never auto-creates a concrete index named like the alias.
  const res = await es.bulk({ operations, refresh: false, require_alias: true });
  if (res.items.some((e) => e.index?.error?.type === 'index_not_found_exception')) {
    // The alias was removed under us: recreate it from the template; the items are retried.
    await ensurePapersIndex(es, alias);
  }
  return res.items.map((entry, i): BulkOutcome => {
    const op = entry.index!;
    const id = items[i]!.id;
    const status = op.status;
    if (status >= 200 && status < 300) return { id, result: 'written' };
    if (status === 409) return { id, result: 'superseded' };
    const reason = op.error ? `${op.error.type}: ${op.error.reason ?? ''}` : `status ${status}`;
    if (status === 429 || status >= 500 || op.error?.type === 'index_not_found_exception') {
      return { id, result: 'retry', status, reason };
    }
    return { id, result: 'failed', status, reason };
  });
}

/** Deletes documents by id through the alias (a paper merged into another id); missing ones are fine. */
export async function deletePapers(es: Client, alias: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const res = await es.bulk({
    operations: ids.map((id) => ({ delete: { _index: alias, _id: id } })),
    require_alias: true,
  });
  const bad = res.items.find((i) => i.delete && i.delete.status >= 300 && i.delete.status !== 404);
  if (bad)
    throw new Error(
      `delete of ${bad.delete!._id} failed: ${bad.delete!.error?.reason ?? bad.delete!.status}`,
    );
}
