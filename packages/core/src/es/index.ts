/**
 * `@paperline/core/es`: Elasticsearch, through the official client.
 *
 * - Client: `createEsClient(cfg)` → `EsClient`; `esReachable`; `isStoreUnavailable(err)`.
 * - Indices: `ensurePapersIndex`, `ensureArchiveIndices`, their templates (`papersTemplate`,
 *   `pagesTemplate`, read from infra/elasticsearch/), `aliasTargets`.
 * - The raw-page archive: `RawArchive` (`ArchivedPage`, `UrlRecord`).
 * - Papers: `getPapers`, `bulkWrite` (`BulkItem` → `BulkOutcome`), `deletePapers` (`PaperDelete` →
 *   `DeleteOutcome`), `scanPapers` (every document, through a point in time), `withdrawnPapers`
 *   (the `WithdrawnPaper`s `purge` removes).
 * - Reindexing: `reindexPapers` into a new index behind the alias, `bulkWriteWithShadow` while it
 *   runs (`ShadowTarget`), `ReindexError`.
 * - Consistent reads: `openSnapshot` (`IndexSnapshot`), a point in time paged with `search_after`.
 *
 * Reading papers without the client (it takes about 0.45 s to load) has its own light entry
 * points: `@paperline/core/es/reader` (`createPaperReader`) and `@paperline/core/es/search`
 * (`searchPapers`, `getPaper`, `SearchParamsSchema`).
 */
export { createEsClient, esReachable, isStoreUnavailable, type EsClient } from './client.js';
export {
  ensurePapersIndex,
  ensureArchiveIndices,
  papersTemplate,
  pagesTemplate,
  aliasTargets,
} from './templates.js';
export { RawArchive, type ArchivedPage, type UrlRecord } from './archive.js';
export { Coalescer } from './coalescer.js';
export {
  getPapers,
  type StoredPaper,
  bulkWrite,
  deletePapers,
  scanPapers,
  type BulkItem,
  type BulkOutcome,
  type BulkRider,
  type BulkResponseEntry,
  type ScanOptions,
  withdrawnPapers,
  type PaperDelete,
  type DeleteOutcome,
  type WithdrawnPaper,
} from './papers.js';
export { reindexPapers, bulkWriteWithShadow, ReindexError, ShadowTarget } from './reindex.js';
export { openSnapshot, type IndexSnapshot, type SnapshotOptions } from './snapshot.js';
