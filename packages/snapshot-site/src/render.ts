import { commentsFor } from './comments.js';
import { compactCount, esc, formatDay, hydrater, icon, shell } from './html.js';
import type { DailyPaperEntry, HfApiPaper, HfComment, HfPaper } from './types.js';

/** A listing page to render: a day, a week, a month, or the trending page. */
export interface ListingPage {
  /** Origin of the site being served, no trailing slash (for canonical and og:url). */
  baseUrl: string;
  /** The path of this page, e.g. `/papers/date/2024-03-20`. */
  path: string;
  entries: DailyPaperEntry[];
  /** Absent on the trending page. */
  periodType?: 'day' | 'week' | 'month';
  /** The period as HF names it: `2024-03-20`, `2024-W12`, `2024-03`. */
  dateString?: string;
  /** The neighbouring periods that have papers, or null. */
  prevDate?: string | null;
  nextDate?: string | null;
}

/** The props of the `DailyPapers` hydrater, exactly as serialized into `data-props`. */
export function listingProps(page: ListingPage): Record<string, unknown> {
  const props: Record<string, unknown> = { dailyPapers: page.entries };
  if (page.periodType !== undefined) {
    props.dateString = page.dateString;
    props.periodType = page.periodType;
    props.prevDate = page.prevDate ?? null;
    props.nextDate = page.nextDate ?? null;
  }
  props.query = {};
  return props;
}

function avatars(p: HfPaper): string {
  const lis = p.authors.slice(0, 5).map((a) => {
    const img = a.user
      ? `<img alt="" class="size-5 rounded-full border-2 border-white bg-gray-100 dark:border-gray-900" src="${esc(a.user.avatarUrl)}" crossorigin="anonymous" loading="lazy">`
      : `<div class="size-5 rounded-full border-2 border-white bg-gradient-to-br from-gray-100 to-gray-200 dark:border-gray-900 dark:from-gray-700 dark:to-gray-800"></div>`;
    return `<li class="-mr-2 h-5 w-5 md:-mr-2.5" title="${esc(a.name)}">${img}</li>`;
  });
  return `<ul class="flex items-center flex-row-reverse text-sm">${lis.reverse().join('')}</ul>`;
}

function card(e: DailyPaperEntry): string {
  const p = e.paper;
  const href = `/papers/${p.id}`;
  const s = e.submittedBy;
  const org = e.organization
    ? `<a href="/${esc(e.organization.name)}" class="flex items-center gap-1 truncate rounded-md border border-gray-100 px-1.5 py-0.5 text-xs text-gray-600 hover:border-gray-300 dark:border-gray-800 dark:text-gray-300"><img alt="" class="size-3.5 flex-none rounded-sm" src="${esc(e.organization.avatar)}" loading="lazy"><span class="truncate">${esc(e.organization.fullname)}</span></a>`
    : '';
  const gh =
    p.githubRepo !== undefined
      ? `<a href="${esc(p.githubRepo)}" target="_blank" rel="noopener noreferrer" class="flex items-center rounded-md border border-gray-200 bg-white px-1.5 py-0.5 text-xs text-gray-600 hover:bg-gray-50 dark:border-gray-800 dark:bg-gray-900 dark:text-gray-300">${icon.github()}${p.githubStars !== undefined ? `${icon.star()}<span>${compactCount(p.githubStars)}</span>` : '<span>GitHub</span>'}</a>`
      : '';
  const shown = p.authors.length;
  return `<article class="relative flex flex-col overflow-hidden rounded-xl border border-gray-100 bg-white shadow-sm transition-shadow hover:shadow-md dark:border-gray-800 dark:bg-gray-900"><a href="${href}" class="shadow-alternate-sm peer relative block h-56 w-full cursor-pointer overflow-hidden rounded-xl bg-white md:h-64"><img src="${esc(e.thumbnail)}" loading="lazy" decoding="async" alt="" class="h-full w-full object-cover object-top opacity-80 dark:opacity-70 dark:invert"></a>
<div class="shadow-alternate-sm relative mx-2 -mt-16 flex cursor-pointer flex-col gap-y-2 rounded-xl bg-white px-2 pb-3 pt-2 group-hover:brightness-110 md:-mt-20 dark:bg-gray-950"><div class="flex items-center justify-between gap-2"><div class="flex items-center gap-1.5 truncate rounded-md bg-gray-50 px-1.5 py-0.5 text-xs text-gray-500 dark:bg-gray-900"><span class="text-gray-400">Submitted by</span><img alt="" class="size-3.5 flex-none rounded-full" src="${esc(s.avatarUrl)}" crossorigin="anonymous" loading="lazy"><span class="truncate font-medium text-gray-700 dark:text-gray-300">${esc(s.name)}</span></div>${org}</div>
<div class="flex items-start gap-x-3"><div class="flex flex-none flex-col items-center"><label class="flex h-14 w-12 cursor-pointer select-none flex-col items-center justify-center gap-1 rounded-lg border border-gray-200 bg-white text-sm font-semibold shadow-sm hover:shadow-none dark:border-gray-700 dark:bg-gray-900" title="Upvote"><input type="checkbox" class="peer hidden">${icon.upvote()}<div class="leading-none">${p.upvotes}</div></label></div>
<div class="w-full"><h3 class="mb-1 text-lg/6 font-semibold hover:underline peer-hover:underline md:text-2xl/7"><a href="${href}" class="line-clamp-3 cursor-pointer text-balance">${esc(p.title)}</a></h3>
<div class="flex flex-wrap items-center justify-between gap-2"><a href="${href}" class="flex items-center text-sm text-gray-500">${avatars(p)}<span class="ml-3.5 whitespace-nowrap">· ${shown} author${shown === 1 ? '' : 's'}</span></a><div class="flex items-center gap-2">${gh}<a href="${href}#community" class="flex items-center rounded-md border border-gray-200 bg-white px-1.5 py-0.5 text-xs text-gray-600 hover:bg-gray-50 dark:border-gray-800 dark:bg-gray-900 dark:text-gray-300">${icon.comment()}${e.numComments}</a></div></div></div></div></div></article>`;
}

