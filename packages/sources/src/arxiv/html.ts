/** Reading arXiv HTML (abstract and listing pages) with cheerio. */
import type { CheerioAPI } from 'cheerio';
import { canonicalRepoUrl, extractCodeUrls, mergeCodeUrls } from '../code-urls.js';

/** A cheerio selection. */
export type Nodes = ReturnType<CheerioAPI>;

/** The link text arXiv shows in place of a URL (`urlize`): "this https URL". */
const URL_PLACEHOLDER = /^\s*this\s+https?\s+URL\s*$/i;

/**
 * The text of the first node of a selection as the page shows it: `<span class="descriptor">`
 * labels (`Title:`, `Authors:`) removed, `<br>` read as a space, and the "this https URL" links
 * arXiv puts in abstracts and comments read as the URL they stand for. Not yet cleaned.
 */
export function shownText(nodes: Nodes): string {
  const copy = nodes.first().clone();
  copy.find('.descriptor').remove();
  copy.find('br').replaceWith(' ');
  copy.find('a[href]').each((_, a) => {
    const link = copy.find(a);
    const href = link.attr('href') ?? '';
    if (URL_PLACEHOLDER.test(link.text()) && /^https?:\/\//i.test(href)) link.replaceWith(href);
  });
  return copy.text();
}

/** The values of every `<meta name="{name}">` in order, as decoded by the parser. */
export function metaValues($: CheerioAPI, name: string): string[] {
  return $(`meta[name="${name}"]`)
    .toArray()
    .map((el) => $(el).attr('content') ?? '');
}

/**
 * GitHub repositories linked from an abstract: in its text (raw TeX from a meta tag, or the shown
 * text) and in the `href` of its links (arXiv shows URLs in abstracts as "this https URL").
 */
export function codeUrlsOf($: CheerioAPI, nodes: Nodes, ...texts: (string | undefined)[]): string[] {
  const hrefs = nodes
    .find('a[href]')
    .toArray()
    .map((a) => canonicalRepoUrl($(a).attr('href') ?? ''))
    .filter((u) => u !== null);
  return mergeCodeUrls(...texts.map((t) => (t === undefined ? [] : extractCodeUrls(t))), hrefs);
}

/** The names of the author links in a node (`div.authors`, `div.list-authors`), in order. */
export function authorLinks($: CheerioAPI, nodes: Nodes): string[] {
  return nodes
    .find('a')
    .toArray()
    .map((a) => $(a))
    .filter((a) => a.attr('id') !== 'toggle' && !(a.attr('href') ?? '').startsWith('javascript:'))
    .map((a) => a.text());
}

/** The primary subject label and the whole subjects text of a `td.subjects` / `div.list-subjects` node. */
export function subjectLabels(nodes: Nodes): { primary: string | undefined; all: string } {
  const primary = nodes.find('.primary-subject').first();
  return { primary: primary.length > 0 ? primary.text() : undefined, all: shownText(nodes) };
}
