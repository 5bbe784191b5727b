/**
 * Renders a daily listing page in huggingface.co's real shape (docs/sources.md): a full
 * document whose `DailyPapers` Svelte hydrater carries the entity-encoded `data-props` blob,
 * followed by the visible 2025–26 cards. A compact cousin of packages/snapshot-site's renderer
 * (whose public surface does not export it); the page weight (~300–400 KB) comes from the blob,
 * the cards and an inline utility stylesheet, as on the real site.
 */
import type { Entry } from './model.js';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

/** A Svelte hydrater's markup up to its `data-props` value, which follows entity-encoded. */
const hydraterOpening = (target: string): string =>
  `<div class="SVELTE_HYDRATER contents" data-target="${target}" data-props="`;

export const hydrater = (target: string, props: unknown, inner = ''): string =>
  `${hydraterOpening(target)}${esc(JSON.stringify(props))}">${inner}</div>`;

const svg = (d: string, cls: string): string =>
  `<svg class="${cls}" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" width="1em" height="1em" viewBox="0 0 32 32"><path d="${d}" fill="currentColor"></path></svg>`;
const UPVOTE = svg('M5.75 25.25 16 7l10.25 18.25H5.75Zm3.06-1.75h14.38L16 10.66 8.81 23.5Z', 'text-sm');
const COMMENT = svg(
  'M17.74 30 16 29l4-7h6a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h9v2H6a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4h20a4 4 0 0 1 4 4v12a4 4 0 0 1-4 4h-4.84Z M8 10h16v2H8zm0 6h10v2H8z',
  'mr-1 text-xs',
);
const GITHUB = svg(
  'M16 2.6a13.4 13.4 0 0 0-4.24 26.1c.67.12.92-.29.92-.64v-2.27c-3.73.81-4.51-1.58-4.51-1.58a3.55 3.55 0 0 0-1.49-1.96c-1.22-.83.09-.81.09-.81a2.81 2.81 0 0 1 2.05 1.38 2.85 2.85 0 0 0 3.9 1.11 2.85 2.85 0 0 1 .85-1.79c-2.98-.34-6.11-1.49-6.11-6.63a5.18 5.18 0 0 1 1.38-3.6 4.82 4.82 0 0 1 .13-3.55s1.13-.36 3.69 1.37a12.7 12.7 0 0 1 6.72 0c2.56-1.73 3.69-1.37 3.69-1.37a4.82 4.82 0 0 1 .13 3.55 5.18 5.18 0 0 1 1.38 3.6c0 5.15-3.14 6.29-6.12 6.62a3.2 3.2 0 0 1 .91 2.48v3.68c0 .44.24.77.92.64A13.4 13.4 0 0 0 16 2.6Z',
  'mr-1.5 text-sm',
);

const compact = (n: number): string =>
  n >= 1000 ? `${(n / 1000).toFixed(n >= 10_000 ? 1 : 2).replace(/\.?0+$/, '')}k` : String(n);

