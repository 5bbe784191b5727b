import { ParseError, type PaperCandidate } from '@paperline/contracts';
import { arr, isObject, obj, str, type JsonObject } from '../json.js';
import { asPeriod, routeDetail, type RouteDetail } from '../route.js';
import type { PageInput, ParsedPage, Period, Route, SourceBases } from '../types.js';
import { validateMany, type Located } from '../validate.js';
import { readHydrationProps } from './blob.js';
import { cardCandidates } from './cards.js';
import { entryToCandidate, paperSource, type EntryContext } from './entry.js';

const PERIOD_KINDS: readonly string[] = ['day', 'week', 'month'];

/** The HF paper pages of a page's candidates that route to the paper parser, deduplicated, in order. */
export function paperLinks(candidates: readonly PaperCandidate[], bases: SourceBases): string[] {
  const links = new Set<string>();
  for (const c of candidates) {
    const hf = c.links?.hf;
    if (hf !== undefined && routeDetail(hf, bases)?.route.type === 'hf-paper') links.add(hf);
  }
  return [...links];
}

/** A listing's page: its valid candidates (the invalid ones set aside) and the paper pages it links. */
export function listedPage(route: Route, url: string, located: Located[], bases: SourceBases): ParsedPage {
  const { candidates, rejected } = validateMany(url, 'hf', located);
  return {
    route,
    candidates,
    links: paperLinks(candidates, bases),
    ...(rejected.length ? { rejected } : {}),
  };
}

/** Maps a list of `Entry` items to candidates; throws ParseError on the first bad one. */
export function entriesToCandidates(items: readonly unknown[], name: string, ctx: EntryContext): Located[] {
  return items.map((item, i) => {
    const where = `${name}[${i}]`;
    return { candidate: entryToCandidate(paperSource(item, where, ctx.url), ctx), where };
  });
}

/**
 * Whether the props say the page shows a period other than the one requested (HF may render
 * another period instead of redirecting). `periodType` and `dateString` are compared only when
 * present and written in the requested kind's format.
 */
function propsShowOtherPeriod(props: JsonObject, requested: Period): boolean {
  const kind = str(props, 'periodType');
  if (kind !== undefined && PERIOD_KINDS.includes(kind) && kind !== requested.kind) return true;
  const shown = str(props, 'dateString');
  const asShown = shown === undefined ? null : asPeriod(requested.kind, shown);
  return asShown !== null && asShown.value !== requested.value;
}

/** True when the page is a search (`?q=`) page. */
function isSearch(url: URL, props: JsonObject): boolean {
  const q = url.searchParams.get('q') ?? str(obj(props, 'query') ?? {}, 'q');
  return q !== undefined && q.trim() !== '';
}

/**
 * HF listing pages (`/papers`, `/papers/date|week|month/…`, `/papers/trending`, with or without
 * `?q=`): reads the `DailyPapers` hydration blob (docs/sources.md#hugging-face-listing-pages); on
 * search pages `searchResults` when present. Without a blob, falls back to the visible cards; with
 * neither, throws ParseError.
 *
 * @param requested - the route of the requested URL, to catch pages that show another period.
 */
export function parseListing(
  input: PageInput,
  final: RouteDetail,
  requested: Route | null,
  bases: SourceBases,
): ParsedPage {
  const url = input.finalUrl;
  const ctx: EntryContext = { url, fetchedAt: input.fetchedAt, bases };
  const blob = readHydrationProps(input, 'DailyPapers');
  if (blob.status === 'broken') {
    throw new ParseError(url, `DailyPapers hydration blob is not valid JSON (${blob.error})`, {
      source: 'hf',
    });
  }
  if (blob.status === 'absent') {
    const cards = cardCandidates(input.body, ctx);
    if (cards.length === 0) throw new ParseError(url, 'no DailyPapers hydration blob', { source: 'hf' });
    return listedPage(final.route, url, cards, bases);
  }
  const props = blob.props;
  if (!isObject(props))
    throw new ParseError(url, 'DailyPapers data-props is not a JSON object', { source: 'hf' });
  if (requested?.period && propsShowOtherPeriod(props, requested.period)) {
    return { route: final.route, candidates: [], links: [], redirectedFrom: input.url };
  }
  const search = isSearch(final.url, props) ? arr(props, 'searchResults') : undefined;
  const items = search ?? arr(props, 'dailyPapers');
  if (items === undefined)
    throw new ParseError(url, 'DailyPapers data-props has no dailyPapers array', { source: 'hf' });
  const located = entriesToCandidates(items, search ? 'searchResults' : 'dailyPapers', ctx);
  return listedPage(final.route, url, located, bases);
}
