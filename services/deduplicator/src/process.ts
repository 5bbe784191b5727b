import type { DedupeJob, PaperCandidate } from '@paperline/contracts';
import type { Logger } from '@paperline/core/process';
import type { Emit, StageContext, StageResult } from '@paperline/core/pipeline';
import type { StoredEmbedding } from '@paperline/core/pipeline';
import {
  aliasKeys,
  buildRecord,
  canonicalId,
  combineSameSource,
  embeddingTextHash,
  identityKeys,
  storedDocument,
  withdrawalReason,
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
  /**
   * Remembers which papers the page yielded (a later 304 counts them without parsing), for a page
   * that needs no index job; an index job carries the list, and its bulk request records it.
   */
  recordPagePapers: (url: string, paperIds: string[]) => Promise<void>;
  /**
   * arXiv enrichment (`PAPERLINE_ENRICH`): claims the ids for this crawl's look-up and queues
   * those not claimed before, to be batched with other pages' ids by the enrich stage. Returns the
   * ids this job queued, now or in an earlier run of it (a re-run queues nothing twice).
   */
  queueEnrichment?: (crawlId: string, jobId: string, arxivIds: string[]) => Promise<string[]>;
  /**
   * Papers get vectors (`PAPERLINE_EMBED`): a written paper whose stored vector is not of its
   * current title and abstract gets an embed job.
   */
  embed?: boolean;
  now?: () => Date;
}

type Doc = { id: string; version: number; doc: string; withdrawnReason?: string };
/** A title-only paper merged into its identified paper (its document goes, at that merge's version). */
type Adopted = { id: string; into: string };
/** A written paper whose vector is missing or of another text: what the embed job needs. */
type NeedsVector = { id: string; textHash: string };
type PaperRecordDoc = ReturnType<typeof buildRecord>;
type Unchanged = { id: string; version: number; record: PaperRecordDoc };
type Store = DedupeDeps['store'];

/** The papers of one page by canonical id: their identity keys and every view of them to merge. */
type Papers = Map<string, { keys: IdentityKeys; partials: PaperCandidate[] }>;

/** The alias table's answers for a page's keys: the canonical id, or null for a key no paper has. */
type KnownKeys = Map<string, string | null>;

const titleKey = (keys: IdentityKeys): string => `title:${keys.fingerprint}`;

/** Looks up the keys not yet known, in one call (the store falls back to the index for new keys). */
async function resolveKeys(keys: string[], store: Store, known: KnownKeys = new Map()): Promise<KnownKeys> {
  const asked = [...new Set(keys)].filter((k) => !known.has(k));
  if (asked.length === 0) return known;
  const ids = await store.resolveAliases(asked);
  asked.forEach((k, i) => known.set(k, ids[i] ?? null));
  return known;
}

/**
 * 1. Identity: every known key of a candidate resolves through the alias table. The same paper
 * twice on one page is one entry (merged later, newest fetch winning). Each candidate's title key
 * is looked up with its canonical id, so step 2 needs no look-up of its own.
 */
async function groupByPaper(
  candidates: PaperCandidate[],
  store: Store,
): Promise<{ papers: Papers; known: KnownKeys }> {
  const keyed = candidates.map((c) => ({ c, keys: identityKeys(c) }));
  const known = await resolveKeys(
    keyed.flatMap(({ keys }) => [canonicalId(keys), titleKey(keys)]),
    store,
  );
  const papers: Papers = new Map();
  for (const { c, keys } of keyed) {
    const id = known.get(canonicalId(keys)) ?? canonicalId(keys);
    const e = papers.get(id) ?? { keys, partials: [] };
    e.partials.push(c);
    papers.set(id, e);
  }
  return { papers, known };
}

/**
 * Deleted at the source (OAI-PMH): known papers the page does not list are merged again from
 * what is known of them, to be marked withdrawn — never removed.
 */
async function addWithdrawn(papers: Papers, withdrawn: Set<string>, store: Store): Promise<void> {
  const gone = [...withdrawn].filter((id) => !papers.has(id));
  const goneStates = await store.load(gone);
  for (const id of gone) {
    const known = [...goneStates.get(id)!.views.values()];
    if (known.length > 0) papers.set(id, { keys: identityKeys(known[0]!), partials: known });
  }
}

/**
 * 2. A paper first seen without an id (title fingerprint) joins the record that now has one: its
 * views move over and its cache entry goes. Returns the title-only ids whose documents go.
 */
