import { load, type CheerioAPI } from 'cheerio';
import { ParseError, type PaperCandidate } from '@paperline/contracts';
import { normalizeArxivId } from '@paperline/identity';
import { tryUrl } from '../base-url.js';
import { routeDetail } from '../route.js';
import { cleanText } from '../text.js';
import type { PageInput, ParsedPage, RouteDetail, SourceBases } from '../types.js';
import { validateMany, type Located } from '../validate.js';
import {
  arxivCandidate,
  categoriesFromSubjects,
  isArxivCategory,
  splitAuthorList,
  type ArxivContext,
} from './common.js';
import { optionalText } from './extras.js';
import { authorLinks, codeUrlsOf, shownText, subjectLabels, type Nodes } from './html.js';

/** What an empty listing says instead of entries. */
const NO_UPDATES = /No updates (?:for this time period|today)|Total of 0 entries/i;
/** Default `show` of a listing when the URL has none (arxiv-browse). */
const DEFAULT_SHOW = 50;
const NEW_SHOW = 2000;

/** One `<dt>`/`<dd>` pair of a listing. */
interface Entry {
  dt: Nodes;
  dd: Nodes;
}

/**
 * Pairs every `<dt>` with the `<dd>` after it, in document order across all the page's `<dl>`s
 * (the `new` and `recent` pages repeat `<dl id='articles'>` once per section).
 */
function entries($: CheerioAPI): Entry[] {
  const out: Entry[] = [];
  let dt: Nodes | null = null;
  for (const el of $('dl dt, dl dd').toArray()) {
    const node = $(el);
    if (el.tagName === 'dt') dt = node;
    else if (dt !== null) {
      out.push({ dt, dd: node });
      dt = null;
    }
  }
  return out;
}

