import { createHash } from 'node:crypto';
import type { Links, PaperCandidate, PaperRecord, SourceId, SourceRef } from '@paperline/contracts';
import { arxivIdFromDoi, normalizeArxivId, normalizeDoi } from './ids.js';
import { titleFingerprint } from './fingerprint.js';

/** What one source currently says about a paper (its newest fetch). */
export type SourcePartial = PaperCandidate;

/** The keys a candidate can be known by. */
export interface IdentityKeys {
  arxivId?: string;
  doi?: string;
  fingerprint: string;
}

export function identityKeys(c: Pick<PaperCandidate, 'arxivId' | 'doi' | 'title'>): IdentityKeys {
  const doi = c.doi ? (normalizeDoi(c.doi) ?? undefined) : undefined;
  const arxivId =
    (c.arxivId ? normalizeArxivId(c.arxivId) : null) ?? (doi ? arxivIdFromDoi(doi) : null) ?? undefined;
  return {
    ...(arxivId ? { arxivId } : {}),
    ...(doi && !arxivIdFromDoi(doi) ? { doi } : {}),
    fingerprint: titleFingerprint(c.title),
  };
}

/**
 * `arxiv:<id>`, else `doi:<doi>`, else `title:<fingerprint>`
 * (docs/record-schema.md#canonical-ids-and-aliases).
 */
export function canonicalId(keys: IdentityKeys): string {
  if (keys.arxivId) return `arxiv:${keys.arxivId}`;
  if (keys.doi) return `doi:${keys.doi}`;
  return `title:${keys.fingerprint}`;
}

/** Every key a paper can be looked up by (for the alias table). */
export function aliasKeys(keys: IdentityKeys): string[] {
  return [
    ...(keys.arxivId ? [`arxiv:${keys.arxivId}`] : []),
    ...(keys.doi ? [`doi:${keys.doi}`] : []),
    `title:${keys.fingerprint}`,
  ];
}

type Field = keyof PaperCandidate;
const ARXIV_FIRST: SourceId[] = ['arxiv', 'hf'];
const HF_FIRST: SourceId[] = ['hf', 'arxiv'];

/**
 * Optional fields taken as they are from the first source (in this precedence order) that has
 * them; the merge copies each of these and nothing else by this rule.
 */
const COPIED_PRECEDENCE = {
  versions: ARXIV_FIRST,
  license: ARXIV_FIRST,
  journalRef: ARXIV_FIRST,
  comments: ARXIV_FIRST,
  githubRepo: HF_FIRST,
  githubStars: HF_FIRST,
  organization: HF_FIRST,
  aiSummary: HF_FIRST,
  linkedModelCount: HF_FIRST,
  linkedDatasetCount: HF_FIRST,
  linkedSpaceCount: HF_FIRST,
} as const satisfies Partial<Record<Field, SourceId[]>>;
type CopiedField = keyof typeof COPIED_PRECEDENCE;
const COPIED_FIELDS = Object.keys(COPIED_PRECEDENCE) as CopiedField[];

/** Which source wins each field when sources disagree (docs/record-schema.md#merging). */
const PRECEDENCE: Partial<Record<Field, SourceId[]>> = {
  title: ARXIV_FIRST,
  abstract: ARXIV_FIRST,
  authors: ARXIV_FIRST,
  authorCount: ARXIV_FIRST,
  categories: ARXIV_FIRST,
  doi: ARXIV_FIRST,
  arxivVersion: ARXIV_FIRST,
  publishedAt: ARXIV_FIRST,
  upvotes: HF_FIRST,
  keywords: HF_FIRST,
  codeUrls: HF_FIRST,
  ...COPIED_PRECEDENCE,
};

const present = (v: unknown): boolean =>
  v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

function pick<F extends Field>(
  bySource: Map<SourceId, SourcePartial>,
  field: F,
): PaperCandidate[F] | undefined {
  const order = PRECEDENCE[field] ?? ARXIV_FIRST;
  for (const s of order) {
    const v = bySource.get(s)?.[field];
    if (present(v)) return v;
  }
  return undefined;
}

/**
 * Two views of one paper from the same source (e.g. an arXiv listing and the export API) combined:
 * the newer fetch wins each field it has; fields it lacks (a listing has no version, an empty
 * author list means "unavailable") are kept from the older view.
 */
export function combineSameSource(a: SourcePartial | null | undefined, b: SourcePartial): SourcePartial {
  if (!a) return b;
  const [older, newer] = a.fetchedAt <= b.fetchedAt ? [a, b] : [b, a];
  const out: Record<string, unknown> = { ...older };
  for (const [k, v] of Object.entries(newer)) {
    if (k === 'authorCount' && newer.authors.length === 0 && older.authors.length > 0) continue;
    if (present(v)) out[k] = v;
  }
  if (older.links || newer.links) out.links = { ...older.links, ...newer.links };
  return out as SourcePartial;
}