function card(e: Entry): string {
  const p = e.paper;
  const href = `/papers/${p.id}`;
  const lis = p.authors
    .slice(0, 3)
    .map(
      (a) =>
        `<li class="-mr-2 h-5 w-5" title="${esc(a.name)}">${a.user ? `<img alt="" class="size-5 rounded-full border-2 border-white bg-gray-100" src="${esc(a.user.avatarUrl)}" crossorigin="anonymous" loading="lazy">` : '<div class="size-5 rounded-full border-2 border-white bg-gradient-to-br from-gray-100 to-gray-200"></div>'}</li>`,
    )
    .reverse()
    .join('');
  const org = e.organization
    ? `<a href="/${esc(e.organization.name)}" class="flex items-center gap-1 truncate rounded-md border border-gray-100 px-1.5 py-0.5 text-xs text-gray-600"><img alt="" class="size-3.5 flex-none rounded-sm" src="${esc(e.organization.avatar)}" loading="lazy"><span class="truncate">${esc(e.organization.fullname)}</span></a>`
    : '';
  const gh = p.githubRepo
    ? `<a href="${esc(p.githubRepo)}" target="_blank" rel="noopener noreferrer" class="flex items-center rounded-md border border-gray-200 bg-white px-1.5 py-0.5 text-xs text-gray-600">${GITHUB}<span>${compact(p.githubStars ?? 0)}</span></a>`
    : '';
  const n = p.authors.length;
  return `<article class="relative flex flex-col overflow-hidden rounded-xl border border-gray-100 bg-white shadow-sm transition-shadow"><a href="${href}" class="peer relative block h-56 w-full overflow-hidden rounded-xl"><img src="${esc(e.thumbnail)}" loading="lazy" decoding="async" alt="" class="h-full w-full object-cover"></a>
<div class="shadow-alternate-sm relative mx-2 -mt-16 flex cursor-pointer flex-col gap-y-2 rounded-xl bg-white px-2 pb-3 pt-2"><div class="flex items-center justify-between gap-2"><div class="flex items-center gap-1.5 truncate rounded-md bg-gray-50 px-1.5 py-0.5 text-xs text-gray-500"><span class="text-gray-400">Submitted by</span><img alt="" class="size-3.5 flex-none rounded-full" src="${esc(e.submittedBy.avatarUrl)}" crossorigin="anonymous" loading="lazy"><span class="truncate font-medium text-gray-700">${esc(e.submittedBy.name)}</span></div>${org}</div>
<div class="flex items-start gap-x-3"><div class="flex flex-none flex-col items-center"><label class="flex h-14 w-12 cursor-pointer select-none flex-col items-center justify-center gap-1 rounded-lg border border-gray-200 bg-white text-sm font-semibold shadow-sm" title="Upvote"><input type="checkbox" class="peer hidden">${UPVOTE}<div class="leading-none">${p.upvotes}</div></label></div>
<div class="w-full"><h3 class="mb-1 text-lg/6 font-semibold"><a href="${href}" class="line-clamp-3 cursor-pointer text-balance">${esc(p.title)}</a></h3>
<div class="flex flex-wrap items-center justify-between gap-2"><a href="${href}" class="flex items-center text-sm text-gray-500"><ul class="flex items-center flex-row-reverse text-sm">${lis}</ul><span class="ml-3.5 whitespace-nowrap">· ${n} author${n === 1 ? '' : 's'}</span></a><div class="flex items-center gap-2">${gh}<a href="${href}#community" class="flex items-center rounded-md border border-gray-200 bg-white px-1.5 py-0.5 text-xs text-gray-600">${COMMENT}${e.numComments}</a></div></div></div></div></div></article>`;
}

/** Tailwind-like utilities (spacing × breakpoints): a real page inlines ~100 KB of critical CSS. */
function criticalCss(): string {
  const scale = [0, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24];
  const props: Array<[string, string]> = [
    ['p', 'padding'],
    ['px', 'padding-left'],
    ['py', 'padding-top'],
    ['pt', 'padding-top'],
    ['pb', 'padding-bottom'],
    ['m', 'margin'],
    ['mx', 'margin-left'],
    ['my', 'margin-top'],
    ['mt', 'margin-top'],
    ['mb', 'margin-bottom'],
    ['gap', 'gap'],
    ['w', 'width'],
    ['h', 'height'],
    ['size', 'width'],
  ];
  const screens: Array<[string, number]> = [
    ['', 0],
    ['md', 768],
  ];
  const cls = (s: string): string => s.replace(/[.:/]/g, (c) => `\\${c}`);
  return screens
    .map(([screen, min]) => {
      const pre = screen ? `${screen}:` : '';
      const block = props
        .flatMap(([k, prop]) => scale.map((n) => `.${cls(`${pre}${k}-${n}`)}{${prop}:${n / 4}rem}`))
        .join('');
      return min ? `@media (min-width:${min}px){${block}}` : block;
    })
    .join('\n');
}
const CSS = criticalCss();

/** The page `/papers/date/{date}` as huggingface.co serves it. */
export function renderDailyPage(
  baseUrl: string,
  date: string,
  prev: string | null,
  entries: Entry[],
): string {
  return renderDailyPageChunks(baseUrl, date, prev, entries).join('');
}

