import type { AtomicFile } from './atomic-file.js';

/** Stored papers, a page at a time. */
export type PaperPages = AsyncIterable<Array<Record<string, unknown>>>;

/** Writes every paper of `pages` into `file` in one format; `withVectors`: the papers carry vectors. */
export type FormatWriter = (
  pages: PaperPages,
  file: AtomicFile,
  opts: { withVectors: boolean },
) => Promise<void>;
