import type { AtomicFile } from './atomic-file.js';
import type { ExportFormat } from './options.js';

/** Stored papers, a page at a time. */
export type PaperPages = AsyncIterable<Array<Record<string, unknown>>>;

/** Writes every paper of `pages` into `file` in one format. */
export type FormatWriter = (pages: PaperPages, file: AtomicFile) => Promise<void>;

/** JSON Lines: each paper as stored (the API's record), one per line, pages written as they come. */
export const writeJsonl: FormatWriter = async (pages, file) => {
  for await (const page of pages) await file.write(page.map((doc) => `${JSON.stringify(doc)}\n`).join(''));
};

/** The writer of a format; Parquet's (and its library) is loaded only when asked for. */
export async function formatWriter(format: ExportFormat): Promise<FormatWriter> {
  if (format === 'jsonl') return writeJsonl;
  return (await import('./parquet.js')).writeParquet;
}