/** Keeps, per source, the newest fetch. */

export function newestPerSource(partials: SourcePartial[]): Map<SourceId, SourcePartial> {
  const out = new Map<SourceId, SourcePartial>();
  for (const p of partials) {
    const cur = out.get(p.source);
    if (!cur || p.fetchedAt >= cur.fetchedAt) out.set(p.source, p);
  }
  return out;
}

/** The fields whose change is a change of the paper (timestamps and provenance excluded). */
export type PaperContent = Omit<
  PaperRecord,
  'id' | 'sources' | 'firstSeenAt' | 'updatedAt' | 'contentHash' | 'parserVersion'
>;

function copyPicked(content: PaperContent, bySource: Map<SourceId, SourcePartial>, field: CopiedField): void {
  const v = pick(bySource, field);
  // Candidates and records type these fields alike (ExtraFieldsSchema in contracts).
  if (v !== undefined) (content as Partial<Record<CopiedField, unknown>>)[field] = v;
}

/** Merges what each source says into one paper's content, by field precedence. */
export function mergeContent(partials: SourcePartial[]): PaperContent {
  const bySource = newestPerSource(partials);
  const all = [...bySource.values()];
  const keys = identityKeys({
    arxivId: all.find((p) => p.arxivId)?.arxivId,
    doi: pick(bySource, 'doi'),
    title: pick(bySource, 'title') ?? all[0]!.title,
  });
  const links: Links = {};
  const abs = bySource.get('arxiv')?.links?.abs ?? bySource.get('hf')?.links?.abs;
  const pdf = bySource.get('arxiv')?.links?.pdf ?? bySource.get('hf')?.links?.pdf;
  const hf = bySource.get('hf')?.links?.hf ?? bySource.get('arxiv')?.links?.hf;
  const project = bySource.get('hf')?.links?.project ?? bySource.get('arxiv')?.links?.project;
  if (abs) links.abs = abs;
  if (pdf) links.pdf = pdf;
  if (hf) links.hf = hf;
  if (project) links.project = project;
  const authors = pick(bySource, 'authors') ?? [];
  const content: PaperContent = {
    title: pick(bySource, 'title') ?? all[0]!.title,
    authors,
    authorCount: Math.max(pick(bySource, 'authorCount') ?? 0, authors.length),
    categories: pick(bySource, 'categories') ?? [],
    keywords: pick(bySource, 'keywords') ?? [],
    codeUrls: pick(bySource, 'codeUrls') ?? [],
    links,
    withdrawn: all.some((p) => p.withdrawn === true),
  };
  if (keys.arxivId) content.arxivId = keys.arxivId;
  const version = Math.max(0, ...all.map((p) => p.arxivVersion ?? 0));
  if (version > 0) content.arxivVersion = version;
  const doi = pick(bySource, 'doi');
  if (doi) content.doi = normalizeDoi(doi) ?? doi.toLowerCase();
  const abstract = pick(bySource, 'abstract');
  if (abstract) content.abstract = abstract;
  const publishedAt = pick(bySource, 'publishedAt');
  if (publishedAt) content.publishedAt = publishedAt;
  const upvotes = pick(bySource, 'upvotes');
  if (upvotes !== undefined) content.upvotes = upvotes;
  for (const field of COPIED_FIELDS) copyPicked(content, bySource, field);
  return content;
}

/**
 * Why a record is withdrawn, in words (the change feed's tombstone reason): the sources whose view
 * says so, e.g. `withdrawn on arxiv`. Undefined when it is not withdrawn. A record is withdrawn when
 * any source's view is (`mergeContent`), so that list is never empty for a withdrawn record.
 */
export function withdrawalReason(record: {
  withdrawn: boolean;
  sources: ReadonlyArray<{ source: string; record: Pick<SourcePartial, 'withdrawn'> }>;
}): string | undefined {
  if (!record.withdrawn) return undefined;
  const by = record.sources.filter((s) => s.record.withdrawn === true).map((s) => s.source);
  return `withdrawn on ${by.length > 0 ? by.join(' and ') : 'a source'}`;
}

