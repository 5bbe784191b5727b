import type { DedupeJob, PaperCandidate } from '@paperline/contracts';
import { shortHash, type StageContext, type StageResult } from '@paperline/core';
import { aliasKeys, buildRecord, canonicalId, identityKeys } from '@paperline/identity';
import type { MergeState } from './store.js';

/** The narrow dependencies of the dedupe stage. */
export interface DedupeDeps {
  store: {
    hydrate(ids: string[]): Promise<void>;
    merge(id: string, partial: PaperCandidate, now: string): Promise<MergeState>;
    commit(id: string, hash: string, jobId: string): Promise<boolean>;
    resolveAliases(keys: string[]): Promise<(string | null)[]>;
    /** Which of these ids have a document in the index. */
    existing(ids: string[]): Promise<Set<string>>;
    setAliases(pairs: Array<[string, string]>): Promise<void>;
  };
  markCandidates: (crawlId: string, pageKey: string, paperIds: string[]) => Promise<void>;
  /** Remembers which papers the page yielded (a later 304 counts them without parsing). */
  recordPagePapers: (url: string, paperIds: string[]) => Promise<void>;
  now?: () => Date;
}

/**
 * Gives each candidate its canonical identity, merges it with what other sources and pages said
 * about the same paper, and passes on only papers whose content changed.
 */
export async function processDedupe(
  job: DedupeJob,
  deps: DedupeDeps,
  ctx: StageContext,
): Promise<StageResult> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  // 1. identity: a candidate without arXiv id or DOI may already be known under another id.
  const keyed = job.candidates.map((c) => ({ c, keys: identityKeys(c) }));
  const aliasHits = await deps.store.resolveAliases(keyed.map(({ keys }) => canonicalId(keys)));
  const withIds = keyed.map(({ c, keys }, i) => ({ c, keys, id: aliasHits[i] ?? canonicalId(keys) }));

  // 2. one merge per paper and source: the same paper twice on one page is one sighting.
  const perPaper = new Map<string, { keys: (typeof withIds)[number]['keys']; partials: PaperCandidate[] }>();
  for (const { c, keys, id } of withIds) {
    const e = perPaper.get(id) ?? { keys, partials: [] };
    e.partials.push(c);
    perPaper.set(id, e);
  }
  const ids = [...perPaper.keys()];
  await deps.store.hydrate(ids);
  await deps.store.setAliases(
    ids.flatMap((id) => aliasKeys(perPaper.get(id)!.keys).map((k): [string, string] => [k, id])),
  );

  const docs: { id: string; version: number; doc: Record<string, unknown> }[] = [];
  const unchanged: { id: string; version: number; doc: Record<string, unknown> }[] = [];
  for (const [id, { partials }] of perPaper) {
    let state: MergeState | undefined;
    for (const p of partials) state = await deps.store.merge(id, p, now);
    const record = buildRecord(id, state!.partials, { firstSeenAt: state!.firstSeenAt, updatedAt: now });
    const item = { id, version: state!.version, doc: record as unknown as Record<string, unknown> };
    if (await deps.store.commit(id, record.contentHash, ctx.jobId)) docs.push(item);
    else unchanged.push(item);
  }
  if (job.verifyIndex && unchanged.length > 0) {
    // Reprocessing rebuilds what the index lost, even when the cache says it is current.
    const present = await deps.store.existing(unchanged.map((u) => u.id));
    docs.push(...unchanged.filter((u) => !present.has(u.id)));
  }
  await deps.markCandidates(job.crawlId, shortHash(job.url), ids);
  await deps.recordPagePapers(job.url, ids);
  ctx.log.debug({ papers: ids.length, changed: docs.length }, 'deduplicated');
  return {
    outcome: docs.length > 0 ? 'changed' : 'unchanged',
    emit: docs.length > 0 ? [{ stage: 'index', payload: { crawlId: job.crawlId, url: job.url, docs } }] : [],
  };
}
