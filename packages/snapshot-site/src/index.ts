/**
 * `@paperline/snapshot-site`: a bundled snapshot of Hugging Face Papers (five listing days of
 * March 2024) served by a local HTTP server that stands in for huggingface.co via `HF_BASE_URL`.
 */
export { startSnapshotSite, loadSnapshot, snapshotTruth } from './server.js';
export type { SnapshotSite, SnapshotSiteOptions, SnapshotPaperTruth } from './server.js';
export type {
  DailyPaperEntry,
  HfApiPaper,
  HfAuthor,
  HfComment,
  HfDailyUser,
  HfOrganization,
  HfPaper,
  HfSubmitter,
  SnapshotData,
  SnapshotDay,
} from './types.js';