function periodNav(page: ListingPage): string {
  if (page.periodType === undefined || page.dateString === undefined) {
    return `<h1 class="text-2xl font-bold md:text-3xl">Trending Papers</h1>`;
  }
  const kind = page.periodType === 'day' ? 'date' : page.periodType;
  const label =
    page.periodType === 'day' ? formatDay(`${page.dateString}T00:00:00Z`, false) : page.dateString;
  const nav = (to: string | null | undefined, text: string, ic: string, before: boolean): string =>
    to
      ? `<a href="/papers/${kind}/${to}" class="btn inline-flex h-8 items-center gap-1 rounded-lg border px-2.5 text-sm">${before ? ic : ''}${text}${before ? '' : ic}</a>`
      : `<span class="btn pointer-events-none inline-flex h-8 items-center gap-1 rounded-lg border px-2.5 text-sm opacity-50">${before ? ic : ''}${text}${before ? '' : ic}</span>`;
  return `<div><h1 class="text-2xl font-bold md:text-3xl">Daily Papers</h1><p class="text-gray-500">by <a href="/akhaliq" class="underline">AK</a> and the research community</p></div><div class="flex items-center gap-2">${nav(page.prevDate, 'Previous', icon.chevronLeft(), true)}<div class="flex h-8 items-center rounded-lg border border-gray-200 px-3 text-sm font-semibold dark:border-gray-800">${icon.calendar()}<span>${esc(label)}</span></div>${nav(page.nextDate, 'Next', icon.chevronRight(), false)}</div>`;
}

