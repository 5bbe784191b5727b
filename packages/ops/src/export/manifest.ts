import { basename } from 'node:path';
import type { FileDigest } from './atomic-file.js';
import type { ExportFormat, ExportPlan } from './options.js';

/** The version of the manifest's own layout. */
export const MANIFEST_VERSION = 1;

/**
 * What `<out>.manifest.json` says about an export: what it holds (format, record schema, filters,
 * vectors or not), when the snapshot was taken, how many papers (the point in time's total and the
 * count written, always equal), the data file's size and sha256, and the change feed's cursor when
 * there is one to record.
 */
export interface ExportManifest {
  manifestVersion: typeof MANIFEST_VERSION;
  /** The data file's name (beside the manifest). */
  file: string;
  format: ExportFormat;
  /** The PaperRecord schema version of the records (the papers template's `version`). */
  recordSchemaVersion: number;
  /** When the snapshot was taken (the point in time opened), ISO. */
  exportedAt: string;
  /** The alias (or index) read. */
  index: string;
  /** The filters applied (`since`: the time, normalized, or the cursor as given); `{}` for every paper. */
  filters: { since?: string; query?: string };
  /** Whether records carry `embedding.vector`. */
  withVectors: boolean;
  /** Papers matching the filters at the point in time. */
  total: number;
  /** Papers in the file. */
  count: number;
  /** The data file's size in bytes. */
  bytes: number;
  /** The sha256 of the data file, hex. */
  sha256: string;
  /**
   * The change feed's position taken just before the snapshot: changes from it on include every
   * change the snapshot missed (and some it holds, which replay harmlessly). Absent when the
   * export was given no feed.
   */
  cursor?: string;
}

/** Where an export's manifest is written. */
export const manifestPathOf = (out: string): string => `${out}.manifest.json`;

export function buildManifest(args: {
  plan: ExportPlan;
  index: string;
  recordSchemaVersion: number;
  exportedAt: Date;
  total: number;
  count: number;
  digest: FileDigest;
  cursor: string | undefined;
}): ExportManifest {
  const { plan, digest } = args;
  return {
    manifestVersion: MANIFEST_VERSION,
    file: basename(plan.out),
    format: plan.format,
    recordSchemaVersion: args.recordSchemaVersion,
    exportedAt: args.exportedAt.toISOString(),
    index: args.index,
    filters: {
      ...(plan.since !== undefined
        ? { since: 'cursor' in plan.since ? plan.since.cursor : plan.since.updatedAt }
        : {}),
      ...(plan.query !== undefined ? { query: plan.query } : {}),
    },
    withVectors: plan.withVectors,
    total: args.total,
    count: args.count,
    bytes: digest.bytes,
    sha256: digest.sha256,
    ...(args.cursor !== undefined ? { cursor: args.cursor } : {}),
  };
}
