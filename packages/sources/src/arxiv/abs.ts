import { load, type CheerioAPI } from 'cheerio';
import { ParseError } from '@paperline/contracts';
import { normalizeArxivId } from '@paperline/identity';
import { cleanText } from '../text.js';
import type { PageInput, ParsedPage, RouteDetail, SourceBases } from '../types.js';
import { validateCandidates } from '../validate.js';
import {
  arxivCandidate,
  categoriesFromSubjects,
  displayName,
  isArxivCategory,
  relatedDoi,
  slashDate,
} from './common.js';
import { licenseUrl, optionalText, versionList } from './extras.js';
import { firstPublished, latestVersion, readDateline, readHistory } from './history.js';
import { authorLinks, codeUrlsOf, metaValues, shownText, subjectLabels } from './html.js';

/** The notices arXiv shows on a withdrawn paper (this version, or a newer one). */
const WITHDRAWN_NOTICE = /\b(?:this paper|a newer version of this paper) has been withdrawn\b/i;

/** The first value that is non-empty after cleaning. */
function firstClean(...raws: (string | undefined)[]): string | undefined {
  for (const raw of raws) {
    const clean = raw === undefined ? '' : cleanText(raw);
    if (clean !== '') return clean;
  }
  return undefined;
}

function cleanAll(raws: readonly string[]): string[] {
  return raws.map(cleanText).filter((s) => s !== '');
}

/** The paper's id: `citation_arxiv_id`, else the URL's, else the "Cite as" cell's. */
function pageId($: CheerioAPI, final: RouteDetail): string | undefined {
  const candidates = [
    ...metaValues($, 'citation_arxiv_id'),
    final.paperId ?? '',
    $('td.arxivid a').first().text(),
  ];
  for (const raw of candidates) {
    const id = normalizeArxivId(raw);
    if (id !== null) return id;
  }
  return undefined;
}

/** Categories from the Subjects cell, else the `[hep-th]` of "Cite as". */
function categories($: CheerioAPI): string[] {
  const subjects = $('td.subjects').first();
  if (subjects.length > 0) {
    const { primary, all } = subjectLabels(subjects);
    const ids = categoriesFromSubjects(primary, all);
    if (ids.length > 0) return ids;
  }
  const cite = /\[([^\]\s]+)\]/.exec($('td.arxivid').first().text())?.[1];
  return cite !== undefined && isArxivCategory(cite) ? [cite] : [];
}

/** The related DOI: `citation_doi`, else the Related DOI cell (links, `data-doi`, text). */
function doi($: CheerioAPI): string | undefined {
  const cell = $('td.doi').first();
  const fromCell = [
    ...cell
      .find('a')
      .toArray()
      .flatMap((a) => [$(a).attr('data-doi') ?? '', $(a).attr('href') ?? '']),
    cell.text(),
  ].join(' ');
  return relatedDoi(metaValues($, 'citation_doi')[0]) ?? relatedDoi(fromCell);
}

/** The metatable cell whose label cell reads `label` (Report number and Journal reference share `td.jref`). */
function labelledCell($: CheerioAPI, label: RegExp): string | undefined {
  for (const row of $('div.metatable tr').toArray()) {
    const cells = $(row).children('td');
    if (cells.length >= 2 && label.test(cells.first().text().replace(/\s+/g, ' ')))
      return shownText(cells.eq(1));
  }
  return undefined;
}

/** The licence link of the sidebar (`div.abs-license`, "Rights to this article"). */
function license($: CheerioAPI): string | undefined {
  const link = $('div.abs-license a[href], a[title="Rights to this article"]').first();
  return licenseUrl(link.attr('href'));
}

/**
 * An arXiv abstract page `/abs/{id}[vN]` (docs/sources.md#arxiv-abstract-pages). The `citation_*`
 * meta tags come first (title, authors as "Last, First" turned into "First Last", v1 date, related
 * DOI, id, abstract); the body fills in what they lack (h1.title, div.authors, blockquote.abstract)
 * and gives what they never carry: categories (Subjects, primary first), the versions (submission
 * history: the highest `[vN]`; its `[v1]` time makes `citation_date` precise), and whether the
 * paper is withdrawn (`(withdrawn)` on the latest version, or the withdrawal notice), every
 * version with its date and size, the Comments and Journal reference cells and the licence link.
 * GitHub links in the abstract become `codeUrls`. The arXiv DataCite DOI is not a related DOI.
 *
 * @throws ParseError when the page is not an abstract page (no `citation_title` and no
 *   `h1.title`), has no arXiv id, or does not make a valid record (e.g. an empty title).
 */
export function parseAbsPage(input: PageInput, final: RouteDetail, bases: SourceBases): ParsedPage {
  const url = input.finalUrl;
  const $ = load(input.body);
  const metaTitle = metaValues($, 'citation_title')[0];
  const h1 = $('h1.title').first();
  if (metaTitle === undefined && h1.length === 0) {
    throw new ParseError(url, 'no citation_title meta tag and no h1.title: not an arXiv abstract page', {
      source: 'arxiv',
    });
  }
  const arxivId = pageId($, final);
  if (arxivId === undefined) {
    throw new ParseError(url, 'no arXiv id in citation_arxiv_id, the URL or "Cite as"', { source: 'arxiv' });
  }
  const metaAuthors = cleanAll(metaValues($, 'citation_author').map(displayName));
  const block = $('blockquote.abstract').first();
  const shownAbstract = block.length > 0 ? shownText(block) : undefined;
  const rawAbstract = metaValues($, 'citation_abstract')[0];
  const history = readHistory($('div.submission-history').first().text());
  const latest = latestVersion(history);
  const dateline = readDateline($('div.dateline').first().text());
  const notice = $('span.error').text();

  const candidate = arxivCandidate(
    {
      arxivId,
      arxivVersion: latest?.version ?? dateline.version ?? final.version,
      title: firstClean(metaTitle, h1.length > 0 ? shownText(h1) : undefined) ?? '',
      abstract: firstClean(rawAbstract, shownAbstract),
      authors: metaAuthors.length > 0 ? metaAuthors : cleanAll(authorLinks($, $('div.authors').first())),
      publishedAt: firstPublished(
        slashDate(metaValues($, 'citation_date')[0]),
        history.find((v) => v.version === 1)?.submittedAt,
        dateline.submittedAt,
      ),
      categories: categories($),
      doi: doi($),
      codeUrls:
        rawAbstract !== undefined || block.length > 0
          ? codeUrlsOf($, block, rawAbstract, shownAbstract)
          : undefined,
      withdrawn: latest?.withdrawn === true || WITHDRAWN_NOTICE.test(notice),
      versions: versionList(history),
      license: license($),
      journalRef: optionalText(labelledCell($, /journal[\s\u00a0]*reference/i)),
      comments: optionalText(labelledCell($, /^\s*comments:/i)),
    },
    { url, fetchedAt: input.fetchedAt, bases },
  );
  return {
    route: final.route,
    candidates: validateCandidates(url, 'arxiv', [{ candidate, where: 'abstract page' }]),
    links: [],
  };
}