/** A daily/weekly/monthly (or trending) listing page, as huggingface.co serves it. */
export function renderListing(page: ListingPage): string {
  const subscribe = hydrater(
    'DailyPapersBannerSubscribe',
    { isLoggedIn: false },
    `<div class="flex items-center justify-center gap-3 bg-gradient-to-r from-orange-50 to-yellow-50 px-4 py-2 text-sm dark:from-gray-900 dark:to-gray-900"><span>Get trending papers in your email inbox!</span><a href="/login?next=%2Fpapers" class="rounded-full bg-black px-3 py-0.5 text-white">Subscribe</a></div>`,
  );
  const cards = page.entries.map(card).join('\n');
  const inner = `<section class="container relative mb-20 mt-8 md:mt-10"><div class="mb-8 flex flex-col justify-between gap-4 md:flex-row md:items-end">${periodNav(page)}</div><div class="relative"><div class="grid grid-cols-1 gap-x-4 gap-y-6 md:grid-cols-2 lg:grid-cols-3">\n${cards}\n</div></div></section>`;
  return shell({
    title: 'Daily Papers - Hugging Face',
    description: 'Your daily dose of AI research from AK',
    canonical: `${page.baseUrl}${page.path}`,
    ogImage: 'https://huggingface.co/front/thumbnails/papers.png',
    bodyClass: 'DailyPapersPage',
    main: `${subscribe}${hydrater('DailyPapers', listingProps(page), inner)}`,
  });
}

/** The props of the `PaperContent` hydrater of a paper page. */
export function paperProps(
  latest: DailyPaperEntry,
  comments: HfComment[],
  rank: number,
): Record<string, unknown> {
  return {
    paper: latest.paper,
    comments,
    upvoters: [],
    dailyPaperRank: rank,
    canSubmit: false,
    query: {},
  };
}

function authorsLine(p: HfPaper): string {
  const items = p.authors.map((a) =>
    a.user
      ? `<span class="contents"><a href="/${esc(a.user.user)}" class="whitespace-nowrap underline decoration-gray-300 hover:decoration-gray-600">${esc(a.name)}</a></span>`
      : `<span class="contents"><button class="whitespace-nowrap underline decoration-dashed decoration-gray-300 hover:decoration-gray-600">${esc(a.name)}</button></span>`,
  );
  return `<div class="relative flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-gray-700 dark:text-gray-300"><span class="author mr-1 font-semibold">Authors:</span>${items.join('<span class="text-gray-400">,</span>\n')}</div>`;
}

function paperMain(e: DailyPaperEntry, comments: HfComment[]): string {
  const p = e.paper;
  const withdrawn = p.withdrawnAt
    ? `<div class="mb-4 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">This paper has been withdrawn on ${formatDay(p.withdrawnAt)}.</div>`
    : '';
  const submitted = p.submittedOnDailyAt
    ? `<div class="text-sm text-gray-500">Submitted by <a href="/${esc(e.submittedBy.name)}" class="font-medium text-gray-700">${esc(e.submittedBy.fullname)}</a> on <a href="/papers/date/${p.submittedOnDailyAt.slice(0, 10)}">${formatDay(p.submittedOnDailyAt, false)}</a></div>`
    : '';
  const btn = 'btn inline-flex h-9 items-center rounded-lg border px-3 text-sm';
  const links = [
    `<a href="https://arxiv.org/abs/${p.id}" class="${btn}" target="_blank">View arXiv page</a>`,
    `<a href="https://arxiv.org/pdf/${p.id}" class="${btn}" target="_blank">View PDF</a>`,
    p.projectPage ? `<a href="${esc(p.projectPage)}" class="${btn}" target="_blank">Project page</a>` : '',
    p.githubRepo !== undefined
      ? `<a href="${esc(p.githubRepo)}" class="${btn}" target="_blank">${icon.github()}GitHub${p.githubStars !== undefined ? ` ${compactCount(p.githubStars)}` : ''}</a>`
      : '',
  ].join('');
  const ai = p.ai_summary
    ? `<div class="mb-6 rounded-lg border border-gray-100 bg-gray-50 p-3 dark:border-gray-800 dark:bg-gray-900"><p class="mb-1 text-sm font-semibold text-gray-500">AI-generated summary</p><p class="text-gray-700 dark:text-gray-300">${esc(p.ai_summary)}</p></div>`
    : '';
  const kw = p.ai_keywords?.length
    ? `<div class="mb-6 flex flex-wrap gap-1.5">${p.ai_keywords.map((k) => `<span class="rounded-md bg-gray-100 px-1.5 py-0.5 text-xs text-gray-600 dark:bg-gray-800">${esc(k)}</span>`).join('')}</div>`
    : '';
  const threads = comments
    .map(
      (c) =>
        `<div class="mb-4 rounded-xl border border-gray-100 p-4 dark:border-gray-800"><div class="mb-2 flex items-center gap-2 text-sm"><img alt="" class="size-5 rounded-full" src="${esc(c.author.avatarUrl)}" loading="lazy"><a href="/${esc(c.author.name)}" class="font-semibold">${esc(c.author.fullname)}</a><span class="text-gray-400">· <time datetime="${c.createdAt}">${formatDay(c.createdAt)}</time></span></div><div class="prose prose-sm dark:prose-invert">${c.data.latest.html}</div></div>`,
    )
    .join('\n');
  return `<section class="pt-8 border-gray-100 bg-gradient-to-b from-gray-50 to-white md:pt-16 dark:from-gray-900"><div class="container">${withdrawn}<div class="mb-4 flex flex-wrap items-center gap-x-4 gap-y-1"><div class="text-sm text-gray-500">Published on ${formatDay(p.publishedAt)}</div>${submitted}</div>
<h1 class="mb-2 text-2xl font-semibold sm:text-3xl lg:pr-6 lg:text-3xl xl:pr-10 2xl:text-4xl">${esc(p.title)}</h1>
<div class="mb-4 flex items-center gap-3"><label class="flex h-9 cursor-pointer items-center gap-2 rounded-lg border px-3" title="Upvote"><input type="checkbox" class="peer hidden">${icon.upvote()}<span>Upvote</span><div class="font-semibold text-orange-500">${p.upvotes}</div></label></div>
${authorsLine(p)}
<div class="mb-6 mt-4 flex flex-wrap gap-2">${links}</div></div></section>
<section class="container pb-8"><h2 class="mb-2 text-xl font-semibold">Abstract</h2><div class="pb-8 pr-4 md:pr-16">${ai}<p class="text-gray-600 dark:text-gray-400">${esc(p.summary)}</p>${kw}</div></section>
<section id="community" class="container pb-12"><h3 class="mb-4 text-lg font-semibold">Community</h3>${threads || '<p class="text-gray-500">No comments yet.</p>'}</section>`;
}

