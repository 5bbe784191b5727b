import type { Client, estypes } from '@elastic/elasticsearch';

type Doc = Record<string, unknown>;

export interface SnapshotOptions {
  /** Which documents. @defaultValue every document */
  query?: estypes.QueryDslQueryContainer;
  /** `_source` fields left out of each document. @defaultValue none */
  excludes?: string[];
  /**
   * Include `dense_vector` values, which Elasticsearch 9 leaves out of `_source` unless asked.
   * @defaultValue false
   */
  withVectors?: boolean;
  /** Documents per page (one search each), 1–10000. @defaultValue 500 */
  pageSize?: number;
  /** How long the point in time lives after each page (each page renews it). @defaultValue `'5m'` */
  keepAlive?: string;
  /**
   * The field pages are sorted by, ascending (Elasticsearch adds its `_shard_doc` tiebreaker), so
   * that the same snapshot always comes out in the same order. @defaultValue `'id'`
   */
  sortField?: string;
}

/** A consistent read of what a query selects of an index, at one point in time. */
export interface IndexSnapshot {
  /** How many documents the query matched at the point in time: exactly the number `pages` yields. */
  readonly total: number;
  /** The documents, a page at a time, in sort order; read once. */
  pages(): AsyncGenerator<Doc[]>;
  /** Releases the point in time; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Opens a point in time on `index` (an alias or an index) and reads its first page: later writes,
 * whatever their number, are not seen by this snapshot, so a long read is never torn by a crawl
 * writing meanwhile. Pages follow with `search_after` on the sort values of the previous page's
 * last document. Close the snapshot when done (or failed); an abandoned one expires after
 * `keepAlive`.
 */
export async function openSnapshot(
  es: Client,
  index: string,
  opts: SnapshotOptions = {},
): Promise<IndexSnapshot> {
  const size = opts.pageSize ?? 500;
  const keepAlive = opts.keepAlive ?? '5m';
  const sort = [{ [opts.sortField ?? 'id']: 'asc' as const }];
  let pitId = (await es.openPointInTime({ index, keep_alive: keepAlive })).id;
  let closed = false;

  const page = async (after: estypes.SortResults | undefined, countAll: boolean) => {
    const res = await es.search<Doc>({
      pit: { id: pitId, keep_alive: keepAlive },
      size,
      sort,
      track_total_hits: countAll,
      query: opts.query ?? { match_all: {} },
      // The body's filter: a `_source_exclude_vectors` URL parameter would replace it whole.
      _source: { excludes: opts.excludes ?? [], exclude_vectors: !opts.withVectors },
      ...(after ? { search_after: after } : {}),
    });
    pitId = res.pit_id ?? pitId;
    return res;
  };

  const close = async () => {
    if (closed) return;
    closed = true;
    await es.closePointInTime({ id: pitId });
  };

  let first: estypes.SearchResponse<Doc>;
  try {
    first = await page(undefined, true);
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  const total = typeof first.hits.total === 'number' ? first.hits.total : (first.hits.total?.value ?? 0);

  async function* pages(): AsyncGenerator<Doc[]> {
    let res = first;
    for (;;) {
      const hits = res.hits.hits;
      if (hits.length > 0) yield hits.map((h) => h._source ?? {});
      if (hits.length < size) return;
      res = await page(hits[hits.length - 1]!.sort, false);
    }
  }

  return { total, pages, close };
}
