import { parseArxivId } from '@paperline/identity';
import { parseBase, pathUnder, type Base } from '../base-url.js';
import type { Route, RouteDetail, SourceBases } from '../types.js';
import { ARXIV_ID_IN_PATH, isArxivCategory } from './common.js';

/** `new`, `recent`, `pastweek`, `current`, `YYYY`, `YYYY-MM`. */
const LIST_PERIOD = /^(?:new|recent|pastweek|current|\d{4}|\d{4}-(?:0[1-9]|1[0-2]))$/;
/** The OAI-PMH verbs that answer with records (ListRecords pages, one GetRecord). */
const OAI_VERBS: ReadonlySet<string> = new Set(['ListRecords', 'GetRecord']);
/** OAI-PMH endpoint paths as arXiv has served them. */
const OAI_PATH = /\/oai2?$/;

function detail(type: Route['type'], url: URL, extra: Omit<RouteDetail, 'route' | 'url'> = {}): RouteDetail {
  return { route: { source: 'arxiv', type }, url, ...extra };
}

/** `decodeURIComponent` that returns null instead of throwing. */
function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** `/abs/{id}[vN]` and `/list/{context}/{period}` below the arXiv base. */
function siteRoute(path: string, url: URL): RouteDetail | null {
  const segs = path.split('/').filter((s) => s !== '');
  const [head, ...rest] = segs;
  if (head === 'abs' && rest.length > 0) {
    const raw = decode(rest.join('/'));
    const parts = raw !== null && ARXIV_ID_IN_PATH.test(raw) ? parseArxivId(raw) : null;
    if (!parts) return null;
    return detail('arxiv-abs', url, {
      paperId: parts.id,
      ...(parts.version === undefined ? {} : { version: parts.version }),
    });
  }
  if (head === 'list' && rest.length === 2) {
    const [context = '', period = ''] = rest;
    if (!isArxivCategory(context) || !LIST_PERIOD.test(period)) return null;
    return detail('arxiv-list', url, { listing: { context, period } });
  }
  return null;
}

function samePath(url: URL, base: Base | null): boolean {
  return base !== null && url.origin === base.origin && url.pathname.replace(/\/+$/, '') === base.path;
}

function nonEmpty(q: URLSearchParams, key: string): boolean {
  return (q.get(key) ?? '').trim() !== '';
}

/** True when `url` is an OAI-PMH endpoint we read (see `SourceBases.oaiBaseUrl`). */
function isOaiEndpoint(url: URL, bases: SourceBases): boolean {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const oai = parseBase(bases.oaiBaseUrl);
  if (samePath(url, oai)) return true;
  const hosts = [oai, parseBase(bases.arxivBaseUrl), parseBase(bases.arxivApiUrl)].flatMap((b) =>
    b === null ? [] : [b.host],
  );
  return hosts.includes(url.host) && OAI_PATH.test(url.pathname.replace(/\/+$/, ''));
}

/**
 * The arXiv route of a URL: abstract and listing pages under `arxivBaseUrl`, the export API at
 * `arxivApiUrl` (with `id_list` or `search_query`), and OAI-PMH `ListRecords` and `GetRecord`
 * (any `metadataPrefix`; the parser reads `arXiv` and `arXivRaw`). Null otherwise.
 */
export function arxivRoute(url: URL, bases: SourceBases): RouteDetail | null {
  const sitePath = pathUnder(url, parseBase(bases.arxivBaseUrl));
  const site = sitePath === null ? null : siteRoute(sitePath, url);
  if (site) return site;
  const q = url.searchParams;
  if (
    samePath(url, parseBase(bases.arxivApiUrl)) &&
    (nonEmpty(q, 'id_list') || nonEmpty(q, 'search_query'))
  ) {
    return detail('arxiv-api', url);
  }
  if (OAI_VERBS.has(q.get('verb') ?? '') && isOaiEndpoint(url, bases)) return detail('arxiv-oai', url);
  return null;
}
