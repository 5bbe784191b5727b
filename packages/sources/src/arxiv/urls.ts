/** URLs the enrichment stage builds to look papers up on arXiv. */
import { parseArxivId } from '@paperline/identity';
import { tryUrl } from '../base-url.js';
import type { Route, SourceBases } from '../types.js';
import { arxivLinks } from './common.js';

/** The most ids one export API call is sent (arXiv's own examples stay well under its limits). */
export const ARXIV_API_BATCH = 100;

/** The route of every URL {@link arxivApiUrlsForIds} makes: export API queries. */
export const ARXIV_API_ROUTE: Route = { source: 'arxiv', type: 'arxiv-api' };

/** `2402.13572`, `2402.13572v2`, `hep-th/9901001`: normalized, with the version kept when given. */
function canonical(raw: string): string | null {
  const parts = parseArxivId(raw);
  if (parts === null) return null;
  return parts.version === undefined ? parts.id : `${parts.id}v${parts.version}`;
}

/**
 * Export API URLs that fetch the given papers: `{apiUrl}?id_list={ids,comma-separated}&max_results={n}`,
 * at most {@link ARXIV_API_BATCH} (100) ids per URL, in input order. Ids are normalized (the
 * `arXiv:` prefix and URL forms are accepted; a `vN` asks for that version); duplicates and
 * strings that are not arXiv ids are dropped, since one malformed id makes arXiv answer the whole
 * batch with an error.
 *
 * @returns `[]` for no usable ids or an `apiUrl` that is not an http(s) URL.
 */
export function arxivApiUrlsForIds(ids: string[], apiUrl: string): string[] {
  const base = tryUrl(apiUrl.trim());
  if (base === null || (base.protocol !== 'http:' && base.protocol !== 'https:')) return [];
  const unique = [...new Set(ids.map(canonical).filter((id) => id !== null))];
  const urls: string[] = [];
  for (let i = 0; i < unique.length; i += ARXIV_API_BATCH) {
    const batch = unique.slice(i, i + ARXIV_API_BATCH);
    const u = new URL(base.href);
    u.hash = '';
    // Commas and slashes are legal in a query; written as is, the URL stays readable.
    u.search = `id_list=${batch.join(',')}&max_results=${batch.length}`;
    urls.push(u.href);
  }
  return urls;
}

/**
 * The abstract page of an arXiv id on the configured base: `{arxivBaseUrl}/abs/{id}`, version
 * dropped (the page of the latest version). Accepts any spelling `parseArxivId` reads.
 *
 * @returns the URL, or null when `id` is not an arXiv id.
 */
export function arxivAbsUrl(id: string, bases: SourceBases): string | null {
  const parts = parseArxivId(id);
  return parts === null ? null : arxivLinks(parts.id, bases).abs;
}
