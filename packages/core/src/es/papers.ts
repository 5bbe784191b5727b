import type { Client, estypes } from '@elastic/elasticsearch';
import { BulkBodies, bulkItemFailure, postBulk } from './bulk-body.js';
import { ensurePapersIndex } from './templates.js';

/** A paper's document as the index holds it, with its external version. */
export interface StoredPaper {
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

/** One item of a bulk response: its action's name → what became of it. */
export type BulkResponseEntry = estypes.BulkResponse['items'][number];

/**
 * Operations on another index that ride in a bulk write of papers: one request and one translog
 * sync instead of two. They follow the papers in the body; `settle` gets their response items.
 */
export interface BulkRider {
  operations: Array<{ action: object; body?: object }>;
  /** The response items of `operations`, in order (only when the request was answered). */
  settle(items: BulkResponseEntry[]): void;
  /** The request failed as a whole. */
  fail(err: unknown): void;
}

/** The bodies of this process's bulk writes of papers. */
const bodies = new BulkBodies();

/** The lines of {@link bulkWrite}'s request: each paper's action and document, then the riders'. */
function bulkLines(alias: string, items: BulkItem[], riders: readonly BulkRider[]): Array<object | string> {
  const operations: Array<object | string> = [];
  for (const it of items) {
    // require_alias: a write never auto-creates a concrete index named like the alias.
    operations.push({
      index: {
        _index: alias,
        _id: it.id,
        version: it.version,
        version_type: 'external',
        require_alias: true,
      },
    });
    operations.push(it.doc);
  }
  for (const r of riders)
    for (const op of r.operations) operations.push(op.action, ...(op.body ? [op.body] : []));
  return operations;
}

/**
 * One bulk request; the outcome of every item is returned, never dropped. Writes use external
 * versions so an older merge can never overwrite a newer one, and a replay is a no-op. Riders'
 * operations follow the papers in the same request.
 */
export async function bulkWrite(
  es: Client,
  alias: string,
  items: BulkItem[],
  riders: readonly BulkRider[] = [],
): Promise<BulkOutcome[]> {
  if (items.length === 0 && riders.length === 0) return [];
  const res = await postBulk(es, bodies, bulkLines(alias, items, riders), { refresh: false });
  let at = items.length;
  for (const r of riders) {
    r.settle(res.items.slice(at, at + r.operations.length));
    at += r.operations.length;
  }
  if (res.items.some((e) => e.index?.error?.type === 'index_not_found_exception')) {
    // The alias was removed under us: recreate it from the template; the items are retried.
    await ensurePapersIndex(es, alias);
  }
  return res.items.slice(0, items.length).map((entry, i): BulkOutcome => {
    const op = entry.index!;
    const id = items[i]!.id;
    const status = op.status;
    if (status >= 200 && status < 300) return { id, result: 'written' };
    if (status === 409) return { id, result: 'superseded' };
    const reason = bulkItemFailure(op);
    if (status === 429 || status >= 500 || op.error?.type === 'index_not_found_exception') {
      return { id, result: 'retry', status, reason };
    }
    return { id, result: 'failed', status, reason };
  });
}

/** A document to delete; with a `version`, only while the stored one is older (external versioning). */
export interface PaperDelete {
  id: string;
  version?: number;
}

/**
 * What became of one delete: `deleted`; `missing` (there was no document: deleted before, or never
 * written; with a version, Elasticsearch still refuses older writes of the id for a while, its
 * `index.gc_deletes`); `superseded` (a newer version is stored: the document stays).
 */
export interface DeleteOutcome {
  id: string;
  result: 'deleted' | 'missing' | 'superseded';
}

/**
 * Deletes documents by id through the alias, in one bulk request, and says what became of each.
 * A delete with a version is a write at that version: it removes the document only if the stored
 * version is older. Any other failure throws, naming the document.
 */
export async function deletePapers(
  es: Client,
  alias: string,
  items: PaperDelete[],
): Promise<DeleteOutcome[]> {
  if (items.length === 0) return [];
  const res = await es.bulk({
    operations: items.map((d) => ({
      delete: {
        _index: alias,
        _id: d.id,
        ...(d.version === undefined ? {} : { version: d.version, version_type: 'external' as const }),
      },
    })),
    require_alias: true,
  });
  return res.items.map((entry, i): DeleteOutcome => {
    const op = entry.delete!;
    const id = items[i]!.id;
    if (op.status === 404) return { id, result: 'missing' };
    if (op.status === 409) return { id, result: 'superseded' };
    if (op.status >= 300) throw new Error(`delete of ${id} failed: ${op.error?.reason ?? op.status}`);
    return { id, result: 'deleted' };
  });
}

/** A withdrawn paper's document as `withdrawnPapers` finds it. */
export interface WithdrawnPaper {
  id: string;
  /** Its external version: a delete at a higher one removes it only while it is unchanged. */
  version: number;
  updatedAt: string;
}

/**
 * Withdrawn papers last updated before `before` (ISO 8601), page by page, through a point in time
 * and `search_after` (this Elasticsearch distribution has no delete-by-query): one consistent view,
 * whatever is deleted or written while the pages are read.
 */
export async function* withdrawnPapers(
  es: Client,
  alias: string,
  opts: { before: string; pageSize?: number },
): AsyncGenerator<WithdrawnPaper[]> {
  const size = opts.pageSize ?? 1000;
  const keepAlive = '2m';
  let pit = (await es.openPointInTime({ index: alias, keep_alive: keepAlive })).id;
  try {
    let after: estypes.SortResults | undefined;
    for (;;) {
      const res = await es.search<{ updatedAt?: string }>({
        pit: { id: pit, keep_alive: keepAlive },
        size,
        query: {
          bool: { filter: [{ term: { withdrawn: true } }, { range: { updatedAt: { lt: opts.before } } }] },
        },
        sort: [{ _shard_doc: 'asc' }],
        version: true,
        _source: ['updatedAt'],
        track_total_hits: false,
        ...(after ? { search_after: after } : {}),
      });
      pit = res.pit_id ?? pit;
      const hits = res.hits.hits;
      if (hits.length > 0) {
        yield hits.map((h) => ({
          id: h._id!,
          version: Number(h._version),
          updatedAt: h._source?.updatedAt ?? '',
        }));
      }
      if (hits.length < size) return;
      after = hits.at(-1)!.sort;
    }
  } finally {
    await es.closePointInTime({ id: pit }).catch(() => undefined);
  }
}

/** Options of {@link scanPapers}. */
export interface ScanOptions {
  /** The `_source` fields each document is read with (source filtering: nothing else travels). */
  fields: string[];
  /** Documents per search request. @defaultValue 1000 */
  pageSize?: number;
  /** How long the point in time is kept between two pages. @defaultValue '2m' */
  keepAlive?: string;
}

/**
 * Every document under the alias, in pages, as one consistent snapshot: a point in time with
 * `search_after` on `_shard_doc`, so writes during the scan neither repeat nor skip a document.
 * The point in time is closed when the scan ends, is abandoned or fails.
 */
export async function* scanPapers(
  es: Client,
  alias: string,
  opts: ScanOptions,
): AsyncGenerator<{ id: string; doc: Record<string, unknown> }[]> {
  const size = opts.pageSize ?? 1000;
  const keepAlive = opts.keepAlive ?? '2m';
  const pit = await es.openPointInTime({ index: alias, keep_alive: keepAlive });
  let pitId = pit.id;
  try {
    let after: unknown[] | undefined;
    for (;;) {
      const res = await es.search<Record<string, unknown>>({
        pit: { id: pitId, keep_alive: keepAlive },
        size,
        _source: opts.fields,
        sort: ['_shard_doc'],
        track_total_hits: false,
        ...(after ? { search_after: after as (string | number)[] } : {}),
      });
      pitId = res.pit_id ?? pitId;
      const hits = res.hits.hits;
      if (hits.length > 0) yield hits.map((h) => ({ id: h._id!, doc: h._source ?? {} }));
      if (hits.length < size) return;
      after = hits[hits.length - 1]!.sort;
    }
  } finally {
    await es.closePointInTime({ id: pitId }).catch(() => undefined);
  }
}
