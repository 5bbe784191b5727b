/**
 * `@paperline/core/es/search`: the papers index searched and read, for the CLI and the API.
 * `SearchParamsSchema` validates a user's query (`SearchParams`); `searchPapers` answers a
 * `SearchResult` in one of the `SEARCH_MODES` (keyword, semantic: kNN over the papers' vectors,
 * hybrid: both fused by `reciprocalRankFusion`), `getPaper` one record, `currentPapers` many by
 * canonical id with their versions, and `findSimilar`
 * (`SimilarRequestSchema`) the papers nearest a text or to given papers. They take a `PaperReader`
 * (the Elasticsearch client, or `createPaperReader` from `@paperline/core/es/reader`) and, for
 * vectors, a `QueryEmbedder`, so this module loads neither a client nor the model. Bad input is a
 * `SearchInputError` (`SEARCH_INVALID`, naming the parameter); an unknown paper a
 * `PaperNotFoundError`, a paper not embedded yet a `VectorMissingError`. `keywordQuery` is the
 * keyword query itself (for selecting papers elsewhere, e.g. an export), `HIDDEN_FIELDS` what no
 * read returns.
 */
import { z } from 'zod';
import { PermanentError } from '@paperline/contracts';
import { arxivIdFromDoi, normalizeArxivId, normalizeDoi } from '@paperline/identity';
import type { PaperReader } from './reader.js';
import { reciprocalRankFusion, RRF_K } from './rrf.js';

export { reciprocalRankFusion, RRF_K };

/**
 * How results are ranked: `keyword` (BM25 over title, abstract, authors), `semantic` (the papers
 * whose vectors are nearest the query's), `hybrid` (both lists fused by reciprocal rank fusion).
 */
export const SEARCH_MODES = ['keyword', 'semantic', 'hybrid'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

/** Turns a text into its unit-length query vector (the embedder of the process that searches). */
export type QueryEmbedder = (text: string) => Promise<Float32Array>;

/** How deep semantic and hybrid results go (page × size): each list is fetched this deep at most. */
export const VECTOR_WINDOW_MAX = 1000;
/**
 * How deep each list is fetched at least in semantic and hybrid modes. Fusion needs depth: a paper
 * ranked first by meaning and tenth by keyword must be seen in both lists to beat one that only a
 * single list ranks first.
 */
export const RANK_WINDOW_MIN = 100;
/**
 * What the keyword list of a hybrid search asks of a paper: every word of a query of up to three,
 * 60% of a longer one. A paper that shares two common words with a twelve-word question is noise
 * that would tie with the nearest paper by meaning; left out, the kNN list decides. (On the
 * paraphrased questions of test/integration/relevance.test.ts, any word: 0.73 first hits; 50%:
 * 0.83; 60%: 0.90; semantic alone 0.87.) Keyword mode itself still lists every paper with any word.
 */
export const HYBRID_MIN_MATCH = '3<60%';
/** Longest text `findSimilar` embeds (the model reads its first 256 tokens anyway). */
export const SIMILAR_TEXT_MAX = 20_000;
/** Most papers `findSimilar` takes as examples. */
export const SIMILAR_IDS_MAX = 20;

/** A search or similar request the user got wrong; `context.param` names the parameter. */
export class SearchInputError extends PermanentError {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super('SEARCH_INVALID', `${param}: ${message}`, { context: { param } });
  }
}

/** No paper is known under an id the user gave. */
export class PaperNotFoundError extends PermanentError {
  constructor(readonly input: string) {
    super('PAPER_NOT_FOUND', `no paper ${input}`, { context: { paperId: input } });
  }
}

/** A paper the user gave has no vector yet (indexed, not embedded: the embed stage is behind or off). */
export class VectorMissingError extends PermanentError {
  constructor(readonly id: string) {
    super('VECTOR_MISSING', `paper ${id} has no vector yet (the embed stage has not reached it, or is off)`, {
      context: { paperId: id },
    });
  }
}

/** Where a paper's sentence embedding is stored. */
export const VECTOR_FIELD = 'embedding.vector';
/**
 * What no search or read returns: each source's stored view, the fingerprint, the vector. What is
 * left is a paper as the API returns it.
 */
