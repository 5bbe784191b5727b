import { resolve, sep } from 'node:path';
import { z } from 'zod';
import { PermanentError } from '@paperline/contracts';
import { QUERY_MAX_LENGTH } from '@paperline/core/es/search';
import { isFeedCursor } from '@paperline/core/pipeline';

/** The file formats an export writes. */
export const EXPORT_FORMATS = ['jsonl', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Most documents one page (one search) of an export reads. */
export const EXPORT_PAGE_MAX = 10_000;

/** What the user asked for, as given (the CLI's flags). */
export interface ExportOptions {
  /** `jsonl` or `parquet`. */
  format: string;
  /** The file to write; `<out>.manifest.json` is written beside it. */
  out: string;
  /**
   * Only papers whose `updatedAt` is at or after this (`YYYY-MM-DD`, or an ISO time with a zone),
   * or, given a change-feed cursor (a manifest's `cursor`), only papers written after it.
   */
  since?: string;
  /** Only papers the keyword search finds for this text. */
  query?: string;
  /** Include each paper's `embedding.vector` (384 floats). @defaultValue false */
  withVectors?: boolean;
  /** Documents per page. @defaultValue 500 */
  pageSize?: number;
}

/** The options checked and normalized: what an export does. */
export interface ExportPlan {
  format: ExportFormat;
  /** Absolute path of the data file. */
  out: string;
  since?: SinceFilter;
  query?: string;
  withVectors: boolean;
  pageSize: number;
}

/** `--since`: papers updated at or after a time (ISO, UTC), or written after a feed cursor. */
export type SinceFilter = { updatedAt: string } | { cursor: string };

/** An export option the user got wrong; `context.option` names the flag (`--format`). */
export class ExportInputError extends PermanentError {
  constructor(
    readonly option: string,
    message: string,
    cause?: unknown,
  ) {
    super('EXPORT_INVALID', `${option}: ${message}`, {
      stage: 'cli',
      context: { option },
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

const SinceSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** Checks every option (an {@link ExportInputError} naming the first wrong one) and normalizes them. */
export function exportPlan(opts: ExportOptions): ExportPlan {
  return {
    format: formatOf(opts.format),
    out: outOf(opts.out),
    ...(opts.since !== undefined ? { since: sinceOf(opts.since) } : {}),
    ...(opts.query !== undefined ? { query: queryOf(opts.query) } : {}),
    withVectors: opts.withVectors ?? false,
    pageSize: pageSizeOf(opts.pageSize ?? 500),
  };
}

function formatOf(format: string): ExportFormat {
  if ((EXPORT_FORMATS as readonly string[]).includes(format)) return format as ExportFormat;
  throw new ExportInputError('--format', `must be one of ${EXPORT_FORMATS.join(', ')}, got '${format}'`);
}

function outOf(out: string): string {
  if (out.trim() === '') throw new ExportInputError('--out', 'is empty');
  if (out.endsWith('/') || out.endsWith(sep))
    throw new ExportInputError('--out', `must name a file, got the directory '${out}'`);
  return resolve(out);
}

function sinceOf(since: string): SinceFilter {
  if (isFeedCursor(since)) return { cursor: since };
  if (!SinceSchema.safeParse(since).success || Number.isNaN(Date.parse(since)))
    throw new ExportInputError(
      '--since',
      `must be a date YYYY-MM-DD, an ISO time with a zone (2025-03-14T09:00:00Z) or a change-feed cursor (a manifest's "cursor"), got '${since}'`,
    );
  return { updatedAt: new Date(since).toISOString() };
}

function queryOf(query: string): string {
  if (query.trim() === '') throw new ExportInputError('--query', 'is empty');
  if (query.length > QUERY_MAX_LENGTH)
    throw new ExportInputError('--query', `is longer than ${QUERY_MAX_LENGTH} characters`);
  return query;
}

function pageSizeOf(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > EXPORT_PAGE_MAX)
    throw new ExportInputError('pageSize', `must be a whole number from 1 to ${EXPORT_PAGE_MAX}, got ${n}`);
  return n;
}
