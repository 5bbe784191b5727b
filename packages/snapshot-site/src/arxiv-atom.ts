/**
 * The export API `/api/query` in its current dialect (docs/sources.md#arxiv-export-api, captured
 * February 2026): namespaces declared once on `<feed>`, `arXiv Query:` title, `Z` dates, https
 * links, ids still `http://arxiv.org/abs/{id}vN`, missing ids silently omitted, an `/api/errors#`
 * entry (HTTP 400) for a malformed id or parameter.
 */
import { createHash } from 'node:crypto';
import { atomDate, latestVersion, versionDate } from './arxiv-data.js';
import type { ArxivPaper, ArxivVersion } from './arxiv-types.js';

/** The answer of the API before HTTP framing. */
export interface AtomAnswer {
  status: 200 | 400;
  body: string;
}

const NEW_ID = /^\d{2}(?:0[1-9]|1[0-2])\.(\d{4,5})(?:v\d+)?$/;
const OLD_ID = /^[a-z]+(-[a-z]+)?(\.[A-Z]{2})?\/\d{7}(v\d+)?$/;

/** XML text escaping: `& < >` (what an XML serializer escapes in text). */
function x(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** XML attribute escaping: text escaping plus `"`. */
function xa(text: string): string {
  return x(text).replace(/"/g, '&quot;');
}

/**
 * Well-formed per docs/record-schema.md#arxiv-ids, and with 4 digits after the dot up to 1412, 5
 * from 1501.
 */
function wellFormed(id: string): boolean {
  if (OLD_ID.test(id)) return true;
  const m = NEW_ID.exec(id);
  return m !== null && (id.slice(0, 4) < '1501' ? m[1]?.length === 4 : m[1]?.length === 5);
}

function feed(o: {
  query: string;
  selfHref: string;
  updated: string;
  perPage: number;
  total: number;
  start: number;
  entries: string[];
}): string {
  const id = createHash('sha1').update(o.query).digest('base64').slice(0, 27);
  return `<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/${x(id)}</id>
  <title>arXiv Query: ${x(o.query)}</title>
  <updated>${o.updated}</updated>
  <link href="${xa(o.selfHref)}" type="application/atom+xml"/>
  <opensearch:itemsPerPage>${o.perPage}</opensearch:itemsPerPage>
  <opensearch:totalResults>${o.total}</opensearch:totalResults>
  <opensearch:startIndex>${o.start}</opensearch:startIndex>
${o.entries.join('\n')}${o.entries.length > 0 ? '\n' : ''}</feed>
`;
}

/** One `<entry>` for version `v` of `p`; title and summary are the raw metadata, wraps included. */
function entry(baseUrl: string, p: ArxivPaper, v: ArxivVersion): string {
  const first = p.versions[0] ?? v;
  const idv = `${p.id}v${v.v}`;
  const primary = p.categories[0] ?? '';
  const lines = [
    `    <id>http://arxiv.org/abs/${idv}</id>`,
    `    <title>${x(p.title)}</title>`,
    `    <updated>${atomDate(versionDate(v))}</updated>`,
    `    <link href="${xa(baseUrl)}/abs/${idv}" rel="alternate" type="text/html"/>`,
    `    <link href="${xa(baseUrl)}/pdf/${idv}" rel="related" type="application/pdf" title="pdf"/>`,
    `    <summary>${x(p.abstract)}</summary>`,
    ...p.categories.map((c) => `    <category term="${xa(c)}" scheme="http://arxiv.org/schemas/atom"/>`),
    `    <published>${atomDate(versionDate(first))}</published>`,
    ...(p.comments === undefined ? [] : [`    <arxiv:comment>${x(p.comments)}</arxiv:comment>`]),
    `    <arxiv:primary_category term="${xa(primary)}"/>`,
    ...(p.journal_ref === undefined
      ? []
      : [`    <arxiv:journal_ref>${x(p.journal_ref)}</arxiv:journal_ref>`]),
    ...p.authors.map((a) => `    <author>\n      <name>${x(a)}</name>\n    </author>`),
    ...(p.doi === undefined
      ? []
      : [
          `    <arxiv:doi>${x(p.doi)}</arxiv:doi>`,
          `    <link rel="related" href="https://doi.org/${xa(p.doi)}"/>`,
        ]),
  ];
  return `  <entry>\n${lines.join('\n')}\n  </entry>`;
}

function errorEntry(updated: string, code: string, message: string): string {
  const href = `http://arxiv.org/api/errors#${code}`;
  return `  <entry>
    <id>${x(href)}</id>
    <title>Error</title>
    <summary>${x(message)}</summary>
    <updated>${updated}</updated>
    <link href="${xa(href)}" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>`;
}

/** Finds version `vN` of `p` (the latest when `vN` is absent); undefined when it does not exist. */
function pickVersion(p: ArxivPaper, v: string | undefined): ArxivVersion | undefined {
  if (v === undefined) return latestVersion(p);
  return p.versions.find((x) => x.v === Number(v));
}

/**
 * Answers `GET {api}?search_query=&id_list=&start=&max_results=`. With `id_list`, one entry per
 * found id in request order (versioned ids give that version), `totalResults` = the number found;
 * a `search_query` alone matches nothing here (an empty feed). `max_results` defaults to 10.
 *
 * @param apiUrl the API's URL as the client used it (the feed's self link).
 * @param baseUrl where the abs/pdf links point.
 * @param updated ISO instant printed as the feed's `<updated>` (kept stable for ETags).
 */
export function answerQuery(
  q: URLSearchParams,
  papers: ReadonlyMap<string, ArxivPaper>,
  apiUrl: string,
  baseUrl: string,
  updated: Date,
): AtomAnswer {
  const searchQuery = q.get('search_query') ?? '';
  const idList = q.get('id_list') ?? '';
  const startRaw = q.get('start') ?? '0';
  const maxRaw = q.get('max_results') ?? '10';
  const when = atomDate(updated);
  const query = `search_query=${searchQuery}&id_list=${idList}&start=${startRaw}&max_results=${maxRaw}`;
  const enc = (s: string): string =>
    encodeURIComponent(s).replace(/%2C/gi, ',').replace(/%3A/gi, ':').replace(/%20/g, '+');
  const selfHref = `${apiUrl}?search_query=${enc(searchQuery)}&start=${enc(startRaw)}&max_results=${enc(maxRaw)}&id_list=${enc(idList)}`;
  const fail = (code: string, message: string): AtomAnswer => ({
    status: 400,
    body: feed({
      query,
      selfHref,
      updated: when,
      perPage: 1,
      total: 1,
      start: 0,
      entries: [errorEntry(when, code, message)],
    }),
  });
  if (!/^\d+$/.test(startRaw)) return fail('start_must_be_an_integer', 'start must be an integer');
  if (!/^\d+$/.test(maxRaw)) return fail('max_results_must_be_an_integer', 'max_results must be an integer');
  const start = Number(startRaw);
  const max = Number(maxRaw);
  if (max > 2000) return fail('max_results_must_be_at_most_2000', 'max_results must be at most 2000');
  const ids = idList === '' ? [] : idList.split(',').map((s) => s.trim());
  const bad = ids.find((id) => !wellFormed(id));
  if (bad !== undefined) return fail(`incorrect_id_format_for_${bad}`, `incorrect id format for ${bad}`);
  const found: string[] = [];
  for (const id of ids) {
    const m = /^(.*?)(?:v(\d+))?$/.exec(id);
    const p = m?.[1] === undefined ? undefined : papers.get(m[1]);
    const v = p ? pickVersion(p, m?.[2]) : undefined;
    if (p && v) found.push(entry(baseUrl, p, v));
  }
  return {
    status: 200,
    body: feed({
      query,
      selfHref,
      updated: when,
      perPage: max,
      total: found.length,
      start,
      entries: found.slice(start, start + max),
    }),
  };
}