async function adoptTitleOnlyRecords(
  papers: Papers,
  known: KnownKeys,
  store: Store,
  log: Logger,
): Promise<Adopted[]> {
  const adopted: Adopted[] = [];
  const identified = [...papers.keys()].filter((id) => !id.startsWith('title:'));
  // Only the title keys of papers added since step 1 (withdrawn ones) are looked up here.
  await resolveKeys(
    identified.map((id) => titleKey(papers.get(id)!.keys)),
    store,
    known,
  );
  for (const id of identified) {
    const owner = known.get(titleKey(papers.get(id)!.keys));
    if (!owner || !owner.startsWith('title:') || owner === id) continue;
    const ownerState = (await store.load([owner])).get(owner)!;
    papers.get(id)!.partials.unshift(...ownerState.views.values());
    await store.forget(owner);
    adopted.push({ id: owner, into: id });
    log.info({ from: owner, to: id }, 'merged a title-only record into its identified paper');
  }
  return adopted;
}

/**
 * Every identity key of every paper now resolves to its canonical id. Keys the table already
 * gave as that id are not written again: a page of known papers writes no alias.
 */
async function recordAliases(papers: Papers, known: KnownKeys, store: Store): Promise<void> {
  await store.setAliases(
    [...papers].flatMap(([id, { keys }]) =>
      aliasKeys(keys)
        .filter((k) => known.get(k) !== id)
        .map((k): [string, string] => [k, id]),
    ),
  );
}

/**
 * What this page says about each paper: each source's views on the page combined (newest fetch
 * winning), marked withdrawn where the source said so.
 */
function pageViews(papers: Papers, withdrawn: Set<string>, now: string): Map<string, PaperCandidate[]> {
  const views = new Map<string, PaperCandidate[]>();
  for (const [id, { partials }] of papers) {
    const bySource = new Map<string, PaperCandidate>();
    for (const p of partials) {
      const marked = withdrawn.has(id) ? { ...p, withdrawn: true, fetchedAt: now } : p;
      bySource.set(p.source, combineSameSource(bySource.get(p.source), marked));
    }
    views.set(id, [...bySource.values()]);
  }
  return views;
}

/** A record as the index job carries it: serialized once, with why it is withdrawn, if it is. */
function indexDoc(id: string, version: number, record: PaperRecordDoc): Doc {
  const reason = withdrawalReason(record);
  return { id, version, doc: storedDocument(record), ...(reason ? { withdrawnReason: reason } : {}) };
}

/** What one dedupe job's merges share. */
interface MergeRun {
  jobId: string;
  now: string;
  /** Every paper is handed on, changed or not (`reprocess --rewrite`). */
  rewrite: boolean;
  /** Papers get vectors: written papers whose vector is not of their text are listed. */
  embed: boolean;
}

/**
 * 3. Merge and change check: one read of the whole page and one compare-and-set write; papers
 * another job wrote meanwhile are read and merged again. Each page view combines with the stored
 * view of its source. Changed papers come back serialized once (the index job carries that JSON
 * as is); unchanged ones with their record, in case the index lacks them.
 */
async function mergeAndCommit(
  views: Map<string, PaperCandidate[]>,
  store: Store,
  run: MergeRun,
): Promise<{ changed: Doc[]; unchanged: Unchanged[]; needsVector: NeedsVector[] }> {
  const { jobId, now, rewrite } = run;
  const changed: Doc[] = [];
  const unchanged: Unchanged[] = [];
  const needsVector: NeedsVector[] = [];
  let todo = [...views.keys()];
  for (let attempt = 0; todo.length > 0; attempt++) {
    if (attempt > 20) throw new Error(`merge of ${todo.join(', ')}: too much contention`);
    const states = await store.load(todo);
    const writes = todo.map((id) => mergeOne(id, states.get(id)!, views.get(id)!, jobId, now, rewrite));
    const results = await store.commitPage(writes, jobId);
    todo = [];
    for (const w of writes) {
      const r = results.get(w.id);
      if (!r) todo.push(w.id);
      else if (w.written !== undefined) {
        changed.push(indexDoc(w.id, r.version, w.record));
        if (run.embed) {
          const textHash = embeddingTextHash(w.record);
          if (w.record.embedding?.textHash !== textHash) needsVector.push({ id: w.id, textHash });
        }
      } else unchanged.push({ id: w.id, version: r.version, record: w.record });
    }
  }
  return { changed, unchanged, needsVector };
}

/**
 * The paper's stored vector goes into every write, so a later merge never drops it. When the
 * title or abstract changed it is of the old text until the embedder replaces it (its `textHash`
 * says so); a vector of nearly the same text serves semantic search better than none.
 */
function withEmbedding(record: PaperRecordDoc, stored: StoredEmbedding | undefined): PaperRecordDoc {
  if (!stored) return record;
  return { ...record, embedding: { vector: Array.from(stored.vector), textHash: stored.textHash } };
}