export const HIDDEN_FIELDS = ['sources.record', 'titleFingerprint', VECTOR_FIELD];

/** The longest query text a keyword search (or an export's `--query`) takes. */
export const QUERY_MAX_LENGTH = 500;

/** User search parameters; validated, capped, and never passed through as query DSL. */
export const SearchParamsSchema = z.object({
  q: z.string().max(QUERY_MAX_LENGTH, `q is longer than ${QUERY_MAX_LENGTH} characters`).default(''),
  from: z.iso.date({ message: 'from must be a date YYYY-MM-DD' }).optional(),
  to: z.iso.date({ message: 'to must be a date YYYY-MM-DD' }).optional(),
  category: z.string().max(64).optional(),
  source: z.enum(['hf', 'arxiv']).optional(),
  sort: z.enum(['relevance', 'date', 'upvotes']).default('relevance'),
  size: z.coerce.number().int().min(1).max(100, 'size is at most 100').default(10),
  page: z.coerce.number().int().min(1).max(100, 'page is at most 100').default(1),
  /** Unset: `hybrid` for a query ranked by relevance when vectors can be searched, else `keyword`. */
  mode: z.enum(SEARCH_MODES, { message: `mode must be one of ${SEARCH_MODES.join(', ')}` }).optional(),
});
export type SearchParams = z.infer<typeof SearchParamsSchema>;

export interface SearchHit {
  id: string;
  score: number | null;
  record: Record<string, unknown>;
  highlight?: Record<string, string[]>;
}

export interface SearchResult {
  /** The mode the results were ranked in. */
  mode: SearchMode;
  /**
   * Papers that match (keyword); in semantic and hybrid modes, papers in the ranked list, which
   * goes page × size deep.
   */
  total: number;
  hits: SearchHit[];
  facets: Record<string, Array<{ key: string; count: number }>>;
}

/** What the keyword query reads of the search parameters: the text and the filters. */
export type KeywordQueryParams = Pick<SearchParams, 'q'> &
  Partial<Pick<SearchParams, 'from' | 'to' | 'category' | 'source'>>;

/** The filters of a search (dates, category, source): the same for every mode. */
function searchFilters(p: KeywordQueryParams): object[] {
  const filter: object[] = [];
  if (p.from || p.to) {
    filter.push({
      range: { publishedAt: { ...(p.from ? { gte: p.from } : {}), ...(p.to ? { lte: p.to } : {}) } },
    });
  }
  if (p.category) filter.push({ term: { categories: p.category } });
  if (p.source) filter.push({ nested: { path: 'sources', query: { term: { 'sources.source': p.source } } } });
  return filter;
}

/** The facets every mode answers: categories, years, sources of the papers it ranked. */
const FACET_AGGS = {
  categories: { terms: { field: 'categories', size: 20 } },
  year: {
    date_histogram: {
      field: 'publishedAt',
      calendar_interval: 'year' as const,
      format: 'yyyy',
      min_doc_count: 1,
    },
  },
  source: {
    nested: { path: 'sources' },
    aggs: { names: { terms: { field: 'sources.source', size: 10 } } },
  },
};

/**
 * The keyword query: BM25 over title (×3), abstract and authors (×2), every paper when `q` is
 * blank, within the search filters and any `extraFilter` (clauses of a bool filter). With
 * `mostWords`, a paper must match most of the query's words ({@link HYBRID_MIN_MATCH}). Search
 * and export both select papers with it.
 */
export function keywordQuery(
  p: KeywordQueryParams,
  opts: { mostWords?: boolean; extraFilter?: object[] } = {},
): { bool: { must: object[]; filter: object[] } } {
  const filter = [...searchFilters(p), ...(opts.extraFilter ?? [])];
  const must = p.q.trim()
    ? [
        {
          multi_match: {
            query: p.q,
            fields: ['title^3', 'abstract', 'authors^2'],
            type: 'best_fields' as const,
            ...(opts.mostWords ? { minimum_should_match: HYBRID_MIN_MATCH } : {}),
          },
        },
      ]
    : [{ match_all: {} }];
  return { bool: { must, filter } };
}