/**
 * The same page in pieces of a few KB each, the blob's papers and the cards one by one, so that
 * the site never builds one string of the page: V8 maps every string over 128 KB fresh from the
 * kernel, and a page built as one string cost the site hundreds of page faults (on this project's
 * VMs about 10 µs each), on the cores the contenders share (`bench/README.md`). The site writes the
 * pieces into one buffer; {@link renderDailyPage} joins them, byte for byte the same page.
 */
export function renderDailyPageChunks(
  baseUrl: string,
  date: string,
  prev: string | null,
  entries: Entry[],
): string[] {
  const rest = { dateString: date, periodType: 'day', prevDate: prev, nextDate: null, query: {} };
  // JSON.stringify({ dailyPapers: entries, ...rest }), entity-encoded, a paper at a time.
  const props = [
    esc('{"dailyPapers":['),
    ...entries.map((e, i) => esc((i ? ',' : '') + JSON.stringify(e))),
    esc(`],${JSON.stringify(rest).slice(1)}`),
  ];
  const section = `<section class="container relative mb-20 mt-8 md:mt-10"><div class="mb-8 flex flex-col justify-between gap-4 md:flex-row md:items-end"><div><h1 class="text-2xl font-bold md:text-3xl">Daily Papers</h1><p class="text-gray-500">by <a href="/akhaliq" class="underline">AK</a> and the research community</p></div><div class="flex h-8 items-center rounded-lg border border-gray-200 px-3 text-sm font-semibold">${date}</div></div><div class="relative"><div class="grid grid-cols-1 gap-x-4 gap-y-6 md:grid-cols-2 lg:grid-cols-3">\n`;
  const cards = entries.map((e, i) => (i ? '\n' : '') + card(e));
  const canonical = esc(`${baseUrl}/papers/date/${date}`);
  const head = `<!doctype html>
<html class="">
	<head>
		<meta charset="utf-8" />
		<meta name="viewport" content="width=device-width, initial-scale=1.0, user-scalable=no" />
		<meta name="description" content="Your daily dose of AI research from AK" />
		<meta property="og:title" content="Daily Papers - Hugging Face" />
		<meta property="og:url" content="${canonical}" />
		<meta property="og:image" content="https://huggingface.co/front/thumbnails/papers.png" />
		<link rel="stylesheet" href="/front/build/kube-snapshot/style.css" />
		<link rel="canonical" href="${canonical}" />
		<title>Daily Papers - Hugging Face</title>
		<style>`;
  const body = `</style>
		<script>window.hubConfig = {"features":{"signupDisabled":false},"sshGitUrl":"git@hf.co","environment":"production"};</script>
	</head>
	<body class="flex flex-col min-h-dvh bg-white dark:bg-gray-950 text-black DailyPapersPage">
		<div class="flex min-h-dvh flex-col">${hydrater('SystemThemeMonitor', { isLoggedIn: false })}${hydrater('MainHeader', { classNames: '', isWide: false, isZh: false, isPro: false }, '<header class="border-b border-gray-100"><div class="w-full px-4 container flex h-16 items-center"><a class="mr-5 flex flex-none items-center lg:mr-6" href="/"><span class="hidden whitespace-nowrap text-lg font-bold md:block">Hugging Face</span></a><nav aria-label="Main" class="ml-auto hidden lg:block"><ul class="flex items-center gap-x-1 2xl:gap-x-2"><li><a href="/models">Models</a></li><li><a href="/datasets">Datasets</a></li><li><a href="/spaces">Spaces</a></li><li><a href="/docs">Docs</a></li><li><a href="/login">Log In</a></li><li><a href="/join">Sign Up</a></li></ul></nav></div></header>')}
	<main class="flex flex-1 flex-col">${hydraterOpening('DailyPapers')}`;
  const tail = `</main><footer class="b-12 mb-2 flex border-t border-gray-100 md:h-14"><nav class="container relative flex flex-col justify-between space-y-2 py-6 text-gray-500"><a href="/terms-of-service">TOS</a><a href="/privacy">Privacy</a><a href="/huggingface">About</a></nav></footer></div>
		<script>import("/front/build/kube-snapshot/index.js"); window.moonSha = "kube-snapshot/"; window.__hf_deferred = {};</script>
	</body>
</html>
`;
  return [head, CSS, body, ...props, `">${section}`, ...cards, '\n</div></div></section></div>', tail];
}
