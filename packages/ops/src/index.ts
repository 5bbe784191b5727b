/**
 * `@paperline/ops`: what the CLI and the API both do, written once. Each operation takes narrow
 * dependencies (queues, the crawl store, the enqueuer, the base URLs), so a process's runtime, the
 * CLI's context or a test's real Redis objects fit as they are.
 *
 * - `startCrawl`: seeds checked against the sources, a crawl registered, its fetch jobs enqueued.
 * - `startReprocess`: archived pages re-parsed under a new crawl, no network (optionally rewriting all).
 * - `startEmbedMissing`: embed jobs for the papers in the index without a current vector.
 * - `status`: job counts per queue and the recent crawls (`recentCrawls`: their summaries alone).
 * - `listFailed`: failed jobs with stage, URL, error code and message, then quarantined records.
 * - `retryFailed`: one failed job by id, or every one a filter matches; their crawls reopen.
 * - `exportPapers`: a consistent snapshot of the papers (JSON Lines or Parquet) with a manifest.
 * - `readChanges` / `followChanges`: the change feed after a cursor, each upsert with the paper's
 *   current document (`ChangeView`s in `ChangesPage`s); `papersWrittenBetween`: the ids it wrote
 *   between two cursors (`export --since <cursor>`).
 * - `purgeWithdrawn`: retention of withdrawn papers, with a `purged` tombstone each (`PurgeReport`).
 */
export { startCrawl, type StartCrawlDeps, type StartCrawlOptions } from './crawl.js';
export { startReprocess, type ReprocessDeps, type ReprocessOptions } from './reprocess.js';
export {
  startEmbedMissing,
  type EmbedMissingDeps,
  type EmbedMissingOptions,
  type EmbedMissingStart,
} from './embed-missing.js';
export { status, recentCrawls, type Status, type StatusDeps } from './status.js';
export { listFailed, FAILED_LIMIT, type FailedDeps, type FailedFilter, type FailedRow } from './failed.js';
export { retryFailed, type RetriedJob, type RetryDeps, type RetrySelection } from './retry.js';
export { stageQueueList, type NamedQueue } from './queues.js';
export { exportPapers, type ExportDeps, type ExportHooks, type ExportProgress } from './export/export.js';
export { EXPORT_FORMATS, ExportInputError, type ExportFormat, type ExportOptions } from './export/options.js';
export { manifestPathOf, MANIFEST_VERSION, type ExportManifest } from './export/manifest.js';
export {
  readChanges,
  followChanges,
  papersWrittenBetween,
  CHANGES_LIMIT,
  type ChangesDeps,
  type ChangeView,
  type ChangesPage,
} from './changes.js';
export { purgeWithdrawn, purgeCutoff, type PurgeDeps, type PurgeOptions, type PurgeReport } from './purge.js';
export {
  loadWebhooks,
  signatureHeader,
  verifySignature,
  SIGNATURE_HEADER,
  WebhookCursors,
  deliverQueue,
  startWebhookService,
  listWebhooks,
  pingEndpoint,
  type WebhookEndpoint,
  type WebhookRow,
  type DeliveryPayload,
  type WebhookServiceOptions,
} from './webhooks/index.js';
