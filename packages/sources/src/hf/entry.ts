import { ParseError, type Links, type Organization, type PaperCandidate } from '@paperline/contracts';
import { normalizeArxivId } from '@paperline/identity';
import { canonicalRepoUrl, extractCodeUrls, mergeCodeUrls } from '../code-urls.js';
import { arr, isObject, obj, str, type JsonObject } from '../json.js';
import { httpUrl } from '../base-url.js';
import { trimBase } from '../route.js';
import { cleanText, collapseWhitespace } from '../text.js';
import type { SourceBases } from '../types.js';
import { PARSER_VERSIONS } from '../versions.js';

/** Where a candidate came from: the page and its fetch. */
export interface EntryContext {
  /** `input.finalUrl`: the page the data was read from. */
  url: string;
  fetchedAt: string;
  bases: SourceBases;
}

/** An HF paper and, when it came wrapped in a listing `Entry`, the entry around it. */
export interface PaperSource {
  paper: JsonObject;
  entry?: JsonObject;
  /** Where in the page it was, for error messages: `dailyPapers[3]`. */
  where: string;
}

/**
 * Splits a listing item into paper and entry. Listing items are `Entry` objects (`{paper, title,
 * summary, …}`); some search results are flat paper objects. Throws ParseError when the item has
 * no paper with an id.
 */
export function paperSource(item: unknown, where: string, url: string): PaperSource {
  if (!isObject(item)) throw new ParseError(url, `${where} is not an object`, { source: 'hf' });
  const paper = obj(item, 'paper');
  if (paper) return { paper, entry: item, where };
  if (str(item, 'id') !== undefined) return { paper: item, where };
  throw new ParseError(url, `${where} has no paper object`, { source: 'hf' });
}

/** The first value that is non-empty after cleaning. */
function firstClean(...raws: (string | undefined)[]): string | undefined {
  for (const raw of raws) {
    if (raw === undefined) continue;
    const clean = cleanText(raw);
    if (clean !== '') return clean;
  }
  return undefined;
}

/** Author names in order, hidden authors included; empty names skipped. */
function authorNames(paper: JsonObject): string[] {
  const names: string[] = [];
  for (const a of arr(paper, 'authors') ?? []) {
    const raw = isObject(a) ? str(a, 'name') : typeof a === 'string' ? a : undefined;
    const name = raw === undefined ? '' : cleanText(raw);
    if (name !== '') names.push(name);
  }
  return names;
}

/** An ISO 8601 date-time (`toISOString`), or undefined when the value is not a usable date. */
export function isoDate(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const d = new Date(raw.trim());
  if (Number.isNaN(d.getTime())) return undefined;
  const iso = d.toISOString();
  return /^\d{4}-/.test(iso) ? iso : undefined; // years outside 0000–9999 are not ISO 8601 basic
}

/** Keywords trimmed, empties dropped, deduplicated case-insensitively (first spelling kept). */
function keywords(paper: JsonObject): string[] | undefined {
  const raw = arr(paper, 'ai_keywords');
  if (!raw) return undefined;
  const out: string[] = [];
  const seen = new Set<string>();
  for (const k of raw) {
    if (typeof k !== 'string') continue;
    const kw = collapseWhitespace(k);
    if (kw !== '' && !seen.has(kw.toLowerCase())) {
      seen.add(kw.toLowerCase());
      out.push(kw);
    }
  }
  return out;
}

function nonNegativeInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

/**
 * The organization a paper is filed under (`{_id, name, fullname, avatar}`), on the paper or on
 * the entry around it; undefined when absent, null or without a name.
 */
function organization(paper: JsonObject, entry: JsonObject | undefined): Organization | undefined {
  const org = obj(paper, 'organization') ?? (entry && obj(entry, 'organization'));
  const name = org && str(org, 'name')?.trim();
  if (!org || !name) return undefined;
  const fullname = collapseWhitespace(str(org, 'fullname') ?? '');
  return fullname === '' ? { name } : { name, fullname };
}

/**
 * How many repositories of a kind link the paper (`/api/papers/{id}`): `numTotalModels`, else the
 * length of `linkedModels` (which may be cut short); undefined when the shape gives neither.
 */
