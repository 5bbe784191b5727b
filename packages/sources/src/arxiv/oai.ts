import { ParseError } from '@paperline/contracts';
import { normalizeArxivId } from '@paperline/identity';
import type { PageInput, ParsedPage, RouteDetail, SourceBases } from '../types.js';
import { validateMany, type Located } from '../validate.js';
import { arxivCandidate, unique, type ArxivContext } from './common.js';
import { oaiFields, type OaiFormat } from './oai-metadata.js';
import { attr, child, children, childText, readXml, text } from './xml.js';

/** `oai:arXiv.org:2401.00001` → `2401.00001`. */
function headerId(header: unknown): string | null {
  return normalizeArxivId(childText(header, 'identifier').replace(/^oai:arxiv\.org:/i, ''));
}

/** The record's metadata element and its format, or undefined for a format we do not read. */
function recordMetadata(record: unknown): { meta: unknown; format: OaiFormat } | undefined {
  const metadata = child(record, 'metadata');
  for (const format of ['arXiv', 'arXivRaw'] as const) {
    const meta = child(metadata, format);
    if (meta !== undefined) return { meta, format };
  }
  return undefined;
}

function recordCandidate(record: unknown, where: string, ctx: ArxivContext) {
  const found = recordMetadata(record);
  if (found === undefined) {
    throw new ParseError(
      ctx.url,
      `${where} has no arXiv metadata (metadataPrefix=arXiv or arXivRaw expected)`,
      {
        source: 'arxiv',
      },
    );
  }
  const fields = oaiFields(found.meta, found.format);
  const arxivId = fields.arxivId ?? headerId(child(record, 'header'));
  if (arxivId === null) throw new ParseError(ctx.url, `${where} has no arXiv id`, { source: 'arxiv' });
  return arxivCandidate({ ...fields, arxivId }, ctx);
}

/** The URL of the next page: the same endpoint with only `verb` and the token. */
function nextPage(final: RouteDetail, token: string): string {
  return `${final.url.origin}${final.url.pathname}?verb=ListRecords&resumptionToken=${encodeURIComponent(token)}`;
}

/**
 * An OAI-PMH `ListRecords` or `GetRecord` response (docs/sources.md#arxiv-oai-pmh), with
 * `metadataPrefix=arXiv` or `arXivRaw` (told apart per record by the metadata element, since a
 * resumption-token URL does not name the format). Each record becomes a candidate: authors
 * (`Forenames Keyname`, or arXivRaw's one string split), categories split on spaces, the v1 date
 * (`created`, or arXivRaw's `[v1]` date), every version with date and size (arXivRaw), related
 * DOI, licence, journal reference, comments, abstract. Deleted records have no metadata: their
 * ids are returned in `withdrawnIds`. A non-empty `<resumptionToken>` links to the next page;
 * `noRecordsMatch` is an empty page.
 *
 * @throws ParseError naming the OAI-PMH error code for any other `<error>`, and when the body is
 *   not an OAI-PMH `ListRecords`/`GetRecord` response, a record has metadata in another format
 *   (`oai_dc`) or does not make a valid record.
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
  const list = child(root, 'ListRecords') ?? child(root, 'GetRecord');
  if (list === undefined)
    throw new ParseError(url, 'no <ListRecords> or <GetRecord> element', { source: 'arxiv' });
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
    located.push({ candidate: recordCandidate(record, where, ctx), where });
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