/** The arXiv id of a `<dt>`: its `/abs/{id}` link (current and pre-2024 layouts), else `arXiv:{id}` text. */
function entryId($: CheerioAPI, dt: Nodes): string | null {
  for (const a of dt.find('a[href]').toArray()) {
    const m = /\/abs\/([^?#]+)/.exec($(a).attr('href') ?? '');
    const id = m ? normalizeArxivId(m[1] ?? '') : null;
    if (id !== null) return id;
  }
  const m = /arXiv:\s*(\S+)/.exec(dt.text());
  return m ? normalizeArxivId(m[1] ?? '') : null;
}

/** Authors of `div.list-authors`: its links; none for "(author list is unavailable)". */
function listAuthors($: CheerioAPI, node: Nodes): string[] {
  const linked = authorLinks($, node).map(cleanText);
  if (linked.length > 0) return linked.filter((s) => s !== '');
  const text = cleanText(shownText(node));
  if (text === '' || /author list is unavailable/i.test(text)) return [];
  return splitAuthorList(text);
}

/** The clean shown text of the first node (its `Comments:` / `Journal-ref:` label removed), if any. */
function optionalShown(nodes: Nodes): string | undefined {
  return nodes.length === 0 ? undefined : optionalText(shownText(nodes));
}

/** One listing entry as a candidate (not yet validated). */
function entryCandidate($: CheerioAPI, e: Entry, arxivId: string, ctx: ArxivContext): PaperCandidate {
  const { dt, dd } = e;
  const crossFrom = /\(cross-list from ([^)\s]+)\)/.exec(dt.text())?.[1];
  const subjects = dd.find('.list-subjects').first();
  const labels = subjects.length > 0 ? subjectLabels(subjects) : undefined;
  let categories = labels ? categoriesFromSubjects(labels.primary, labels.all) : [];
  if (categories.length === 0 && crossFrom !== undefined && isArxivCategory(crossFrom))
    categories = [crossFrom];
  const abstractNode = dd.find('p.mathjax').first();
  const shownAbstract = abstractNode.length > 0 ? shownText(abstractNode) : undefined;
  const titleNode = dd.find('.list-title').first();
  return arxivCandidate(
    {
      arxivId,
      title: titleNode.length > 0 ? cleanText(shownText(titleNode)) : '',
      abstract: shownAbstract === undefined ? undefined : cleanText(shownAbstract),
      authors: listAuthors($, dd.find('.list-authors').first()),
      categories,
      codeUrls: shownAbstract === undefined ? undefined : codeUrlsOf($, abstractNode, shownAbstract),
      journalRef: optionalShown(dd.find('.list-journal-ref')),
      comments: optionalShown(dd.find('.list-comments')),
    },
    ctx,
  );
}

/** `skip` and effective `show` of a listing URL. */
function paging(url: URL, period: string): { skip: number; show: number } {
  const num = (key: string): number | undefined => {
    const v = url.searchParams.get(key);
    return v !== null && /^\d{1,9}$/.test(v) ? Number(v) : undefined;
  };
  return { skip: num('skip') ?? 0, show: num('show') ?? (period === 'new' ? NEW_SHOW : DEFAULT_SHOW) };
}

/** `recent` and `pastweek` are the same listing (the last five announcement days). */
function samePeriod(a: string, b: string): boolean {
  const norm = (p: string) => (p === 'pastweek' ? 'recent' : p);
  return norm(a) === norm(b);
}

/**
 * The other pages of the same listing (`?skip=…` with the same `show`): the links of the paging
 * bar (`div.paging`); on pages without one (older layouts), any such link on the page. The
 * more/fewer links (another `show`) and the per-day links of `recent` (windows that overlap the
 * paging bar's) are not followed.
 */
function pagingLinks($: CheerioAPI, final: RouteDetail, bases: SourceBases): string[] {
  const here = final.listing;
  if (here === undefined) return [];
  const current = paging(final.url, here.period);
  const bar = $('div.paging');
  const anchors = (bar.length > 0 ? bar.find('a[href]') : $('a[href]')).toArray();
  const out = new Set<string>();
  for (const a of anchors) {
    const href = tryUrl($(a).attr('href') ?? '', final.url);
    if (href === null || !href.searchParams.has('skip')) continue;
    href.hash = '';
    const r = routeDetail(href.href, bases)?.listing;
    if (r?.context !== here.context || !samePeriod(r.period, here.period)) continue;
    const p = paging(href, here.period);
    if (p.show === current.show && p.skip !== current.skip) out.add(href.href);
  }
  return [...out];
}

/**
 * An arXiv listing `/list/{category|archive}/{period}` (docs/sources.md#arxiv-listing-pages):
 * every `<dt>`/`<dd>` pair across the page's `dl#articles` sections, in the current and the
 * pre-2024 (`dt > span.list-identifier > a`) layouts. `(cross-list from X)` and `(replaced)`
 * entries are read like the others; a paper listed twice yields one candidate (the first).
 * Abstracts (and so code links) exist only on `new`. "No updates…" pages yield no candidates.
 *
 * Links: each paper's abstract page, then the listing's other pages (`skip=`).
 *
 * @throws ParseError when the page has neither entries nor a "No updates" notice, or an entry
 *   has no arXiv id or does not make a valid record.
 */
export function parseListingPage(input: PageInput, final: RouteDetail, bases: SourceBases): ParsedPage {
  const url = input.finalUrl;
  const $ = load(input.body);
  const pairs = entries($);
  if (pairs.length === 0 && !NO_UPDATES.test($('body').text())) {
    throw new ParseError(url, 'no <dt>/<dd> entries and no "No updates" notice: not an arXiv listing page', {
      source: 'arxiv',
    });
  }
  const ctx: ArxivContext = { url, fetchedAt: input.fetchedAt, bases };
  const seen = new Set<string>();
  const located: Located[] = [];
  pairs.forEach((e, i) => {
    const where = `entry ${i + 1}`;
    const id = entryId($, e.dt);
    if (id === null) throw new ParseError(url, `${where} has no arXiv id`, { source: 'arxiv' });
    if (seen.has(id)) return;
    seen.add(id);
    located.push({ candidate: entryCandidate($, e, id, ctx), where });
  });
  const { candidates, rejected } = validateMany(url, 'arxiv', located);
  const abs = candidates.flatMap((c) => (c.links?.abs === undefined ? [] : [c.links.abs]));
  return {
    route: final.route,
    candidates,
    links: [...abs, ...pagingLinks($, final, bases)],
    ...(rejected.length ? { rejected } : {}),
  };
}
