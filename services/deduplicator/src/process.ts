import type { DedupeJob, PaperCandidate, Route } from '@paperline/contracts';
import type { Emit, StageContext, StageResult } from '@paperline/core';
import {
  aliasKeys,
  buildRecord,
  canonicalId,
  combineSameSource,
  identityKeys,
  type IdentityKeys,
} from '@paperline/identity';
import type { CommitResult, PaperState, PaperWrite } from './store.js';

/** The narrow dependencies of the dedupe stage. */
export interface DedupeDeps {
  store: {
    /** Each paper's state, from the cache or, on a miss, from the index. */
    load(ids: string[]): Promise<Map<string, PaperState>>;
    /** Stores a page's merges; null for a paper another job wrote since it was loaded. */
    commitPage(writes: PaperWrite[], jobId: string): Promise<Map<string, CommitResult>>;
    resolveAliases(keys: string[]): Promise<(string | null)[]>;
    setAliases(pairs: Array<[string, string]>): Promise<void>;
    /** Drops a paper's cache entry (it was merged into another id). */
    forget(id: string): Promise<void>;
    /** Which of these ids have a document in the index. */
    existing(ids: string[]): Promise<Set<string>>;
  };
  markCandidates: (crawlId: string, pageUrl: string, paperIds: string[]) => Promise<void>;
  /** Remembers which papers the page yielded (a later 304 counts them without parsing). */
  recordPagePapers: (url: string, paperIds: string[]) => Promise<void>;
  /**
   * Claims arXiv ids for enrichment and returns the export-API URLs to fetch for the newly
   * claimed ones, each with its route (none when enrichment is off). Ids already claimed are not
   * requested again.
   */
  enrich?: (arxivIds: string[]) => Promise<Array<{ url: string; route: Route }>>;
  now?: () => Date;
}

type Doc = { id: string; version: number; doc: string };
type PaperRecordDoc = ReturnType<typeof buildRecord>;

/**
 * Gives each candidate its canonical identity, merges it with what other sources and pages said
 * about the same paper, and passes on only papers whose content changed.
 */