/** JSON with object keys sorted, so equal content always hashes equal. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  let out: string;
  if (Array.isArray(v)) {
    out = '[';
    for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + (stableStringify(v[i]) ?? '');
    return `${out}]`;
  }
  const o = v as Record<string, unknown>;
  out = '{';
  // Keys in UTF-16 code unit order (what sort() does with strings); undefined values left out.
  for (const k of Object.keys(o).sort()) {
    const x = o[k];
    if (x === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${stableStringify(x)}`;
  }
  return `${out}}`;
}

export function contentHash(content: PaperContent): string {
  return createHash('sha256').update(stableStringify(content)).digest('hex');
}

/** Per-source provenance entry, with that source's own view kept (not indexed) for later merges. */
export interface StoredSourceRef extends SourceRef {
  record: SourcePartial;
}

/**
 * The key of a stored source view that names the fields it shares with its paper's record: those
 * are left out of the stored view, and {@link storedView} takes them from the record again.
 */
export const SHARED_FIELDS_KEY = '$shared';

const isPrimitive = (v: unknown): boolean => v === null || typeof v !== 'object';

/**
 * A view's value the record holds as well: the same primitive, or a list or an object (`links`,
 * `organization`) of the same primitives.
 */
function sameValue(view: unknown, record: unknown): boolean {
  if (view === record) return view !== undefined;
  if (isPrimitive(view) || isPrimitive(record)) return false;
  if (Array.isArray(view) || Array.isArray(record)) {
    if (!Array.isArray(view) || !Array.isArray(record) || view.length !== record.length) return false;
    return view.every((v, i) => isPrimitive(v) && v === record[i]);
  }
  const [a, b] = [view as Record<string, unknown>, record as Record<string, unknown>];
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => isPrimitive(a[k]) && a[k] === b[k]);
}

/** One source's view as stored: without the fields whose values are the record's own. */
function compactView(view: SourcePartial, record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const shared: string[] = [];
  for (const [k, v] of Object.entries(view)) {
    if (sameValue(v, record[k])) shared.push(k);
    else out[k] = v;
  }
  if (shared.length > 0) out[SHARED_FIELDS_KEY] = shared;
  return out;
}

/**
 * A paper's document as the index stores it, serialized. Each source's view (`sources[].record`,
 * kept for later merges) leaves out the fields whose values are the record's own and names them
 * under {@link SHARED_FIELDS_KEY}: otherwise a one-source paper's title, abstract and authors are
 * stored twice; the synthetic pages' documents shrink from 4.0 to 2.4 KB
 * (bench/src/experiments/source-view-size.ts).
 */
export function storedDocument<R extends { sources: StoredSourceRef[] }>(record: R): string {
  const top = record as unknown as Record<string, unknown>;
  return flattened(
    JSON.stringify({
      ...record,
      sources: record.sources.map((s) => ({ ...s, record: compactView(s.record, top) })),
    }),
  );
}

/**
 * `s` in one piece. V8 returns a long `JSON.stringify` result as a rope of the pieces it wrote
 * (a cons string), and the first write of it into a buffer flattens it into a copy. A document is
 * kept from its merge until its bulk request was answered: kept as a rope, its pieces outlive
 * scavenges and the copy made at the write is promoted too. Reading a character flattens it in
 * place now, while the pieces are young, so only the flat string lives on (the pnpm bench --gc
 * figures in bench/README.md).
 */
function flattened(s: string): string {
  s.charCodeAt(0);
  return s;
}

/**
 * A source's view as {@link storedDocument} stored it, made whole again from its paper's document
 * `doc`. A view stored whole (before views shared fields) comes back as it is.
 */
export function storedView(doc: Record<string, unknown>, stored: Record<string, unknown>): SourcePartial {
  const { [SHARED_FIELDS_KEY]: shared, ...own } = stored;
  if (!Array.isArray(shared)) return own as unknown as SourcePartial;
  const view: Record<string, unknown> = {};
  for (const k of shared as string[]) view[k] = doc[k];
  return { ...view, ...own } as unknown as SourcePartial;
}

/** The full document for the index. */
export function buildRecord(
  id: string,
  partials: SourcePartial[],
  times: { firstSeenAt: string; updatedAt: string },
): PaperRecord & { sources: StoredSourceRef[]; titleFingerprint: string } {
  const bySource = newestPerSource(partials);
  const content = mergeContent([...bySource.values()]);
  const sources: StoredSourceRef[] = [...bySource.values()]
    .sort((a, b) => (a.source < b.source ? -1 : 1))
    .map((p) => ({
      source: p.source,
      url: p.url,
      fetchedAt: p.fetchedAt,
      parserVersion: p.parserVersion,
      record: p,
    }));
  return {
    id,
    ...content,
    sources,
    firstSeenAt: times.firstSeenAt,
    updatedAt: times.updatedAt,
    contentHash: contentHash(content),
    parserVersion: [...new Set(sources.map((s) => s.parserVersion))].sort().join('+'),
    titleFingerprint: titleFingerprint(content.title),
  };
}