/** One paper's write: its stored views with this page's merged in, and its record. */
function mergeOne(
  id: string,
  state: PaperState,
  pageViews: PaperCandidate[],
  jobId: string,
  now: string,
  rewrite: boolean,
): PaperWrite & { record: PaperRecordDoc } {
  const views = new Map(state.views);
  const touched = pageViews.map((v) => combineSameSource(views.get(v.source), v));
  for (const v of touched) views.set(v.source, v);
  const firstSeenAt = state.firstSeenAt ?? now;
  const record = withEmbedding(
    buildRecord(id, [...views.values()], { firstSeenAt, updatedAt: now }),
    state.embedding,
  );
  // The same job again (a re-run after a crash) hands the paper on again; so does a rewrite.
  const isChange = rewrite || record.contentHash !== state.hash || state.hashJob === jobId;
  return {
    id,
    state,
    // A paper read from the index is stored whole; a cached one only where this page changed it.
    views: state.fromIndex ? [...views.values()] : touched,
    firstSeenAt,
    ...(isChange ? { written: record.contentHash } : {}),
    record,
  };
}

/** `verifyIndex`: unchanged papers the index lacks are written again (the cache said current). */
async function missingFromIndex(unchanged: Unchanged[], store: Store): Promise<Doc[]> {
  if (unchanged.length === 0) return [];
  const present = await store.existing(unchanged.map((u) => u.id));
  return unchanged.filter((u) => !present.has(u.id)).map((u) => indexDoc(u.id, u.version, u.record));
}

/**
 * The documents of adopted title-only papers go as writes of the merge that adopted them: at the
 * surviving paper's new merge version (above every version the title-only paper had, taken before).
 */
function versionedDeletes(
  adopted: Adopted[],
  merged: Array<{ id: string; version: number }>,
): Array<Adopted & { version: number }> {
  const versions = new Map(merged.map((m) => [m.id, m.version]));
  return adopted.map((a) => ({ ...a, version: versions.get(a.into)! }));
}

/**
 * 4. Papers known only from Hugging Face are looked up on arXiv: their ids are queued for the
 * crawl, and an enrich job takes them (with other pages' ids) into an export-API batch. The
 * enrich job keeps the crawl open until they are handed to a fetch job.
 */
async function enrichmentJob(
  job: DedupeJob,
  jobId: string,
  papers: Papers,
  queue: NonNullable<DedupeDeps['queueEnrichment']>,
): Promise<Emit[]> {
  const wanted = [...papers.values()]
    .filter((e) => e.keys.arxivId && e.partials.every((p) => p.source !== 'arxiv'))
    .map((e) => e.keys.arxivId!);
  if (wanted.length === 0) return [];
  const queued = await queue(job.crawlId, jobId, wanted);
  return queued.length > 0 ? [{ stage: 'enrich', payload: { crawlId: job.crawlId, url: job.url } }] : [];
}

/** 5. Written papers whose vector is missing or of another text: one embed job each. */
function embedJobs(job: DedupeJob, needsVector: NeedsVector[]): Emit[] {
  return needsVector.map(({ id, textHash }) => ({
    stage: 'embed',
    payload: { crawlId: job.crawlId, url: job.url, id, textHash },
  }));
}

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
  const withdrawn = new Set((job.withdrawnIds ?? []).map((a) => `arxiv:${a}`));

  const { papers, known } = await groupByPaper(job.candidates, store);
  await addWithdrawn(papers, withdrawn, store);
  const ids = [...papers.keys()];
  const adopted = await adoptTitleOnlyRecords(papers, known, store, ctx.log);
  // Independent round trips run together: the aliases only need to be in place before the index
  // job is emitted (a re-run after a crash sets them again), and the books and the page's paper
  // list (written here only when no index job carries it) are two stores.
  const [, { changed, unchanged, needsVector }] = await Promise.all([
    recordAliases(papers, known, store),
    mergeAndCommit(pageViews(papers, withdrawn, now), store, {
      jobId: ctx.jobId,
      now,
      rewrite: job.rewrite === true,
      embed: deps.embed === true,
    }),
  ]);
  if (job.verifyIndex) changed.push(...(await missingFromIndex(unchanged, store)));
  const deletes = versionedDeletes(adopted, [...changed, ...unchanged]);
  const indexed = changed.length > 0 || deletes.length > 0;
  // With an index job, the page's paper list goes with it: its bulk request records the list too.
  await Promise.all([
    deps.markCandidates(job.crawlId, job.url, ids),
    indexed ? undefined : deps.recordPagePapers(job.url, ids),
  ]);

  // A reprocess fetches nothing: no enrichment.
  const emit =
    deps.queueEnrichment && !job.reprocess
      ? await enrichmentJob(job, ctx.jobId, papers, deps.queueEnrichment)
      : [];
  if (indexed) {
    emit.push({
      stage: 'index',
      payload: {
        crawlId: job.crawlId,
        url: job.url,
        docs: changed,
        ...(deletes.length ? { deletes } : {}),
        pagePaperIds: ids,
      },
    });
  }
  // After the index job: keyword search never waits for a vector.
  if (deps.embed) emit.push(...embedJobs(job, needsVector));
  ctx.log.debug({ papers: ids.length, changed: changed.length }, 'deduplicated');
  return { outcome: changed.length > 0 ? 'changed' : 'unchanged', emit };
}
