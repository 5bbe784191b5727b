import { answerQuery } from './arxiv-atom.js';
import { LISTED_CATEGORIES, latestVersion } from './arxiv-data.js';
import { renderAbsPage, renderArxivNotFound, renderArxivRobots, renderNewListing } from './arxiv-html.js';
import type { ListingKind, NewListing } from './arxiv-html.js';
import type { ArxivData, ArxivPaper } from './arxiv-types.js';
import type { SiteHandler, SiteResponse } from './site.js';

const HTML = 'text/html; charset=utf-8';
const ATOM = 'application/atom+xml; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const ABS_ID = /^(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(?:v(\d+))?$/;
const SHOW = new Set(['25', '50', '100', '250', '500', '1000', '2000']);

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The `new` listing of `category`: papers whose latest version is a replacement go to
 * "Replacement submissions", the others to "New submissions" (primary category) or "Cross
 * submissions" (secondary), each section ordered by id.
 */
export function newListing(data: ArxivData, category: string): NewListing {
  const sections: Record<ListingKind, ArxivPaper[]> = { new: [], cross: [], rep: [] };
  const sorted = [...data.papers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const p of sorted) {
    if (!p.categories.includes(category)) continue;
    if (latestVersion(p).v > 1) sections.rep.push(p);
    else if (p.categories[0] === category) sections.new.push(p);
    else sections.cross.push(p);
  }
  return {
    category,
    announced: data.announced,
    sections: (['new', 'cross', 'rep'] as const).map((kind) => ({ kind, papers: sections[kind] })),
  };
}

/**
 * The routing of the arXiv stand-in over `data`, served at the root of its own origin like
 * arxiv.org: `/abs/{id}[vN]`, `/list/{cs.AI|cs.CL|cs.CV|cs.LG}/new`, `/api/query` (the export
 * API, which arxiv.org also answers under `/api/query`) and `/robots.txt`; 404 elsewhere.
 */
export function createArxivSite(data: ArxivData): SiteHandler {
  const papers = new Map(data.papers.map((p) => [p.id, p]));
  const modified = new Date(data.snapshotAt);
  const html = (status: number, body: string): SiteResponse => ({
    status,
    contentType: HTML,
    body,
    ...(status === 200 ? { lastModified: modified } : {}),
  });
  const notFound = (what: string): SiteResponse => html(404, renderArxivNotFound(what));

  function abs(base: string, raw: string): SiteResponse {
    const m = ABS_ID.exec(raw);
    const p = m?.[1] === undefined ? undefined : papers.get(m[1]);
    if (!m || !p) return notFound(raw);
    const shown = m[2] === undefined ? latestVersion(p) : p.versions.find((v) => v.v === Number(m[2]));
    return shown ? html(200, renderAbsPage(base, p, shown, raw)) : notFound(raw);
  }

  function list(base: string, url: URL, category: string, kind: string): SiteResponse {
    if (kind !== 'new' || !(LISTED_CATEGORIES as readonly string[]).includes(category))
      return notFound(category);
    const show = url.searchParams.get('show');
    if (show !== null && !SHOW.has(show))
      return { status: 400, contentType: HTML, body: renderArxivNotFound(`show=${show}`) };
    return html(200, renderNewListing(base, newListing(data, category)));
  }

  return (url, base) => {
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const segs = path.split('/').filter((s) => s !== '');
    const [a, b, c, d] = segs;
    if (path === '/robots.txt')
      return { status: 200, contentType: TEXT, body: renderArxivRobots(), lastModified: modified };
    if (a === 'abs' && b !== undefined && c === undefined) return abs(base, safeDecode(b));
    if (a === 'list' && b !== undefined && c !== undefined && d === undefined) return list(base, url, b, c);
    if (a === 'api' && b === 'query' && c === undefined) {
      const r = answerQuery(url.searchParams, papers, `${base}/api/query`, base, modified);
      return { status: r.status, contentType: ATOM, body: r.body, lastModified: modified };
    }
    return notFound(path);
  };
}