/** The page `/papers/{id}` with its `PaperContent` blob; `all` feeds the Librarian Bot comment. */
export function renderPaperPage(
  baseUrl: string,
  latest: DailyPaperEntry,
  rank: number,
  all: readonly DailyPaperEntry[],
): string {
  const comments = commentsFor(latest, all);
  const p = latest.paper;
  const desc = p.ai_summary ?? p.summary.replace(/\s+/g, ' ').slice(0, 300);
  return shell({
    title: `Paper page - ${p.title}`,
    description: desc,
    canonical: `${baseUrl}/papers/${p.id}`,
    ogImage: latest.thumbnail,
    bodyClass: 'PaperPage',
    main: hydrater('PaperContent', paperProps(latest, comments, rank), paperMain(latest, comments)),
  });
}

/** `GET /api/papers/{id}`: the flat paper plus `numComments` and (empty) linked repos. */
export function apiPaper(latest: DailyPaperEntry): HfApiPaper {
  return {
    ...latest.paper,
    numComments: latest.numComments,
    linkedModels: [],
    numTotalModels: 0,
    linkedDatasets: [],
    numTotalDatasets: 0,
    linkedSpaces: [],
    numTotalSpaces: 0,
  };
}

/** huggingface.co's robots.txt, trimmed: everything allowed but a few private areas. */
export function renderRobots(): string {
  return [
    'User-agent: *',
    'Disallow: /api/settings',
    'Disallow: /settings',
    'Disallow: /oauth',
    'Disallow: /*/discussions/new',
    'Allow: /',
    '',
  ].join('\n');
}

/** The site's 404 page. */
export function renderNotFound(baseUrl: string, path: string): string {
  return shell({
    title: '404 – Hugging Face',
    description:
      "We're on a journey to advance and democratize artificial intelligence through open source and open science.",
    canonical: `${baseUrl}${path}`,
    ogImage: 'https://huggingface.co/front/thumbnails/v2-2.png',
    bodyClass: 'ErrorPage',
    main: `<div class="container flex flex-1 flex-col items-center justify-center py-24 text-center"><h1 class="text-4xl font-bold">404</h1><p class="mt-2 text-lg text-gray-500">Sorry, we can't find the page you are looking for.</p></div>`,
  });
}
