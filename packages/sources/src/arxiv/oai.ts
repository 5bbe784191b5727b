import { ParseError } from '@paperline/contracts';
import { normalizeArxivId } from '@paperline/identity';
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
import { attr, child, children, childText, readXml, text } from './xml.js';

/** `oai:arXiv.org:2401.00001` → `2401.00001`. */
function headerId(header: unknown): string | null {
  return normalizeArxivId(childText(header, 'identifier').replace(/^oai:arxiv\.org:/i, ''));
}

/** `Forenames Keyname Suffix` of an `<author>`. */
function authorName(author: unknown): string {
  return cleanText(['forenames', 'keyname', 'suffix'].map((k) => childText(author, k)).join(' '));
}

function recordCandidate(
  meta: unknown,
  fallbackId: string | null,
  where: string,
  ctx: ArxivContext,
  url: string,
) {
  const arxivId = normalizeArxivId(childText(meta, 'id')) ?? fallbackId;
  if (arxivId === null) throw new ParseError(url, `${where} has no arXiv id`, { source: 'arxiv' });
  const abstract = text(child(meta, 'abstract'));
  const authors = children(child(meta, 'authors'), 'author')
    .map(authorName)
    .filter((s) => s !== '');
  return arxivCandidate(
    {
      arxivId,
      title: cleanText(text(child(meta, 'title'))),
      abstract: cleanText(abstract),
      authors,
      publishedAt: isoDateTime(childText(meta, 'created')),
      categories: unique(childText(meta, 'categories').split(/\s+/).filter(isArxivCategory)),
      doi: relatedDoi(childText(meta, 'doi')),
      codeUrls: extractCodeUrls(abstract),
      withdrawn: saysWithdrawn(childText(meta, 'comments')),
    },
    ctx,
  );
}

/** The URL of the next page: the same endpoint with only `verb` and the token. */
function nextPage(final: RouteDetail, token: string): string {
  return `${final.url.origin}${final.url.pathname}?verb=ListRecords&resumptionToken=${encodeURIComponent(token)}`;
}

/**
 * An OAI-PMH `ListRecords` response with `metadataPrefix=arXiv` (docs/sources.md#arxiv-oai-pmh):
 * each record becomes a candidate (authors `Forenames Keyname`, categories split on spaces,
 * `created` as the v1 date, related DOI, abstract). Deleted records have no metadata: their ids are
 * returned in `withdrawnIds`. A non-empty `<resumptionToken>` links to the next page;
 * `noRecordsMatch` is an empty page.
 *
 * @throws ParseError naming the OAI-PMH error code for any other `<error>`, and when the body is
 *   not an OAI-PMH `ListRecords` response, a record has no arXiv metadata (another
 *   `metadataPrefix`) or does not make a valid record.
 */
export function parseOaiPage(input: PageInput, final: RouteDetail, bases: SourceBases): ParsedPage {
  const url = input.finalUrl;
  const root = child(readXml(input.body, url), 'OAI-PMH');
  if (root === undefined)
    throw new ParseError(url, 'no <OAI-PMH> root: not an OAI-PMH response', { source: 'arxiv' });
  const errors = children(root, 'error').map((e) => ({
    code: attr(e, 'code') ?? '(no code)',
    message: text(e).trim(),
  }));
  if (errors.length > 0) {
    if (errors.every((e) => e.code === 'noRecordsMatch'))
      return { route: final.route, candidates: [], links: [] };
    const e = errors.find((x) => x.code !== 'noRecordsMatch') ?? errors[0];
    throw new ParseError(
      url,
      `OAI-PMH error ${e?.code ?? ''}${e?.message ? `: ${e.message.slice(0, 200)}` : ''}`,
      {
        source: 'arxiv',
      },
    );
  }
  const list = child(root, 'ListRecords');
  if (list === undefined) throw new ParseError(url, 'no <ListRecords> element', { source: 'arxiv' });
  const ctx: ArxivContext = { url, fetchedAt: input.fetchedAt, bases };
  const located: Located[] = [];
  const withdrawnIds: string[] = [];
  children(list, 'record').forEach((record, i) => {
    const where = `record[${i}]`;
    const header = child(record, 'header');
    if (attr(header, 'status') === 'deleted') {
      const id = headerId(header);
      if (id === null)
        throw new ParseError(url, `${where} (deleted) has no arXiv identifier`, { source: 'arxiv' });
      withdrawnIds.push(id);
      return;
    }
    const meta = child(child(record, 'metadata'), 'arXiv');
    if (meta === undefined) {
      throw new ParseError(url, `${where} has no arXiv metadata (metadataPrefix=arXiv expected)`, {
        source: 'arxiv',
      });
    }
    located.push({ candidate: recordCandidate(meta, headerId(header), where, ctx, url), where });
  });
  const token = text(child(list, 'resumptionToken')).trim();
  const ids = unique(withdrawnIds);
  const { candidates, rejected } = validateMany(url, 'arxiv', located);
  return {
    route: final.route,
    candidates,
    ...(rejected.length ? { rejected } : {}),
    links: token === '' ? [] : [nextPage(final, token)],
    ...(ids.length === 0 ? {} : { withdrawnIds: ids }),
  };
}
