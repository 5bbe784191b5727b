/**
 * arXiv's HTML pages in the shapes of arxiv-browse (docs/sources.md#arxiv): the abstract page and
 * the `new` listing. arXiv's own absolute URLs point at the stand-in (`baseUrl`); arXiv DOIs and
 * related DOIs keep `https://doi.org/`.
 */
import {
  authorQuery,
  categoryDisplay,
  collapse,
  CATEGORY_NAMES,
  lastFirst,
  latestVersion,
  shortDate,
  slashDate,
  tex2utf,
  versionDate,
} from './arxiv-data.js';
import type { ArxivPaper, ArxivVersion } from './arxiv-types.js';
import { esc } from './html.js';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The arXiv page frame: head (with `extraHead`), header with search box, footer. */
function page(o: { title: string; canonical?: string; extraHead?: string; body: string }): string {
  const canonical = o.canonical ? `\n  <link rel="canonical" href="${esc(o.canonical)}"/>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <title>${esc(o.title)}</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="apple-touch-icon" sizes="180x180" href="/static/browse/0.3.4/images/icons/apple-touch-icon.png">
  <link rel="stylesheet" type="text/css" media="screen" href="/static/browse/0.3.4/css/arXiv.css?v=20240305" />
  <meta charset="utf-8" />${canonical}${o.extraHead ?? ''}
  <script src="/static/browse/0.3.4/js/mathjaxToggle.min.js" type="text/javascript"></script>
</head>
<body class="with-cu-identity">
  <div class="flex-wrap-footer">
    <header>
      <a href="#content" class="is-sr-only">Skip to main content</a>
      <div id="cu-identity"><div id="cu-logo"><a href="https://www.cornell.edu/">Cornell University</a></div>
        <div id="support-ack">We gratefully acknowledge support from the Simons Foundation, member institutions, and all contributors.</div></div>
      <div id="header" class="is-hidden-mobile"><h1><a href="/">arXiv</a></h1>
        <div class="search-block level-right"><form class="level-item mini-search" method="GET" action="https://arxiv.org/search">
          <input class="input is-small" type="text" name="query" placeholder="Search..." aria-label="Search term or terms" />
          <button class="button is-small is-cul-darker">Search</button></form></div></div>
    </header>
    <main><div id="content">
${o.body}
    </div></main>
    <footer><div class="columns is-desktop" role="navigation" aria-label="Secondary">
      <ul class="nav-spaced"><li><a href="https://info.arxiv.org/about">About</a></li><li><a href="https://info.arxiv.org/help">Help</a></li>
      <li><a href="https://info.arxiv.org/help/license/index.html">Copyright</a></li><li><a href="https://info.arxiv.org/help/policies/privacy_policy.html">Privacy Policy</a></li></ul>
    </div></footer>
  </div>
</body>
</html>
`;
}

function authorLinks(p: ArxivPaper, rel: string): string {
  const archive = (p.categories[0] ?? 'cs').split('.')[0] ?? 'cs';
  return p.authors
    .map(
      (a) =>
        `<a href="/search/${archive}?searchtype=author&amp;query=${esc(authorQuery(a))}"${rel}>${esc(a)}</a>`,
    )
    .join(', ');
}

function subjects(p: ArxivPaper): string {
  const [primary = '', ...rest] = p.categories;
  return `<span class="primary-subject">${esc(categoryDisplay(primary))}</span>${rest.map((c) => `; ${esc(categoryDisplay(c))}`).join('')}`;
}

/** `[Submitted on 7 Jan 2008 (v1), last revised 3 Mar 2008 (this version, v3)]`, as abs.html builds it. */
function dateline(p: ArxivPaper, shown: ArxivVersion): string {
  const latest = latestVersion(p);
  const first = p.versions[0] ?? latest;
  const link = (v: ArxivVersion, text: string): string => `<a href="/abs/${p.id}v${v.v}">${text}</a>`;
  let s = `[Submitted on ${shortDate(versionDate(first))}`;
  if (shown.v === 1 && latest.v > 1) s += ' (this version)';
  if (shown.v !== 1) s += ` (${link(first, 'v1')})`;
  if (shown.v > 1 && shown.v < latest.v)
    s += `, revised ${shortDate(versionDate(shown))} (this version, v${shown.v})`;
  if (shown.v !== latest.v)
    s += `, <em>latest version ${shortDate(versionDate(latest))}</em> (${link(latest, `v${latest.v}`)})`;
  else if (shown.v > 1) s += `, last revised ${shortDate(versionDate(latest))} (this version, v${shown.v})`;
  return `${s}]`;
}

