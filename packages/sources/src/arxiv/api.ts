import { ParseError } from '@paperline/contracts';
import { parseArxivId } from '@paperline/identity';
import { extractCodeUrls } from '../code-urls.js';
import { cleanText } from '../text.js';
import type { PageInput, ParsedPage, RouteDetail, SourceBases } from '../types.js';
import { validateMany, type Located } from '../validate.js';
import {
  arxivCandidate,
  isArxivCategory,
  isoDateTime,
  relatedDoi,
  saysWithdrawn,
  unique,
  type ArxivContext,
} from './common.js';
import { optionalText } from './extras.js';
import { attr, child, children, childText, readXml, text } from './xml.js';

/** Entry ids of API errors: `http://arxiv.org/api/errors#incorrect_id_format_for_1234.12345`. */
const ERROR_ID = /\/api\/errors(?:#|$)/;

/** The DOI of an entry: `<arxiv:doi>`, else a DOI link (`title="doi"`, or any link to doi.org). */
function entryDoi(entry: unknown): string | undefined {
  const links = children(entry, 'link')
    .filter(
      (l) => attr(l, 'title') === 'doi' || /^https?:\/\/(?:dx\.)?doi\.org\//i.test(attr(l, 'href') ?? ''),
    )
    .map((l) => attr(l, 'href') ?? '');
  return relatedDoi(childText(entry, 'doi')) ?? relatedDoi(links.join(' '));
}

/** Categories: `primary_category` first, then each `category`; ACM/MSC codes dropped. */
function entryCategories(entry: unknown): string[] {
  const terms = [child(entry, 'primary_category'), ...children(entry, 'category')].map((c) =>
    (attr(c, 'term') ?? '').trim(),
  );
  return unique(terms.filter(isArxivCategory));
}

/** One Atom entry as a located candidate. */
function entryCandidate(
  entry: unknown,
  where: string,
  id: string,
  version: number | undefined,
  ctx: ArxivContext,
): Located {
  const summary = text(child(entry, 'summary'));
  const authors = children(entry, 'author')
    .map((a) => cleanText(childText(a, 'name')))
    .filter((s) => s !== '');
  return {
    where,
    candidate: arxivCandidate(
      {
        arxivId: id,
        arxivVersion: version,
        title: cleanText(text(child(entry, 'title'))),
        abstract: cleanText(summary),
        authors,
        publishedAt: isoDateTime(childText(entry, 'published')),
        categories: entryCategories(entry),
        doi: entryDoi(entry),
        codeUrls: extractCodeUrls(summary),
        withdrawn: saysWithdrawn(childText(entry, 'comment')),
        journalRef: optionalText(childText(entry, 'journal_ref')),
        comments: optionalText(childText(entry, 'comment')),
      },
      ctx,
    ),
  };
}

/**
 * An export API Atom feed (docs/sources.md#arxiv-export-api), in both dialects: the current one
 * (namespaces on the root, `arXiv Query` title, `Z` times, https links, bare `<link href>`) and the
 * legacy one (namespaces per element, `ArXiv Query`, `-04:00` offsets, http links, `title="doi"`
 * links, hard-wrapped titles and summaries). Version from the entry id's `vN`, `publishedAt` from
 * `<published>`, categories primary first, `doi` from `arxiv:doi`, `journalRef` and `comments`
 * from `arxiv:journal_ref` and `arxiv:comment`, `withdrawn` when the comment says so. Legacy empty entries (a requested id that does not exist) are dropped; `/api/errors#`
 * entries are skipped.
 *
 * @throws ParseError when the body is not an Atom feed, when every entry is an API error (with
 *   the API's message), or when an entry has an id that is not an arXiv id or makes no valid record.
 */
export function parseApiFeed(input: PageInput, final: RouteDetail, bases: SourceBases): ParsedPage {
  const url = input.finalUrl;
  const feed = child(readXml(input.body, url), 'feed');
  if (feed === undefined)
    throw new ParseError(url, 'no <feed> root: not an arXiv API Atom feed', { source: 'arxiv' });
  const ctx: ArxivContext = { url, fetchedAt: input.fetchedAt, bases };
  const errors: string[] = [];
  const located: Located[] = [];
  children(feed, 'entry').forEach((entry, i) => {
    const where = `entry[${i}]`;
    const rawId = childText(entry, 'id');
    if (rawId === '') return; // legacy dialect: an empty entry for an id that does not exist
    if (ERROR_ID.test(rawId)) {
      errors.push(cleanText(childText(entry, 'summary')) || rawId);
      return;
    }
    const parts = parseArxivId(rawId.replace(/^.*?\/abs\//, ''));
    if (parts === null) {
      throw new ParseError(url, `${where} has an id that is not an arXiv id: ${rawId.slice(0, 120)}`, {
        source: 'arxiv',
      });
    }
    located.push(entryCandidate(entry, where, parts.id, parts.version, ctx));
  });
  if (located.length === 0 && errors.length > 0) {
    throw new ParseError(url, `the arXiv API answered with an error: ${errors.join('; ').slice(0, 300)}`, {
      source: 'arxiv',
    });
  }
  const { candidates, rejected } = validateMany(url, 'arxiv', located);
  return {
    route: final.route,
    candidates,
    links: [],
    ...(rejected.length ? { rejected } : {}),
    ...(final.url.searchParams.get('id_list') ? { lookup: true as const } : {}),
  };
}