export async function processDedupe(
  job: DedupeJob,
  deps: DedupeDeps,
  ctx: StageContext,
): Promise<StageResult<'dedupe'>> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  const { store } = deps;

  // 1. Identity: every known key of a candidate resolves through the alias table.
  const keyed = job.candidates.map((c) => ({ c, keys: identityKeys(c) }));
  const aliasHits = await store.resolveAliases(keyed.map(({ keys }) => canonicalId(keys)));
  const perPaper = new Map<string, { keys: IdentityKeys; partials: PaperCandidate[] }>();
  keyed.forEach(({ c, keys }, i) => {
    const id = aliasHits[i] ?? canonicalId(keys);
    const e = perPaper.get(id) ?? { keys, partials: [] };
    e.partials.push(c); // the same paper twice on one page is merged, newest fetch winning
    perPaper.set(id, e);
  });
  // Deleted at the source (OAI-PMH): known papers are re-merged, marked withdrawn, never removed.
  const withdrawn = new Set((job.withdrawnIds ?? []).map((a) => `arxiv:${a}`));
  const gone = [...withdrawn].filter((id) => !perPaper.has(id));
  const goneStates = await store.load(gone);
  for (const id of gone) {
    const known = [...goneStates.get(id)!.views.values()];
    if (known.length > 0) perPaper.set(id, { keys: identityKeys(known[0]!), partials: known });
  }
  const ids = [...perPaper.keys()];

  // 2. A paper first seen without an id (title fingerprint) joins the record that now has one.
  const deletes: string[] = [];
  const identified = ids.filter((id) => !id.startsWith('title:'));
  const titleOwners = await store.resolveAliases(
    identified.map((id) => `title:${perPaper.get(id)!.keys.fingerprint}`),
  );
  for (const [i, owner] of titleOwners.entries()) {
    const id = identified[i]!;
    if (!owner || !owner.startsWith('title:') || owner === id) continue;
    const ownerState = (await store.load([owner])).get(owner)!;
    perPaper.get(id)!.partials.unshift(...ownerState.views.values());
    await store.forget(owner);
    deletes.push(owner);
    ctx.log.info({ from: owner, to: id }, 'merged a title-only record into its identified paper');
  }
  await store.setAliases(
    ids.flatMap((id) => aliasKeys(perPaper.get(id)!.keys).map((k): [string, string] => [k, id])),
  );

  // 3. Merge, withdrawn marks, and the change check: one read of the whole page and one
  // compare-and-set write; papers another job wrote meanwhile are read and merged again.
  // Each source's views on this page combine first (newest fetch winning), then with its stored view.
  const pageViews = new Map<string, PaperCandidate[]>();
  for (const [id, { partials }] of perPaper) {
    const bySource = new Map<string, PaperCandidate>();
    for (const p of partials) {
      const marked = withdrawn.has(id) ? { ...p, withdrawn: true, fetchedAt: now } : p;
      bySource.set(p.source, combineSameSource(bySource.get(p.source), marked));
    }
    pageViews.set(id, [...bySource.values()]);
  }
  const changed: Doc[] = [];
  const unchanged: Array<{ id: string; version: number; record: PaperRecordDoc }> = [];
  let todo = ids;
  for (let attempt = 0; todo.length > 0; attempt++) {
    if (attempt > 20) throw new Error(`merge of ${todo.join(', ')}: too much contention`);
    const states = await store.load(todo);
    const writes: Array<PaperWrite & { record: PaperRecordDoc }> = todo.map((id) => {
      const state = states.get(id)!;
      const views = new Map(state.views);
      const touched = pageViews.get(id)!.map((v) => combineSameSource(views.get(v.source), v));
      for (const v of touched) views.set(v.source, v);
      const firstSeenAt = state.firstSeenAt ?? now;
      const record = buildRecord(id, [...views.values()], { firstSeenAt, updatedAt: now });
      const isChange = record.contentHash !== state.hash || state.hashJob === ctx.jobId;
      return {
        id,
        state,
        // A paper read from the index is stored whole; a cached one only where this page changed it.
        views: state.fromIndex ? [...views.values()] : touched,
        firstSeenAt,
        ...(isChange ? { written: record.contentHash } : {}),
        record,
      };
    });
    const results = await store.commitPage(writes, ctx.jobId);
    todo = [];
    for (const w of writes) {
      const r = results.get(w.id);
      if (!r) {
        todo.push(w.id);
        continue;
      }
      // Serialized once here: the index job carries the JSON the indexer sends as is.
      if (w.written !== undefined)
        changed.push({ id: w.id, version: r.version, doc: JSON.stringify(w.record) });
      else unchanged.push({ id: w.id, version: r.version, record: w.record });
    }
  }
  if (job.verifyIndex && unchanged.length > 0) {
    // Reprocessing rebuilds what the index lost, even when the cache says it is current.
    const present = await store.existing(unchanged.map((u) => u.id));
    for (const u of unchanged) {
      if (!present.has(u.id)) changed.push({ id: u.id, version: u.version, doc: JSON.stringify(u.record) });
    }
  }
  await deps.markCandidates(job.crawlId, job.url, ids);
  await deps.recordPagePapers(job.url, ids);

  // 4. Papers known only from Hugging Face are looked up on arXiv (never while reprocessing).
  const emit: Emit[] = [];
  if (deps.enrich && !job.verifyIndex) {
    const wanted = [...perPaper.values()]
      .filter((e) => e.keys.arxivId && e.partials.every((p) => p.source !== 'arxiv'))
      .map((e) => e.keys.arxivId!);
    for (const { url, route } of wanted.length ? await deps.enrich(wanted) : []) {
      emit.push({
        stage: 'fetch',
        payload: { crawlId: job.crawlId, url, depth: 0, referrer: job.url, route },
      });
    }
  }
  if (changed.length > 0 || deletes.length > 0) {
    emit.push({
      stage: 'index',
      payload: { crawlId: job.crawlId, url: job.url, docs: changed, ...(deletes.length ? { deletes } : {}) },
    });
  }
  ctx.log.debug({ papers: ids.length, changed: changed.length }, 'deduplicated');
  return { outcome: changed.length > 0 ? 'changed' : 'unchanged', emit };
}