function history(p: ArxivPaper, shown: ArxivVersion): string {
  return p.versions
    .map((v) => {
      const label =
        v.v === shown.v
          ? `<strong>[v${v.v}]</strong>`
          : `<strong><a href="/abs/${p.id}v${v.v}" rel="nofollow">[v${v.v}]</a></strong>`;
      const size = `(${v.size.toLocaleString('en-US')} KB)`;
      return `${label} ${esc(v.date)} ${size}${v.withdrawn ? ' <em>(withdrawn)</em>' : ''}<br/>`;
    })
    .join('\n');
}

function metaTags(baseUrl: string, p: ArxivPaper, shown: ArxivVersion): string {
  const first = p.versions[0] ?? shown;
  const tags: Array<[string, string]> = [
    ['citation_title', collapse(p.title)],
    ...p.authors.map((a): [string, string] => ['citation_author', lastFirst(a)]),
    ...(p.doi === undefined ? [] : [['citation_doi', p.doi] as [string, string]]),
    ['citation_date', slashDate(versionDate(first))],
    ['citation_online_date', slashDate(versionDate(shown))],
    ['citation_pdf_url', `${baseUrl}/pdf/${p.id}`],
    ['citation_arxiv_id', p.id],
    ['citation_abstract', collapse(p.abstract)],
  ];
  const title = collapse(tex2utf(p.title));
  const abstract = collapse(tex2utf(p.abstract));
  const social = [
    `<meta name="twitter:site" content="@arxiv"/>`,
    `<meta property="twitter:title" content="${esc(title.length > 70 ? `${title.slice(0, 67)}...` : title)}"/>`,
    `<meta property="twitter:description" content="${esc(abstract.length > 200 ? `${abstract.slice(0, 197)}...` : abstract)}"/>`,
    `<meta property="og:site_name" content="arXiv.org"/>`,
    `<meta property="og:title" content="${esc(title)}"/>`,
    `<meta property="og:url" content="${esc(`${baseUrl}/abs/${p.id}v${shown.v}`)}"/>`,
    `<meta property="og:description" content="${esc(abstract)}"/>`,
  ];
  return [...tags.map(([n, c]) => `<meta name="${n}" content="${esc(c)}"/>`), ...social]
    .map((t) => `\n  ${t}`)
    .join('');
}

/**
 * The abstract page `/abs/{id}[vN]` of version `shown` of `p`
 * (docs/sources.md#arxiv-abstract-pages): Google Scholar meta tags, dateline, title (TeX accents
 * resolved), authors, abstract, metatable, submission history, and the withdrawal notice when the
 * paper (or a newer version of it) was withdrawn.
 */
