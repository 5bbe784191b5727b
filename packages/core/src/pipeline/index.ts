/**
 * `@paperline/core/pipeline`: the worker runtime, and the crawl state it keeps in Redis.
 *
 * - Stages: `defineStage` declares a `StageDefinition` (queue, payload, concurrency, time limit,
 *   wiring, processor: `StageContext` → `StageResult`, jobs to add as `Emit`); `checkRegistry`
 *   checks a set of them against the routing table into a `StageRegistry` (`jobIdFor`: the
 *   deterministic id of a job); `startStages` runs a process's stages (`startStage` one)
 *   on a `Runtime` (`createRuntime`: config, logger, Redis, queues, crawl books, enqueuer,
 *   Elasticsearch, metrics). `createStageWorker` (a bare `Processor`), `paperlineBackoff` and
 *   `storeWaitDelay` are runner parts tests drive directly.
 * - Queues: `createQueues` → `StageQueues`, `closeQueues`, `jobCounts`/`stageCounts`
 *   (`StageCounts`); `Enqueuer` adds jobs along the routing table, booked in the crawl;
 *   `jobIdFor` is the deterministic id a payload gets.
 * - Crawls: `CrawlStore` (the books: counts, `FailureRecord`s, health), `newCrawlId`,
 *   `startCrawl`, `waitForCrawl`, `bookUnseenFailure`; `Schedule`s (`ScheduleSchema`,
 *   `loadSchedules`, `saveSchedules`, `resolveSeeds`).
 * - What stages share through Redis: `HostLimiter` (politeness, `SlotDecision`; `hostIntervals`
 *   is the gap per host), `RobotsCache`
 *   (`RobotsPolicy`), `PaperCache` (`CachedPaper`, read through to the index as `PaperState`s, written as
 *   `StateWrite`s, with each paper's `StoredEmbedding`), `EnrichmentQueue` (arXiv ids waiting for
 *   an export-API batch: `TakeRequest` → `TakeResult`, `TakenBatch`).
 *   `StateWrite`s, with each paper's `StoredEmbedding`).
 * - The change feed: `ChangeFeed` (every write to a paper, in write order; `FeedPage`s read after a
 *   cursor, `parseCursor`/`formatCursor`).
 */
export {
  defineStage,
  checkRegistry,
  startStage,
  startStages,
  type StageDefinition,
  type AnyStageDefinition,
  type StageRegistry,
  type StageWiring,
} from './stage.js';
export {
  createStageWorker,
  paperlineBackoff,
  storeWaitDelay,
  type Processor,
  type StageContext,
  type StageResult,
} from './runner.js';
export { createRuntime, type Runtime } from './runtime.js';
export { LocalStages, type LocalStage } from './chain.js';
export { ActiveJobs } from './active-jobs.js';
export { jobIdFor, type Emit, type HandOff } from './routing.js';
export {
  createQueues,
  closeQueues,
  jobCounts,
  stageCounts,
  type StageQueues,
  type StageCounts,
} from './queues.js';
export { Enqueuer } from './enqueuer.js';
export { CrawlStore, type FailureRecord } from './crawl-state.js';
export { newCrawlId } from '../ids.js';
export { startCrawl } from './crawl-start.js';
export { waitForCrawl } from './crawl-wait.js';
export { bookUnseenFailure } from './crawl-repair.js';
export { ScheduleSchema, loadSchedules, saveSchedules, resolveSeeds, type Schedule } from './schedules.js';
export { HostLimiter, hostIntervals, type SlotDecision } from './politeness.js';
export { RobotsCache, RobotsPolicy } from './robots.js';
export {
  PaperCache,
  type CachedPaper,
  type PaperState,
  type StateWrite,
  type StoredEmbedding,
  type IndexedPaper,
} from './paper-cache.js';
export { BackfillHolders, IndexWriters } from './backfill-holders.js';
export { EnrichmentQueue, type TakeRequest, type TakeResult, type TakenBatch } from './enrichment-queue.js';
export {
  ChangeFeed,
  parseCursor,
  formatCursor,
  isFeedCursor,
  streamIdAfter,
  type ChangeFeedOptions,
  type FeedPage,
  type FeedPosition,
} from './change-feed.js';
