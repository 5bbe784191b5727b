import { PermanentError } from '@paperline/contracts';
import { parseAbsPage } from './arxiv/abs.js';
import { parseApiFeed } from './arxiv/api.js';
import { parseListingPage } from './arxiv/listing.js';
import { parseOaiPage } from './arxiv/oai.js';
import { parseApiDaily, parseApiPaper, parseApiSearch } from './hf/api.js';
import { parseListing } from './hf/listing.js';
import { parsePaperPage } from './hf/paper.js';
import { withFinalUrl } from './page-input.js';
import { routeDetail, samePeriod } from './route.js';
import type { PageInput, ParsedPage, Route, RouteDetail, SourceBases } from './types.js';

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Dated HTML listings: the pages HF redirects away from when the period is empty or invalid. */
function isDatedListing(route: Route | null): route is Route & { period: NonNullable<Route['period']> } {
  return (
    route?.period !== undefined &&
    (route.type === 'hf-daily' || route.type === 'hf-week' || route.type === 'hf-month')
  );
}

function dispatch(
  input: PageInput,
  final: RouteDetail,
  requested: Route | null,
  bases: SourceBases,
): ParsedPage {
  switch (final.route.type) {
    case 'hf-daily':
    case 'hf-week':
    case 'hf-month':
    case 'hf-trending':
    case 'hf-listing':
      return parseListing(input, final, requested, bases);
    case 'hf-paper':
      return parsePaperPage(input, final, bases);
    case 'hf-api-daily':
      return parseApiDaily(input, final, bases);
    case 'hf-api-paper':
      return parseApiPaper(input, final, bases);
    case 'hf-api-search':
      return parseApiSearch(input, final, bases);
    case 'arxiv-abs':
      return parseAbsPage(input, final, bases);
    case 'arxiv-list':
      return parseListingPage(input, final, bases);
    case 'arxiv-api':
      return parseApiFeed(input, final, bases);
    case 'arxiv-oai':
      return parseOaiPage(input, final, bases);
  }
}

/**
 * Parses one fetched page into candidate records and links worth following. Pure: no I/O.
 * Reads HF listing, paper and JSON API pages (daily papers, one paper, search), and arXiv abstract pages, listings, export API
 * feeds and OAI-PMH `ListRecords` pages (OAI-PMH deleted records come back in `withdrawnIds`).
 *
 * The parser is chosen by `finalUrl` (the page the body came from). When the requested URL was a
 * dated listing (day, week, month) and the page shows another period (the final URL routes to
 * another period or to bare `/papers`, or the page's own props name another period), the result
 * has no candidates and `redirectedFrom` set, so no record is attributed to the wrong period.
 *
 * @throws ParseError (code `PARSE_ERROR`) naming the URL and what was wrong, when the page cannot
 *   be read or an entry does not make a valid record: pages never yield half-empty records.
 * @throws PermanentError with code `UNSUPPORTED_URL` when no parser reads `finalUrl`, and
 *   `INVALID_PAYLOAD` when `fetchedAt` is not an ISO date-time.
 */
export function parsePage(input: PageInput, bases: SourceBases): ParsedPage {
  const finalUrl = input.finalUrl === '' ? input.url : input.finalUrl;
  const page = finalUrl === input.finalUrl ? input : withFinalUrl(input, finalUrl);
  const requested = routeDetail(input.url, bases)?.route ?? null;
  const final = routeDetail(finalUrl, bases);
  if (isDatedListing(requested) && (final === null || !samePeriod(requested, final.route))) {
    return { route: final?.route ?? requested, candidates: [], links: [], redirectedFrom: input.url };
  }
  if (final === null) {
    throw new PermanentError('UNSUPPORTED_URL', `no parser reads ${finalUrl}`, {
      stage: 'parse',
      context: { url: finalUrl },
    });
  }
  if (!ISO_DATE_TIME.test(input.fetchedAt) || Number.isNaN(Date.parse(input.fetchedAt))) {
    throw new PermanentError(
      'INVALID_PAYLOAD',
      `fetchedAt of ${finalUrl} is not an ISO date-time: ${input.fetchedAt}`,
      {
        stage: 'parse',
        context: { url: finalUrl },
      },
    );
  }
  return dispatch(page, final, isDatedListing(requested) ? requested : null, bases);
}