function linkedCount(paper: JsonObject, kind: 'Models' | 'Datasets' | 'Spaces'): number | undefined {
  return nonNegativeInt(paper[`numTotal${kind}`]) ?? arr(paper, `linked${kind}`)?.length;
}

/**
 * HF's own fields about a paper: its repository (canonical) with stars, organization, AI summary
 * and linked-repository counts. Each is left out when absent, null or malformed.
 */
function hfExtras(
  paper: JsonObject,
  entry: JsonObject | undefined,
  repoUrl: string | null,
): Partial<PaperCandidate> {
  const stars = repoUrl === null ? undefined : nonNegativeInt(paper['githubStars']);
  const org = organization(paper, entry);
  const aiSummary = firstClean(str(paper, 'ai_summary'));
  const models = linkedCount(paper, 'Models');
  const datasets = linkedCount(paper, 'Datasets');
  const spaces = linkedCount(paper, 'Spaces');
  return {
    ...(repoUrl === null ? {} : { githubRepo: repoUrl }),
    ...(stars === undefined ? {} : { githubStars: stars }),
    ...(org === undefined ? {} : { organization: org }),
    ...(aiSummary === undefined ? {} : { aiSummary }),
    ...(models === undefined ? {} : { linkedModelCount: models }),
    ...(datasets === undefined ? {} : { linkedDatasetCount: datasets }),
    ...(spaces === undefined ? {} : { linkedSpaceCount: spaces }),
  };
}

/**
 * Maps one HF paper (from a listing `Entry`, a paper page or the JSON API) to a candidate record.
 * Follows docs/sources.md#hugging-face-listing-pages: every field but `paper.id` and a title may be
 * absent or null. The result is not validated here; {@link validateCandidates} does that for the
 * whole page.
 */
export function entryToCandidate(src: PaperSource, ctx: EntryContext): PaperCandidate {
  const { paper, entry } = src;
  const id = str(paper, 'id')?.trim();
  if (!id) throw new ParseError(ctx.url, `${src.where} has no paper id`, { source: 'hf' });
  const arxivId = normalizeArxivId(id) ?? undefined;
  const title = firstClean(str(paper, 'title'), entry && str(entry, 'title'));
  const rawSummary = str(paper, 'summary') ?? (entry && str(entry, 'summary'));
  const abstract = firstClean(str(paper, 'summary'), entry && str(entry, 'summary'));
  const authors = authorNames(paper);
  const publishedAt = isoDate(paper['publishedAt']);
  const upvotes = nonNegativeInt(paper['upvotes']);
  const kws = keywords(paper);
  const repo = str(paper, 'githubRepo');
  const repoUrl = repo === undefined ? null : canonicalRepoUrl(repo);
  const codeUrls = mergeCodeUrls(repoUrl ? [repoUrl] : [], rawSummary ? extractCodeUrls(rawSummary) : []);
  const project = httpUrl(str(paper, 'projectPage'));
  const withdrawnAt = paper['withdrawnAt'];

  const hfBase = trimBase(ctx.bases.hfBaseUrl);
  const arxivBase = trimBase(ctx.bases.arxivBaseUrl);
  const links: Links = { hf: `${hfBase}/papers/${encodeURIComponent(id)}` };
  if (arxivId !== undefined) {
    links.abs = `${arxivBase}/abs/${arxivId}`;
    links.pdf = `${arxivBase}/pdf/${arxivId}`;
  }
  if (project !== undefined) links.project = project;

  return {
    source: 'hf',
    url: ctx.url,
    fetchedAt: ctx.fetchedAt,
    parserVersion: PARSER_VERSIONS.hf,
    ...(arxivId === undefined ? {} : { arxivId }),
    title: title ?? '',
    ...(abstract === undefined ? {} : { abstract }),
    authors,
    authorCount: authors.length,
    ...(publishedAt === undefined ? {} : { publishedAt }),
    ...(kws === undefined ? {} : { keywords: kws }),
    ...(upvotes === undefined ? {} : { upvotes }),
    codeUrls,
    links,
    withdrawn:
      withdrawnAt !== undefined && withdrawnAt !== null && withdrawnAt !== '' && withdrawnAt !== false,
    ...hfExtras(paper, entry, repoUrl),
  };
}
