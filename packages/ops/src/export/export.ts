import { PermanentError } from '@paperline/contracts';
import { openSnapshot, papersTemplate, type EsClient, type IndexSnapshot } from '@paperline/core/es';
import { HIDDEN_FIELDS, VECTOR_FIELD, keywordQuery } from '@paperline/core/es/search';
import { AtomicFile } from './atomic-file.js';
import type { PaperPages } from './format-writer.js';
import { formatWriter } from './formats.js';
import { buildManifest, manifestPathOf, type ExportManifest } from './manifest.js';
import { ExportInputError, exportPlan, type ExportOptions, type ExportPlan } from './options.js';

/** What an export needs: the CLI's context fits, and so will the API's. */
export interface ExportDeps {
  es: EsClient;
  cfg: { index: string };
  /**
   * The change feed's current position, recorded in the manifest as `cursor`; asked just before
   * the snapshot is taken. Without it (or when it answers undefined) the manifest has no cursor.
   */
  currentCursor?: () => Promise<string | undefined>;
  /**
   * The ids of the papers the change feed says were written after one cursor, up to another
   * (`--since <cursor>`; `papersWrittenBetween`). Needed, with `currentCursor`, for a cursor.
   */
  writtenBetween?: (after: string, until: string) => Promise<Set<string>>;
  /** @defaultValue the system clock */
  now?: () => Date;
}

/** How far an export is: papers written of the snapshot's total. */
export interface ExportProgress {
  written: number;
  total: number;
}

export interface ExportHooks {
  /** Called once the snapshot is open (written 0) and after every page. */
  onProgress?: (p: ExportProgress) => void;
  /** Aborting stops the export after the current page; nothing is left under `out`. */
  signal?: AbortSignal;
}

/**
 * Exports the papers (those the filters select) as one consistent snapshot: a point in time on
 * the alias, read a page at a time, so writes during the export are not in it. The data file is
 * written as `<out>.partial` and renamed to `out` only when complete, then the manifest
 * (`<out>.manifest.json`, {@link ExportManifest}) likewise; on any failure the partial files are
 * removed and `out` is left as it was. Bad options are `EXPORT_INVALID` naming the flag.
 */
export async function exportPapers(
  deps: ExportDeps,
  opts: ExportOptions,
  hooks: ExportHooks = {},
): Promise<ExportManifest> {
  const plan = exportPlan(opts);
  if (plan.since && 'cursor' in plan.since && !(deps.writtenBetween && deps.currentCursor)) throw noFeed();
  const write = await formatWriter(plan.format);
  const data = await AtomicFile.create(plan.out);
  let snapshot: IndexSnapshot | undefined;
  try {
    const cursor = await deps.currentCursor?.();
    const exportedAt = (deps.now ?? (() => new Date()))();
    snapshot = await openPapers(deps, plan, await sinceFilter(deps, plan, cursor));
    const counted = { written: 0 };
    await write(tracked(snapshot, plan, hooks, counted), data, { withVectors: plan.withVectors });
    if (counted.written !== snapshot.total)
      throw new PermanentError(
        'EXPORT_FAILED',
        `read ${counted.written} papers of the snapshot's ${snapshot.total}; nothing was written to ${plan.out}`,
      );
    const manifest = buildManifest({
      plan,
      index: deps.cfg.index,
      recordSchemaVersion: papersTemplate().version,
      exportedAt,
      total: snapshot.total,
      count: counted.written,
      digest: await data.finish(),
      cursor,
    });
    await commitWithManifest(data, manifest);
    return manifest;
  } catch (err) {
    await data.discard();
    throw err;
  } finally {
    await snapshot?.close().catch(() => undefined);
  }
}

const noFeed = () =>
  new ExportInputError('--since', 'a change-feed cursor needs the change feed, and this export has none');

/** Most ids one `terms` query holds (Elasticsearch's `index.max_terms_count`). */
const TERMS_MAX = 65_536;

/**
 * The query filter of `--since`: `updatedAt` at or after a time, or the ids the change feed says
 * were written after a cursor, up to `until` (the feed's position recorded in the manifest).
 */
async function sinceFilter(deps: ExportDeps, plan: ExportPlan, until: string | undefined): Promise<object[]> {
  if (!plan.since) return [];
  if ('updatedAt' in plan.since) return [{ range: { updatedAt: { gte: plan.since.updatedAt } } }];
  if (!deps.writtenBetween || until === undefined) throw noFeed();
  const ids = [...(await deps.writtenBetween(plan.since.cursor, until))];
  if (ids.length === 0) return [{ ids: { values: [] } }];
  const chunks = Array.from({ length: Math.ceil(ids.length / TERMS_MAX) }, (_, i) =>
    ids.slice(i * TERMS_MAX, (i + 1) * TERMS_MAX),
  );
  return [{ bool: { should: chunks.map((chunk) => ({ terms: { id: chunk } })), minimum_should_match: 1 } }];
}

/** The papers the plan selects, at this moment: the search's keyword query and the `--since` filter. */
async function openPapers(deps: ExportDeps, plan: ExportPlan, since: object[]): Promise<IndexSnapshot> {
  try {
    return await openSnapshot(deps.es, deps.cfg.index, {
      query: keywordQuery({ q: plan.query ?? '' }, { extraFilter: since }),
      excludes: plan.withVectors ? HIDDEN_FIELDS.filter((f) => f !== VECTOR_FIELD) : HIDDEN_FIELDS,
      withVectors: plan.withVectors,
      pageSize: plan.pageSize,
    });
  } catch (err) {
    if ((err as { meta?: { statusCode?: number } }).meta?.statusCode === 404)
      throw new PermanentError('EXPORT_FAILED', `there is no index or alias '${deps.cfg.index}' to export`, {
        cause: err,
      });
    throw err;
  }
}

/** The snapshot's pages, counted, reported, and stopped between two pages when aborted. */
async function* tracked(
  snapshot: IndexSnapshot,
  plan: ExportPlan,
  hooks: ExportHooks,
  counted: { written: number },
): PaperPages {
  hooks.onProgress?.({ written: 0, total: snapshot.total });
  for await (const page of snapshot.pages()) {
    if (hooks.signal?.aborted)
      throw new PermanentError(
        'EXPORT_FAILED',
        `interrupted after ${counted.written} of ${snapshot.total} papers; nothing was written to ${plan.out}`,
      );
    yield page;
    counted.written += page.length;
    hooks.onProgress?.({ written: counted.written, total: snapshot.total });
  }
}

/**
 * Puts the finished data file and its manifest in place: the manifest is written completely
 * first, the data file renamed, then the manifest, so a manifest under its final name always
 * describes the data file beside it (its sha256 says so).
 */
async function commitWithManifest(data: AtomicFile, manifest: ExportManifest): Promise<void> {
  const file = await AtomicFile.create(manifestPathOf(data.path));
  try {
    await file.write(`${JSON.stringify(manifest, null, 2)}\n`);
    await file.finish();
    await data.commit();
    await file.commit();
  } catch (err) {
    await file.discard();
    throw err;
  }
}