/** The keyword search request for the CLI and the HTTP API: results `from`, `size` of them. */
function keywordRequest(
  alias: string,
  p: SearchParams,
  from: number,
  size: number,
  opts: { mostWords?: boolean } = {},
) {
  const sort =
    p.sort === 'date'
      ? [{ publishedAt: { order: 'desc' as const, missing: '_last' as const } }, '_score']
      : p.sort === 'upvotes'
        ? [{ upvotes: { order: 'desc' as const, missing: '_last' as const } }, '_score']
        : ['_score', { publishedAt: { order: 'desc' as const, missing: '_last' as const } }];
  return {
    index: alias,
    from,
    size,
    track_total_hits: true,
    query: keywordQuery(p, opts),
    sort,
    _source: { excludes: HIDDEN_FIELDS },
    highlight: {
      fields: { title: { number_of_fragments: 0 }, abstract: { fragment_size: 160, number_of_fragments: 2 } },
    },
    aggs: FACET_AGGS,
  };
}

/**
 * The `k` papers whose vectors are nearest `vector` (HNSW, cosine), among those the filters let
 * through and not in `exclude`.
 */
function knnRequest(
  alias: string,
  vector: Float32Array,
  k: number,
  opts: { filter?: object[]; exclude?: string[]; aggs?: boolean } = {},
) {
  const filter = [...(opts.filter ?? [])];
  const mustNot = opts.exclude?.length ? [{ ids: { values: opts.exclude } }] : [];
  return {
    index: alias,
    size: k,
    knn: {
      field: VECTOR_FIELD,
      query_vector: Array.from(vector),
      k,
      num_candidates: Math.min(10_000, Math.max(100, 2 * k)),
      ...(filter.length || mustNot.length ? { filter: { bool: { filter, must_not: mustNot } } } : {}),
    },
    _source: { excludes: HIDDEN_FIELDS },
    ...(opts.aggs ? { aggs: FACET_AGGS } : {}),
  };
}

type Buckets = { buckets: Array<{ key: string | number; key_as_string?: string; doc_count: number }> };
type EsSearchResponse = Awaited<ReturnType<PaperReader['search']>>;
type EsHit = EsSearchResponse['hits']['hits'][number];

function facetsOf(res: EsSearchResponse): SearchResult['facets'] {
  const aggs = (res.aggregations ?? {}) as Record<string, unknown>;
  const facet = (b: Buckets | undefined) =>
    (b?.buckets ?? []).map((x) => ({ key: x.key_as_string ?? String(x.key), count: x.doc_count }));
  return {
    categories: facet(aggs.categories as Buckets),
    year: facet(aggs.year as Buckets),
    source: facet((aggs.source as { names?: Buckets } | undefined)?.names),
  };
}

const totalOf = (res: EsSearchResponse): number =>
  typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);

const hitOf = (h: EsHit, score = h._score ?? null): SearchHit => ({
  id: h._id!,
  score,
  record: h._source ?? {},
  ...(h.highlight ? { highlight: h.highlight } : {}),
});

/** Whether any paper of the index has a vector yet (one cheap query: the first match ends it). */
async function hasVectors(es: PaperReader, alias: string): Promise<boolean> {
  const res = await es.search({
    index: alias,
    size: 0,
    terminate_after: 1,
    track_total_hits: 1,
    query: { exists: { field: VECTOR_FIELD } },
  });
  return totalOf(res) > 0;
}

/**
 * The mode a search runs in: the one asked for, else `hybrid` for a query ranked by relevance when
 * the caller can embed it and the index holds vectors, else `keyword` (a listing, a sort by date or
 * upvotes, an index nothing was embedded in yet).
 */
async function resolveMode(
  es: PaperReader,
  alias: string,
  p: SearchParams,
  embed: QueryEmbedder | undefined,
): Promise<SearchMode> {
  if (p.mode === undefined) {
    const wanted = p.q.trim() && p.sort === 'relevance' && embed && p.page * p.size <= VECTOR_WINDOW_MAX;
    return wanted && (await hasVectors(es, alias)) ? 'hybrid' : 'keyword';
  }
  if (p.mode === 'keyword') return 'keyword';
  if (!p.q.trim()) throw new SearchInputError('q', `${p.mode} search needs a query`);
  if (p.sort !== 'relevance')
    throw new SearchInputError(
      'sort',
      `${p.mode} results are ranked by relevance; sort by ${p.sort} in keyword mode`,
    );
  if (p.page * p.size > VECTOR_WINDOW_MAX)
    throw new SearchInputError('page', `${p.mode} results go ${VECTOR_WINDOW_MAX} deep (page × size)`);
  if (!embed)
    throw new SearchInputError('mode', `${p.mode} search is not available here (no embedding model)`);
  return p.mode;
}

