import type { FormatWriter } from './format-writer.js';
import type { ExportFormat } from './options.js';

/** The writer of a format; Parquet's (and its library) is loaded only when asked for. */
export async function formatWriter(format: ExportFormat): Promise<FormatWriter> {
  if (format === 'jsonl') return (await import('./jsonl.js')).writeJsonl;
  return (await import('./parquet.js')).writeParquet;
}
