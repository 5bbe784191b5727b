import { ParseError } from '@paperline/contracts';
import { isObject, parseJson, str } from '../json.js';
import type { RouteDetail } from '../route.js';
import type { PageInput, ParsedPage, SourceBases } from '../types.js';
import { validateCandidates } from '../validate.js';
import { entryToCandidate } from './entry.js';
import { entriesToCandidates, listedPage } from './listing.js';

function readJson(input: PageInput): unknown {
  const parsed = parseJson(input.utf8 ?? input.body);
  if (!parsed.ok)
    throw new ParseError(input.finalUrl, `response is not valid JSON (${parsed.error})`, { source: 'hf' });
  return parsed.value;
}

/** What an API error body says, for the message (`{"error": "…"}`). */
function apiError(value: unknown): string {
  const message = isObject(value) ? str(value, 'error') : undefined;
  return message === undefined ? '' : `: ${message.slice(0, 200)}`;
}

/** A JSON array of `Entry` (or flat paper) objects, each made a candidate. */
function parseEntryArray(input: PageInput, final: RouteDetail, bases: SourceBases, what: string): ParsedPage {
  const url = input.finalUrl;
  const value = readJson(input);
  if (!Array.isArray(value))
    throw new ParseError(url, `expected a JSON array of ${what}${apiError(value)}`, { source: 'hf' });
  const located = entriesToCandidates(value, what, { url, fetchedAt: input.fetchedAt, bases });
  return listedPage(final.route, url, located, bases);
}

/**
 * `GET /api/daily_papers`: an array of `Entry` (docs/sources.md#hugging-face-json-api). `[]` past
 * the end is valid.
 */
export function parseApiDaily(input: PageInput, final: RouteDetail, bases: SourceBases): ParsedPage {
  return parseEntryArray(input, final, bases, 'entries');
}

/**
 * `GET /api/papers/search?q=…`: an array of results shaped like `Entry` (`{paper: {…}, title,
 * summary, publishedAt, …}`); flat paper objects are read too. `[]` (no match) is valid.
 */
export function parseApiSearch(input: PageInput, final: RouteDetail, bases: SourceBases): ParsedPage {
  return parseEntryArray(input, final, bases, 'results');
}

/** `GET /api/papers/{id}`: one flat paper object. */
export function parseApiPaper(input: PageInput, final: RouteDetail, bases: SourceBases): ParsedPage {
  const url = input.finalUrl;
  const value = readJson(input);
  if (!isObject(value) || str(value, 'id') === undefined) {
    throw new ParseError(url, `expected a paper object with an id${apiError(value)}`, { source: 'hf' });
  }
  const where = 'paper';
  const candidate = entryToCandidate({ paper: value, where }, { url, fetchedAt: input.fetchedAt, bases });
  return { route: final.route, candidates: validateCandidates(url, 'hf', [{ candidate, where }]), links: [] };
}