/**
 * Searches the papers. Keyword mode is one query; semantic mode one kNN search; hybrid mode runs
 * both, each page × size deep (at least {@link RANK_WINDOW_MIN}), and fuses them with reciprocal rank fusion (k = 60) here, as this
 * distribution has no RRF of its own. Facets come from the kNN list in semantic mode and from the
 * keyword matches otherwise. A paper without a vector yet is found by keyword only.
 */
export async function searchPapers(
  es: PaperReader,
  alias: string,
  p: SearchParams,
  embed?: QueryEmbedder,
): Promise<SearchResult> {
  const mode = await resolveMode(es, alias, p, embed);
  const from = (p.page - 1) * p.size;
  if (mode === 'keyword') {
    const res = await es.search(keywordRequest(alias, p, from, p.size));
    return { mode, total: totalOf(res), hits: res.hits.hits.map((h) => hitOf(h)), facets: facetsOf(res) };
  }
  const window = Math.max(p.page * p.size, RANK_WINDOW_MIN);
  const vector = await embed!(p.q);
  if (mode === 'semantic') {
    const res = await es.search(knnRequest(alias, vector, window, { filter: searchFilters(p), aggs: true }));
    const hits = res.hits.hits.slice(from, from + p.size).map((h) => hitOf(h));
    return { mode, total: res.hits.hits.length, hits, facets: facetsOf(res) };
  }
  const [keyword, knn] = await Promise.all([
    es.search(keywordRequest(alias, p, 0, window, { mostWords: true })),
    es.search(knnRequest(alias, vector, window, { filter: searchFilters(p) })),
  ]);
  const byId = new Map<string, EsHit>();
  for (const h of [...knn.hits.hits, ...keyword.hits.hits]) byId.set(h._id!, h); // keyword hits carry highlights
  const fused = reciprocalRankFusion([
    keyword.hits.hits.map((h) => h._id!),
    knn.hits.hits.map((h) => h._id!),
  ]);
  const hits = fused.slice(from, from + p.size).map((f) => hitOf(byId.get(f.id)!, f.score));
  return { mode, total: fused.length, hits, facets: facetsOf(keyword) };
}

/** Canonical ids to try for what a user typed: a canonical id, an arXiv id (any version) or a DOI. */
function candidateIds(input: string): string[] {
  const s = input.trim();
  if (/^(arxiv|doi|title):/.test(s)) {
    const [kind, rest] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1)];
    if (kind === 'arxiv') return [`arxiv:${normalizeArxivId(rest) ?? rest}`];
    if (kind === 'doi') return [`doi:${normalizeDoi(rest) ?? rest.toLowerCase()}`];
    return [s];
  }
  const doi = normalizeDoi(s);
  if (doi) {
    const ax = arxivIdFromDoi(doi);
    return ax ? [`arxiv:${ax}`] : [`doi:${doi}`];
  }
  const ax = normalizeArxivId(s);
  return ax ? [`arxiv:${ax}`] : [];
}

/** One paper by canonical id, arXiv id (with or without version) or DOI; null when unknown. */
export async function getPaper(
  es: PaperReader,
  alias: string,
  input: string,
): Promise<Record<string, unknown> | null> {
  return findPaper(es, alias, input, HIDDEN_FIELDS);
}

/** A paper's current document, as `getPaper` returns it, with its (external) version. */
export interface CurrentPaper {
  version: number;
  record: Record<string, unknown>;
}

/**
 * The current documents of papers by canonical id, in one realtime `mget` (no refresh needed);
 * papers without a document are left out. The change feed attaches these to its upserts.
 */
export async function currentPapers(
  es: PaperReader,
  alias: string,
  ids: string[],
): Promise<Map<string, CurrentPaper>> {
  const out = new Map<string, CurrentPaper>();
  if (ids.length === 0) return out;
  const res = await es.mget({ index: alias, ids, _source_excludes: HIDDEN_FIELDS });
  for (const d of res.docs) {
    if ('found' in d && d.found && d._source) {
      out.set(d._id, { version: Number(d._version), record: d._source });
    }
  }
  return out;
}

