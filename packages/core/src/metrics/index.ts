/**
 * `@paperline/core/metrics`: cluster-wide worker metrics, recorded in worker processes,
 * aggregated in Redis, read by the API.
 *
 * - The catalog: `METRIC_LIST` (each a counter or a `HistogramDef`), `PAPERS_METRIC`.
 * - Recording: `withFetchMetrics` and `withBulkMetrics` wrap a fetch or a bulk write (the worker
 *   runtime records the rest itself).
 * - Reading: `readMetrics` → `MetricsSnapshot`; `foldPaperTotals` folds crawl summaries into the
 *   paper counters (`PaperResult`).
 */
export { METRIC_LIST, PAPERS_METRIC, type HistogramDef } from './catalog.js';
export { withFetchMetrics, withBulkMetrics } from './instrument.js';
export { readMetrics, type MetricsSnapshot } from './reader.js';
export { foldPaperTotals, type PaperResult } from './papers.js';
