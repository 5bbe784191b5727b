/**
 * The two arXiv metadata formats of OAI-PMH records (docs/sources.md#arxiv-oai-pmh): `arXiv`
 * (structured authors, `created` = v1 day) and `arXivRaw` (authors as one string, every
 * `<version version="vN"><date>…</date><size>…</size></version>`). Both carry `comments`,
 * `journal-ref`, `doi`, `license` and `abstract`.
 */
import { normalizeArxivId } from '@paperline/identity';
import { extractCodeUrls } from '../code-urls.js';
import { cleanText } from '../text.js';
import {
  dayMonthYear,
  isArxivCategory,
  isoDateTime,
  relatedDoi,
  saysWithdrawn,
  splitAuthorList,
  unique,
  type ArxivFields,
} from './common.js';
import { licenseUrl, optionalText, sizeKb, versionList } from './extras.js';
import { attr, child, children, childText, text } from './xml.js';

/** The metadata formats we read, by the local name of the element inside `<metadata>`. */
export type OaiFormat = 'arXiv' | 'arXivRaw';

/** The fields both formats write the same way. */
function sharedFields(meta: unknown): Omit<ArxivFields, 'arxivId' | 'title' | 'authors'> & {
  title: string;
} {
  const abstract = text(child(meta, 'abstract'));
  const comments = childText(meta, 'comments');
  return {
    title: cleanText(text(child(meta, 'title'))),
    abstract: cleanText(abstract),
    categories: unique(childText(meta, 'categories').split(/\s+/).filter(isArxivCategory)),
    doi: relatedDoi(childText(meta, 'doi')),
    codeUrls: extractCodeUrls(abstract),
    withdrawn: saysWithdrawn(comments),
    comments: optionalText(comments),
    journalRef: optionalText(childText(meta, 'journal-ref')),
    license: licenseUrl(childText(meta, 'license')),
  };
}

/** `Forenames Keyname Suffix` of an `<author>` (format `arXiv`). */
function authorName(author: unknown): string {
  return cleanText(['forenames', 'keyname', 'suffix'].map((k) => childText(author, k)).join(' '));
}

/** `<version version="v2"><date>Mon, 19 Jun 2017 16:49:45 GMT</date><size>14kb</size></version>`. */
function rawVersions(meta: unknown) {
  return versionList(
    children(meta, 'version').map((v) => ({
      version: Number(/^v(\d{1,4})$/i.exec((attr(v, 'version') ?? '').trim())?.[1] ?? NaN),
      submittedAt: dayMonthYear(childText(v, 'date')),
      sizeKb: sizeKb(childText(v, 'size')),
    })),
  );
}

/**
 * What one record's metadata says, in either format; `arxivId` is null when the metadata has no
 * readable `<id>` (the caller falls back to the header's identifier).
 */
export function oaiFields(
  meta: unknown,
  format: OaiFormat,
): Omit<ArxivFields, 'arxivId'> & { arxivId: string | null } {
  const arxivId = normalizeArxivId(childText(meta, 'id'));
  const shared = sharedFields(meta);
  if (format === 'arXiv') {
    const authors = children(child(meta, 'authors'), 'author')
      .map(authorName)
      .filter((s) => s !== '');
    return { ...shared, arxivId, authors, publishedAt: isoDateTime(childText(meta, 'created')) };
  }
  const versions = rawVersions(meta);
  return {
    ...shared,
    arxivId,
    authors: splitAuthorList(childText(meta, 'authors')),
    publishedAt: versions?.find((v) => v.version === 1)?.submittedAt,
    arxivVersion: versions?.at(-1)?.version,
    versions,
  };
}
