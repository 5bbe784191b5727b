/**
 * `@paperline/core/es/search`: the papers index searched and read, for the CLI and the API.
 * `SearchParamsSchema` validates a user's query (`SearchParams`); `searchPapers` answers a
 * `SearchResult`, `getPaper` one record. Both take a `PaperReader` (the Elasticsearch client, or
 * `createPaperReader` from `@paperline/core/es/reader`), so this module loads no client.
 */
import { z } from 'zod';
import { arxivIdFromDoi, normalizeArxivId, normalizeDoi } from '@paperline/identity';
import type { PaperReader } from './reader.js';

/** User search parameters; validated, capped, and never passed through as query DSL. */
export const SearchParamsSchema = z.object({
  q: z.string().max(500, 'q is longer than 500 characters').default(''),
  from: z.iso.date({ message: 'from must be a date YYYY-MM-DD' }).optional(),
  to: z.iso.date({ message: 'to must be a date YYYY-MM-DD' }).optional(),
  category: z.string().max(64).optional(),
  source: z.enum(['hf', 'arxiv']).optional(),
  sort: z.enum(['relevance', 'date', 'upvotes']).default('relevance'),
  size: z.coerce.number().int().min(1).max(100, 'size is at most 100').default(10),
  page: z.coerce.number().int().min(1).max(100, 'page is at most 100').default(1),
});
export type SearchParams = z.infer<typeof SearchParamsSchema>;

interface SearchHit {
  id: string;
  score: number | null;
  record: Record<string, unknown>;
  highlight?: Record<string, string[]>;
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
  facets: Record<string, Array<{ key: string; count: number }>>;
}

/** The one query builder for the CLI and the HTTP API. */
function buildSearchRequest(alias: string, p: SearchParams) {
  const filter: object[] = [];
  if (p.from || p.to) {
    filter.push({
      range: { publishedAt: { ...(p.from ? { gte: p.from } : {}), ...(p.to ? { lte: p.to } : {}) } },
    });
  }
  if (p.category) filter.push({ term: { categories: p.category } });
  if (p.source) filter.push({ nested: { path: 'sources', query: { term: { 'sources.source': p.source } } } });
  const must = p.q.trim()
    ? [
        {
          multi_match: {
            query: p.q,
            fields: ['title^3', 'abstract', 'authors^2'],
            type: 'best_fields' as const,
          },
        },
      ]
    : [{ match_all: {} }];
  const sort =
    p.sort === 'date'
      ? [{ publishedAt: { order: 'desc' as const, missing: '_last' as const } }, '_score']
      : p.sort === 'upvotes'
        ? [{ upvotes: { order: 'desc' as const, missing: '_last' as const } }, '_score']
        : ['_score', { publishedAt: { order: 'desc' as const, missing: '_last' as const } }];
  return {
    index: alias,
    from: (p.page - 1) * p.size,
    size: p.size,
    track_total_hits: true,
    query: { bool: { must, filter } },
    sort,
    _source: { excludes: ['sources.record', 'titleFingerprint'] },
    highlight: {
      fields: { title: { number_of_fragments: 0 }, abstract: { fragment_size: 160, number_of_fragments: 2 } },
    },
    aggs: {
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
    },
  };
}

type Buckets = { buckets: Array<{ key: string | number; key_as_string?: string; doc_count: number }> };

export async function searchPapers(es: PaperReader, alias: string, p: SearchParams): Promise<SearchResult> {
  const res = await es.search(buildSearchRequest(alias, p));
  const aggs = (res.aggregations ?? {}) as Record<string, unknown>;
  const facet = (b: Buckets | undefined) =>
    (b?.buckets ?? []).map((x) => ({ key: x.key_as_string ?? String(x.key), count: x.doc_count }));
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  return {
    total,
    hits: res.hits.hits.map((h) => ({
      id: h._id!,
      score: h._score ?? null,
      record: h._source ?? {},
      ...(h.highlight ? { highlight: h.highlight } : {}),
    })),
    facets: {
      categories: facet(aggs.categories as Buckets),
      year: facet(aggs.year as Buckets),
      source: facet((aggs.source as { names?: Buckets } | undefined)?.names),
    },
  };
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
  const ids = candidateIds(input);
  for (const id of ids) {
    const res = await es.mget({
      index: alias,
      ids: [id],
      _source_excludes: ['sources.record', 'titleFingerprint'],
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
    _source: { excludes: ['sources.record', 'titleFingerprint'] },
  });
  return res.hits.hits[0]?._source ?? null;
}