export function renderAbsPage(
  baseUrl: string,
  p: ArxivPaper,
  shown: ArxivVersion,
  requestedId: string,
): string {
  const latest = latestVersion(p);
  const primary = p.categories[0] ?? '';
  let notice = '';
  if (latest.withdrawn)
    notice =
      shown.v === latest.v
        ? `<span class="error" style="font-size: 150%; font-weight: bold; color: #b31b1b;">This paper has been withdrawn by ${esc(p.submitter)}</span>\n`
        : `<span class="error">A newer version of this paper has been withdrawn by ${esc(p.submitter)}</span>\n`;
  const rows = [
    p.comments === undefined
      ? ''
      : `<tr><td class="tablecell label">Comments:</td><td class="tablecell comments mathjax">${esc(p.comments)}</td></tr>`,
    `<tr><td class="tablecell label">Subjects:</td><td class="tablecell subjects">${subjects(p)}</td></tr>`,
    p.journal_ref === undefined
      ? ''
      : `<tr><td class="tablecell label">Journal&nbsp;reference:</td><td class="tablecell jref">${esc(p.journal_ref)}</td></tr>`,
    p.doi === undefined
      ? ''
      : `<tr><td class="tablecell label"><abbr title="Digital Object Identifier">Related DOI</abbr>:</td><td class="tablecell doi"><a href="https://doi.org/${esc(p.doi)}" data-doi="${esc(p.doi)}" class="link-https link-external" rel="external noopener nofollow">https://doi.org/${esc(p.doi)}</a></td></tr>`,
    `<tr><td class="tablecell label">Cite as:</td><td class="tablecell arxivid"><span class="arxivid"><a href="${baseUrl}/abs/${p.id}">arXiv:${p.id}</a> [${esc(primary)}]</span></td></tr>`,
    `<tr><td class="tablecell label">&nbsp;</td><td class="tablecell arxividv">(or <span class="arxivid"><a href="${baseUrl}/abs/${p.id}v${shown.v}">arXiv:${p.id}v${shown.v}</a> [${esc(primary)}]</span> for this version)</td></tr>`,
    `<tr><td class="tablecell label">&nbsp;</td><td class="tablecell arxivdoi"><a href="https://doi.org/10.48550/arXiv.${p.id}" id="arxiv-doi-link">https://doi.org/10.48550/arXiv.${p.id}</a></td></tr>`,
  ].filter((r) => r !== '');
  const download = shown.withdrawn
    ? `<li><a href="/format/${p.id}v${shown.v}" class="abs-button download-format">Other Formats</a></li>`
    : `<li><a href="/pdf/${p.id}v${shown.v}" aria-describedby="download-button-info" accesskey="f" class="abs-button download-pdf">View PDF</a></li>\n<li><a href="/format/${p.id}v${shown.v}" class="abs-button download-format">Other Formats</a></li>`;
  const body = `<div id="abs-outer">
<div class="leftcolumn">
<div class="subheader"><h1>${esc(CATEGORY_NAMES[primary] ?? primary)}</h1></div>
<div class="header-breadcrumbs-mobile"><strong>arXiv:${esc(requestedId)}</strong> (${esc(primary.split('.')[0] ?? '')})</div>
<div id="content-inner">
<div id="abs">
${notice}<div class="dateline">${dateline(p, shown)}</div>
<h1 class="title mathjax"><span class="descriptor">Title:</span>${esc(tex2utf(p.title))}</h1>
<div class="authors"><span class="descriptor">Authors:</span>${authorLinks(p, ' rel="nofollow"')}</div>
<div id="download-button-info" hidden>View a PDF of the paper titled ${esc(collapse(tex2utf(p.title)))}, by ${esc(p.authors[0] ?? '')} and ${p.authors.length - 1} other authors</div>
<blockquote class="abstract mathjax"><span class="descriptor">Abstract:</span>${esc(tex2utf(p.abstract))}</blockquote>
<div class="metatable"><table summary="Additional metadata">
${rows.join('\n')}
</table></div>
</div>
</div>
<div class="submission-history"><h2>Submission history</h2> From: ${esc(p.submitter)} [<a href="/show-email/${p.id.replace('.', '')}/${p.id}">view email</a>]<br/>
${history(p, shown)}
</div>
</div>
<div class="extra-services"><div class="full-text"><h2>Access Paper:</h2><ul>
${download}
</ul></div></div>
</div>`;
  return page({
    title: `[${requestedId}] ${collapse(tex2utf(p.title))}`,
    canonical: `${baseUrl}/abs/${p.id}`,
    extraHead: metaTags(baseUrl, p, shown),
    body,
  });
}

/** What a `new` listing item is: a new submission, a cross-list or a replacement. */
export type ListingKind = 'new' | 'cross' | 'rep';

function listingItem(p: ArxivPaper, n: number, kind: ListingKind, baseUrl: string): string {
  const latest = latestVersion(p);
  const type =
    kind === 'cross'
      ? `\n    (cross-list from ${esc(p.categories[0] ?? '')})`
      : kind === 'rep'
        ? '\n    (replaced)'
        : '';
  const html = latest.withdrawn
    ? ''
    : `, <a href="${baseUrl}/html/${p.id}v${latest.v}" title="View HTML" id="html-${p.id}" aria-labelledby="html-${p.id}" rel="noopener noreferrer" target="_blank">html</a>`;
  const comments =
    p.comments === undefined
      ? ''
      : `\n    <div class='list-comments mathjax'><span class='descriptor'>Comments:</span>\n      ${esc(p.comments)}\n    </div>`;
  const jref =
    p.journal_ref === undefined
      ? ''
      : `\n    <div class='list-journal-ref'><span class='descriptor'>Journal-ref:</span>\n      ${esc(p.journal_ref)}\n    </div>`;
  return `  <dt>
    <a name='item${n}'>[${n}]</a>
    <a href ="/abs/${p.id}" title="Abstract" id="${p.id}">
      arXiv:${p.id}
    </a>${type}
    [<a href="/pdf/${p.id}" title="Download PDF" id="pdf-${p.id}" aria-labelledby="pdf-${p.id}">pdf</a>${html}, <a href="/format/${p.id}" title="Other formats" id="oth-${p.id}" aria-labelledby="oth-${p.id}">other</a>]
  </dt>
  <dd>
    <div class='meta'>
    <div class='list-title mathjax'><span class='descriptor'>Title:</span>
      ${esc(p.title)}
    </div>
    <div class='list-authors'>${authorLinks(p, '')}</div>${comments}${jref}
    <div class='list-subjects'><span class='descriptor'>Subjects:</span>
      ${subjects(p)}
    </div>
    <p class='mathjax'>
      ${esc(tex2utf(p.abstract.trim()))}
    </p>
    </div>
  </dd>`;
}

