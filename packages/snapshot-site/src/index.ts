/**
 * `@paperline/snapshot-site`: a bundled snapshot of Hugging Face Papers (five listing days of
 * March 2024) served by a local HTTP server that stands in for huggingface.co via `HF_BASE_URL`,
 * with an arXiv stand-in (abs pages, `new` listings, export API) on a second port for
 * `ARXIV_BASE_URL` / `ARXIV_API_URL`.
 */
export {
  startSnapshotSite,
  loadSnapshot,
  snapshotTruth,
  loadArxivSnapshot,
  snapshotArxivTruth,
} from './server.js';
export type {
  SnapshotSite,
  SnapshotSiteOptions,
  SnapshotRequest,
  SnapshotPaperTruth,
  SnapshotArxivPaperTruth,
} from './server.js';
export type { ArxivData, ArxivPaper, ArxivVersion } from './arxiv-types.js';
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
