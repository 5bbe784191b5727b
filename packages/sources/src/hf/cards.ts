import { load } from 'cheerio';
import type { PaperCandidate } from '@paperline/contracts';
import { normalizeArxivId } from '@paperline/identity';
import { routeDetail, trimBase, tryUrl } from '../route.js';
import { cleanText } from '../text.js';
import type { Located } from '../validate.js';
import { PARSER_VERSIONS } from '../versions.js';
import type { EntryContext } from './entry.js';

/**
 * Fallback for listing pages without a hydration blob: the visible cards
 * (`<article>…<h3><a href="/papers/{id}" class="line-clamp-3 cursor-pointer text-balance">`,
 * upvotes in `label div.leading-none`; docs/sources.md#hugging-face-listing-pages). Cards carry
 * only id, title and upvotes, so records have no authors (`authorCount` 0), abstract, dates or
 * code links.
 */
export function cardCandidates(html: string, ctx: EntryContext): Located[] {
  const $ = load(html);
  const out: Located[] = [];
  $('article').each((i, el) => {
    const card = $(el);
    const anchor = card
      .find('h3 a[href]')
      .toArray()
      .map((a) => $(a))
      .find((a) => {
        const href = tryUrl(a.attr('href') ?? '', ctx.url);
        return href !== null && routeDetail(href.href, ctx.bases)?.route.type === 'hf-paper';
      });
    if (!anchor) return;
    const href = tryUrl(anchor.attr('href') ?? '', ctx.url);
    const id = href ? routeDetail(href.href, ctx.bases)?.paperId : undefined;
    if (id === undefined) return;
    const title = cleanText(anchor.text());
    const votesText = [
      ...card.find('label div.leading-none').toArray(),
      ...card.find('div.leading-none').toArray(),
    ]
      .map((d) => $(d).text().trim())
      .find((t) => /^\d{1,9}$/.test(t));
    const arxivId = normalizeArxivId(id) ?? undefined;
    const arxivBase = trimBase(ctx.bases.arxivBaseUrl);
    const candidate: PaperCandidate = {
      source: 'hf',
      url: ctx.url,
      fetchedAt: ctx.fetchedAt,
      parserVersion: PARSER_VERSIONS.hf,
      ...(arxivId === undefined ? {} : { arxivId }),
      title,
      authors: [],
      authorCount: 0,
      ...(votesText === undefined ? {} : { upvotes: Number(votesText) }),
      links: {
        hf: `${trimBase(ctx.bases.hfBaseUrl)}/papers/${id}`,
        ...(arxivId === undefined
          ? {}
          : { abs: `${arxivBase}/abs/${arxivId}`, pdf: `${arxivBase}/pdf/${arxivId}` }),
      },
    };
    out.push({ candidate, where: `card ${i + 1}` });
  });
  return out;
}