/** A `new` listing: the items of one category for one announcement day, by section. */
export interface NewListing {
  category: string;
  /** `YYYY-MM-DD` */
  announced: string;
  sections: Array<{ kind: ListingKind; papers: ArxivPaper[] }>;
}

const HEADINGS: Record<ListingKind, string> = {
  new: 'New submissions',
  cross: 'Cross submissions',
  rep: 'Replacement submissions',
};

/**
 * `/list/{cat}/new` (docs/sources.md#arxiv-listing-pages): the index,
 * `Showing new listings for …`, then one `dl#articles` per non-empty section with `dt`/`dd` pairs
 * numbered across sections, or `No updates today.` when all are empty.
 */
export function renderNewListing(baseUrl: string, l: NewListing): string {
  const name = CATEGORY_NAMES[l.category] ?? l.category;
  const d = new Date(`${l.announced}T00:00:00Z`);
  const day = `${DAYS[d.getUTCDay()] ?? ''}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()] ?? ''} ${d.getUTCFullYear()}`;
  const total = l.sections.reduce((n, s) => n + s.papers.length, 0);
  let n = 0;
  const index: string[] = [];
  const lists: string[] = [];
  for (const s of l.sections) {
    if (s.papers.length === 0) continue;
    const heading = `${HEADINGS[s.kind]} (showing ${s.papers.length} of ${s.papers.length} entries)`;
    index.push(
      `<li><a href="/list/${l.category}/new?skip=0&amp;show=2000#item${n + 1}" rel="nofollow">${heading}</a></li>`,
    );
    const items = s.papers.map((p) => listingItem(p, ++n, s.kind, baseUrl));
    lists.push(`<dl id='articles'>\n  <h3>${heading}</h3>\n${items.join('\n')}\n</dl>`);
  }
  const paging = `<div class='paging'>Total of ${total} entries : <span>1-${total}</span>\n</div>\n<div class='morefewer'>Showing up to 2000 entries per page:\n  <span style="color: #454545">fewer</span> |\n  <span style="color: #454545">more</span> |\n  <span style="color: #454545">all</span>\n</div>`;
  const body = `<div id='content-inner'>
<div id='dlpage'>
<h1>${esc(name)}</h1>
<ul>
${index.join('\n')}
</ul>
<p>See <a id="recent-${l.category}" aria-labelledby="recent-${l.category}" href="/list/${l.category}/recent">recent</a> articles</p>
<h3>Showing new listings for ${day}</h3>
${paging}
${lists.length > 0 ? lists.join('\n') : '<p>No updates today.</p>'}
${paging}
</div>
</div>`;
  return page({ title: name, body });
}

/** arXiv's 404 page for an id it does not know. */
export function renderArxivNotFound(what: string): string {
  return page({
    title: 'Article identifier not recognized',
    body: `<div id="content-inner"><h1>Article identifier '${esc(what)}' not recognized</h1>\n<p>You might instead try to <a href="/search">search for articles</a> using title or author information.</p>\n<p>For additional help on arXiv identifiers, see <a href="https://info.arxiv.org/help/arxiv_identifier.html">understanding the arXiv identifier</a>.</p></div>`,
  });
}

/** arXiv's robots.txt, trimmed: /abs, /list and /api allowed, private and heavy areas not. */
export function renderArxivRobots(): string {
  return [
    'User-agent: *',
    'Allow: /abs/',
    'Allow: /list/',
    'Allow: /api/',
    'Disallow: /show-email/',
    'Disallow: /auth/',
    'Disallow: /user/',
    'Disallow: /e-print/',
    'Disallow: /src/',
    '',
  ].join('\n');
}
