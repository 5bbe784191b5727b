import { PermanentError } from '@paperline/contracts';
import { openSnapshot, papersTemplate, type EsClient, type IndexSnapshot } from '@paperline/core/es';
import { HIDDEN_FIELDS, VECTOR_FIELD, keywordQuery } from '@paperline/core/es/search';
import { AtomicFile } from './atomic-file.js';
import type { PaperPages } from './format-writer.js';
import { formatWriter } from './formats.js';
import { buildManifest, manifestPathOf, type ExportManifest } from './manifest.js';
import { exportPlan, type ExportOptions, type ExportPlan } from './options.js';

/** What an export needs: the CLI's context fits, and so will the API's. */
export interface ExportDeps {
  es: EsClient;
  cfg: { index: string };
  /**
   * The change feed's current position, recorded in the manifest as `cursor`; asked just before
   * the snapshot is taken. Without it (or when it answers undefined) the manifest has no cursor.
   */
  currentCursor?: () => Promise<string | undefined>;
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
  const write = await formatWriter(plan.format);
  const data = await AtomicFile.create(plan.out);
  let snapshot: IndexSnapshot | undefined;
  try {
    const cursor = await deps.currentCursor?.();
    const exportedAt = (deps.now ?? (() => new Date()))();
    snapshot = await openPapers(deps, plan);
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

/** The papers the plan selects, at this moment: the search's keyword query, `updatedAt` ≥ since. */
async function openPapers(deps: ExportDeps, plan: ExportPlan): Promise<IndexSnapshot> {
  const since = plan.since ? [{ range: { updatedAt: { gte: plan.since } } }] : [];
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