async function findPaper(
  es: PaperReader,
  alias: string,
  input: string,
  excludes: string[],
  withVector = false,
): Promise<Record<string, unknown> | null> {
  // Elasticsearch 9 leaves vectors out of `_source` unless asked.
  const ids = candidateIds(input);
  for (const id of ids) {
    const res = await es.mget({
      index: alias,
      ids: [id],
      _source_excludes: excludes,
      ...(withVector ? { querystring: { _source_exclude_vectors: false } } : {}),
    });
    const d = res.docs[0];
    if (d && 'found' in d && d.found && d._source) return d._source;
  }
  // Known under another key (e.g. a DOI of a paper filed under its arXiv id).
  const doi = normalizeDoi(input);
  const ax = normalizeArxivId(input);
  const should = [...(doi ? [{ term: { doi } }] : []), ...(ax ? [{ term: { arxivId: ax } }] : [])];
  if (should.length === 0) return null;
  const res = await es.search({
    index: alias,
    size: 1,
    query: { bool: { should } },
    _source: { excludes, exclude_vectors: !withVector },
  });
  return res.hits.hits[0]?._source ?? null;
}

/** `POST /api/similar`, `paperline similar`: a text, or papers given by id (one of the two). */
export const SimilarRequestSchema = z
  .object({
    text: z
      .string({ message: 'text must be a string' })
      .max(SIMILAR_TEXT_MAX, `text is longer than ${SIMILAR_TEXT_MAX} characters`)
      .refine((t) => t.trim().length > 0, 'text is empty')
      .optional(),
    ids: z
      .array(z.string().trim().min(1, 'ids has an empty id').max(300), {
        message: 'ids must be a list of ids',
      })
      .min(1, 'ids is empty')
      .max(SIMILAR_IDS_MAX, `ids has more than ${SIMILAR_IDS_MAX} papers`)
      .optional(),
    size: z.coerce.number().int().min(1).max(100, 'size is at most 100').default(10),
  })
  .refine((r) => (r.text === undefined) !== (r.ids === undefined), {
    message: 'give either text or ids',
    path: ['text'],
  });
export type SimilarRequest = z.infer<typeof SimilarRequestSchema>;

/** A given paper's canonical id and vector; a `PaperNotFoundError` or `VectorMissingError` otherwise. */
async function paperVector(
  es: PaperReader,
  alias: string,
  input: string,
): Promise<{ id: string; vector: Float32Array }> {
  const doc = await findPaper(es, alias, input, ['sources.record', 'titleFingerprint'], true);
  if (!doc) throw new PaperNotFoundError(input);
  const id = String(doc.id);
  const vector = (doc.embedding as { vector?: number[] } | undefined)?.vector;
  if (!vector) throw new VectorMissingError(id);
  return { id, vector: Float32Array.from(vector) };
}

/** The mean of unit vectors, back at unit length: the direction "papers like these" share. */
function centroid(vectors: Float32Array[]): Float32Array {
  const sum = new Float32Array(vectors[0]!.length);
  for (const v of vectors) v.forEach((x, i) => (sum[i]! += x));
  const norm = Math.hypot(...sum) || 1;
  return sum.map((x) => x / norm);
}

/**
 * The papers nearest a text (embedded like a paper's title and abstract) or to the given papers
 * (their vectors' mean; the given papers themselves are left out), best first.
 */
export async function findSimilar(
  es: PaperReader,
  alias: string,
  req: SimilarRequest,
  embed: QueryEmbedder,
): Promise<SearchHit[]> {
  let vector: Float32Array;
  let exclude: string[] = [];
  if (req.text !== undefined) vector = await embed(req.text);
  else {
    const given = [];
    for (const input of req.ids!) given.push(await paperVector(es, alias, input));
    vector = centroid(given.map((g) => g.vector));
    exclude = given.map((g) => g.id);
  }
  const res = await es.search(knnRequest(alias, vector, req.size, { exclude }));
  return res.hits.hits.map((h) => hitOf(h));
}
