import { arxivRoute } from './arxiv/route.js';
import { parseBase, pathUnder, tryUrl } from './base-url.js';
import type { Period, Route, RouteDetail, SourceBases } from './types.js';
import type { SourceId } from '@paperline/contracts';

export { trimBase, tryUrl } from './base-url.js';
export type { RouteDetail } from './types.js';

/** HF paper ids: arXiv new-style ids without version (HF validates `^\d{4}\.\d{4,5}$`). */
const HF_PAPER_ID = /^\d{4}\.\d{4,5}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const WEEK = /^\d{4}-[Ww]\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;

function period(kind: Period['kind'], value: string): Period {
  return { kind, value: kind === 'week' ? value.toUpperCase() : value };
}

/** The period a `/api/daily_papers` query asks for, if any. */
function apiPeriod(q: URLSearchParams): Period | undefined {
  const date = q.get('date');
  if (date !== null && DAY.test(date)) return period('day', date);
  const week = q.get('week');
  if (week !== null && WEEK.test(week)) return period('week', week);
  const month = q.get('month');
  if (month !== null && MONTH.test(month)) return period('month', month);
  return undefined;
}

function hfRoute(path: string, url: URL): RouteDetail | null {
  const segs = path.split('/').filter((s) => s !== '');
  const hf = (type: Route['type'], p?: Period, paperId?: string): RouteDetail => ({
    route: p ? { source: 'hf', type, period: p } : { source: 'hf', type },
    url,
    ...(paperId === undefined ? {} : { paperId }),
  });
  const [a, b, c, d] = segs;
  if (a === 'papers') {
    if (b === undefined) {
      // 2024 form: /papers?date=YYYY-MM-DD
      const date = url.searchParams.get('date');
      return date !== null && DAY.test(date) ? hf('hf-daily', period('day', date)) : hf('hf-listing');
    }
    if (d !== undefined) return null;
    if (c === undefined) {
      if (b === 'trending') return hf('hf-trending');
      return HF_PAPER_ID.test(b) ? hf('hf-paper', undefined, b) : null;
    }
    if (b === 'date' && DAY.test(c)) return hf('hf-daily', period('day', c));
    if (b === 'week' && WEEK.test(c)) return hf('hf-week', period('week', c));
    if (b === 'month' && MONTH.test(c)) return hf('hf-month', period('month', c));
    return null;
  }
  if (a === 'api' && d === undefined) {
    if (b === 'daily_papers' && c === undefined) return hf('hf-api-daily', apiPeriod(url.searchParams));
    if (b === 'papers' && c === 'search' && (url.searchParams.get('q') ?? '').trim() !== '')
      return hf('hf-api-search');
    if (b === 'papers' && c !== undefined && HF_PAPER_ID.test(c)) return hf('hf-api-paper', undefined, c);
  }
  return null;
}

/** Like {@link routeUrl}, with the parsed URL and the paper id of paper pages. */
export function routeDetail(url: string, bases: SourceBases): RouteDetail | null {
  const u = tryUrl(url.trim());
  if (!u) return null;
  const hfPath = pathUnder(u, parseBase(bases.hfBaseUrl));
  const hf = hfPath === null ? null : hfRoute(hfPath, u);
  return hf ?? arxivRoute(u, bases);
}

/**
 * Which parser a URL goes to, decided by the configured base URLs (so a local server at
 * `HF_BASE_URL` stands in for huggingface.co). Origins must match exactly (scheme, host, port);
 * a base with a path (`http://127.0.0.1:4567/hf`) matches URLs below that path. Trailing slashes,
 * `?q=` and fragments do not change the route. HF paper pages are recognised for arXiv-style ids
 * (`/papers/2402.13572`), which are the only ids HF serves; HF's JSON API at `/api/daily_papers`,
 * `/api/papers/{id}` and `/api/papers/search?q=…` (a non-empty `q`).
 *
 * arXiv: `/abs/{id}[vN]` (new- and old-style ids, `hep-th/9901001`), `/list/{category|archive}/
 * {new|recent|pastweek|current|YYYY|YYYY-MM}` (any `skip`/`show`) under `arxivBaseUrl`; the export
 * API `arxivApiUrl` with a non-empty `id_list` or `search_query`; OAI-PMH `verb=ListRecords` and
 * `verb=GetRecord` (see
 * {@link SourceBases.oaiBaseUrl} for where).
 *
 * @returns the route, or null when no parser of ours reads this URL.
 */
export function routeUrl(url: string, bases: SourceBases): Route | null {
  return routeDetail(url, bases)?.route ?? null;
}

/** A period of `kind` when `value` is written the way HF writes that kind, else null. */
export function asPeriod(kind: Period['kind'], value: string): Period | null {
  const re = kind === 'day' ? DAY : kind === 'week' ? WEEK : MONTH;
  return re.test(value) ? period(kind, value) : null;
}

/** True when two routes stand for the same period (both undated counts as the same). */
export function samePeriod(a: Route, b: Route): boolean {
  if (!a.period || !b.period) return !a.period && !b.period;
  return a.period.kind === b.period.kind && a.period.value === b.period.value;
}

/**
 * The base URLs under which an archived page routes. Pages fetched under other base URLs (a
 * local stand-in on another port, a site that moved) still parse on reprocessing: the page's own
 * origin stands in for its source's base.
 */
export function basesForArchivedPage(url: string, source: SourceId, bases: SourceBases): SourceBases {
  if (routeUrl(url, bases)) return bases;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bases;
  }
  const candidates: SourceBases[] =
    source === 'hf'
      ? [{ ...bases, hfBaseUrl: u.origin }]
      : [
          { ...bases, arxivBaseUrl: u.origin },
          { ...bases, arxivApiUrl: `${u.origin}${u.pathname}` },
          { ...bases, oaiBaseUrl: `${u.origin}${u.pathname}` },
        ];
  return candidates.find((b) => routeUrl(url, b) !== null) ?? bases;
}
