/**
 * The shell of a huggingface.co page (head, header, footer) and the helpers the renderers share.
 * The markup follows the site's 2025–26 Tailwind layout; the weight of a real page (~300–400 KB)
 * comes mostly from an inline critical stylesheet generated here from a few short tables.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** HTML-escapes text or an attribute value: `& < > " '` become `&amp; &lt; &gt; &quot; &#39;`. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** A Svelte hydration point: `<div class="SVELTE_HYDRATER contents" data-target=… data-props=…>`. */
export function hydrater(target: string, props: unknown, inner = ''): string {
  return `<div class="SVELTE_HYDRATER contents" data-target="${target}" data-props="${esc(JSON.stringify(props))}">${inner}</div>`;
}

/** `Mar 20, 2024` (HF's `%b %d, %Y`, day not padded). */
export function formatDay(iso: string, withYear = true): string {
  const d = new Date(iso);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return withYear ? `${month} ${d.getUTCDate()}, ${d.getUTCFullYear()}` : `${month} ${d.getUTCDate()}`;
}

/** `1.18k` for counts of a thousand or more, as HF prints star counts. */
export function compactCount(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(n >= 10_000 ? 1 : 2).replace(/\.?0+$/, '')}k` : String(n);
}

const svg = (d: string, cls: string, box = '0 0 32 32'): string =>
  `<svg class="${cls}" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" aria-hidden="true" focusable="false" role="img" width="1em" height="1em" preserveAspectRatio="xMidYMid meet" viewBox="${box}"><path d="${d}" fill="currentColor"></path></svg>`;

/** Inline SVG icons, as the site inlines them (paths drawn for the snapshot). */
export const icon = {
  upvote: (cls = 'text-sm') =>
    svg('M5.75 25.25 16 7l10.25 18.25H5.75Zm3.06-1.75h14.38L16 10.66 8.81 23.5Z', cls, '0 0 32 32'),
  comment: (cls = 'mr-1 text-xs') =>
    svg(
      'M17.74 30 16 29l4-7h6a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h9v2H6a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4h20a4 4 0 0 1 4 4v12a4 4 0 0 1-4 4h-4.84Z M8 10h16v2H8zm0 6h10v2H8z',
      cls,
    ),
  github: (cls = 'mr-1.5 text-sm') =>
    svg(
      'M16 2.6a13.4 13.4 0 0 0-4.24 26.1c.67.12.92-.29.92-.64v-2.27c-3.73.81-4.51-1.58-4.51-1.58a3.55 3.55 0 0 0-1.49-1.96c-1.22-.83.09-.81.09-.81a2.81 2.81 0 0 1 2.05 1.38 2.85 2.85 0 0 0 3.9 1.11 2.85 2.85 0 0 1 .85-1.79c-2.98-.34-6.11-1.49-6.11-6.63a5.18 5.18 0 0 1 1.38-3.6 4.82 4.82 0 0 1 .13-3.55s1.13-.36 3.69 1.37a12.7 12.7 0 0 1 6.72 0c2.56-1.73 3.69-1.37 3.69-1.37a4.82 4.82 0 0 1 .13 3.55 5.18 5.18 0 0 1 1.38 3.6c0 5.15-3.14 6.29-6.12 6.62a3.2 3.2 0 0 1 .91 2.48v3.68c0 .44.24.77.92.64A13.4 13.4 0 0 0 16 2.6Z',
      cls,
    ),
  star: (cls = 'mr-1 text-xs') =>
    svg(
      'm16 6.52 2.76 5.58.46 1 1 .15 6.16.89-4.38 4.3-.75.73.18 1 1.05 6.13-5.51-2.89L16 23l-.94.49-5.5 2.85 1-6.13.18-1-.74-.77-4.42-4.35 6.16-.89 1-.15.46-1L16 6.52M16 2l-4.55 9.22-10.17 1.47 7.36 7.18L6.9 30l9.1-4.78L25.1 30l-1.74-10.13 7.36-7.17-10.17-1.48Z',
      cls,
    ),
  chevronLeft: (cls = 'text-xs') => svg('M10 16 20 6l1.4 1.4-8.6 8.6 8.6 8.6L20 26z', cls),
  chevronRight: (cls = 'text-xs') => svg('M22 16 12 26l-1.4-1.4 8.6-8.6-8.6-8.6L12 6z', cls),
  calendar: (cls = 'mr-1.5 text-gray-400') =>
    svg(
      'M26 4h-4V2h-2v2h-8V2h-2v2H6a2 2 0 0 0-2 2v20a2 2 0 0 0 2 2h20a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2Zm0 22H6V12h20Zm0-16H6V6h4v2h2V6h8v2h2V6h4Z',
      cls,
    ),
  search: (cls = 'absolute left-2.5 text-gray-400') =>
    svg(
      'm29 27.59-7.55-7.56a11.02 11.02 0 1 0-1.41 1.41L27.59 29ZM4 13a9 9 0 1 1 9 9 9.01 9.01 0 0 1-9-9Z',
      cls,
    ),
  models: (cls = 'mr-1.5 text-gray-400 group-hover:text-indigo-500') =>
    svg(
      'M20.23 7.24 12 12 3.77 7.24a1.98 1.98 0 0 1 .7-.71L11 2.76c.62-.35 1.38-.35 2 0l6.53 3.77c.29.173.53.418.7.71Z M12 12v9.5a2.09 2.09 0 0 1-.91-.21L4.5 17.48a2.003 2.003 0 0 1-1-1.73v-7.5a2.06 2.06 0 0 1 .27-1.01L12 12Z',
      cls,
      '0 0 24 24',
    ),
  datasets: (cls = 'mr-1.5 text-gray-400 group-hover:text-red-500') =>
    svg(
      'M12 3C7.58 3 4 4.79 4 7v10c0 2.21 3.59 4 8 4s8-1.79 8-4V7c0-2.21-3.58-4-8-4Zm6 14c0 .5-2.13 2-6 2s-6-1.5-6-2v-2.23c1.61.78 3.72 1.23 6 1.23s4.39-.45 6-1.23Zm0-4.55c-1.3.95-3.58 1.55-6 1.55s-4.7-.6-6-1.55V9.64c1.47.83 3.61 1.36 6 1.36s4.53-.53 6-1.36ZM12 9C8.13 9 6 7.5 6 7s2.13-2 6-2 6 1.5 6 2-2.13 2-6 2Z',
      cls,
      '0 0 24 24',
    ),
  spaces: (cls = 'mr-1.5 text-gray-400 group-hover:text-blue-500') =>
    svg(
      'M7.8 3.7a4.1 4.1 0 1 0 0 8.2 4.1 4.1 0 0 0 0-8.2Zm8.4 0a4.1 4.1 0 1 0 0 8.2 4.1 4.1 0 0 0 0-8.2Zm-8.4 8.4a4.1 4.1 0 1 0 0 8.2 4.1 4.1 0 0 0 0-8.2Zm8.4 0a4.1 4.1 0 1 0 0 8.2 4.1 4.1 0 0 0 0-8.2Z',
      cls,
      '0 0 24 24',
    ),
  docs: (cls = 'mr-1.5 text-gray-400 group-hover:text-yellow-500') =>
    svg(
      'M20 4H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2ZM4 6h7v12H4Zm9 12V6h7v12Z M14 8h5v1.5h-5zm0 3h5v1.5h-5zm0 3h5v1.5h-5z',
      cls,
      '0 0 24 24',
    ),
  logo: (cls = 'w-7 md:mr-2') =>
    `<svg class="${cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 95 88" fill="none" aria-hidden="true"><path fill="#FFD21E" d="M47.2 81.4A35.4 35.4 0 1 0 47.2 10.6a35.4 35.4 0 0 0 0 70.8Z"></path><path fill="#FF9D0B" d="M81.7 46a34.5 34.5 0 1 0-69 0 34.5 34.5 0 0 0 69 0Zm-73 0a38.5 38.5 0 1 1 77 0 38.5 38.5 0 0 1-77 0Z"></path><path fill="#3A3B45" d="M58.5 32.3c1.3.4 1.8 3 3.1 2.4a5 5 0 1 0-6.7-2.2c.6 1.1 2.5-.7 3.6-.2Zm-24.3 0c-1.2.4-1.7 3-3 2.4a5 5 0 1 1 6.7-2.2c-.6 1.1-2.5-.7-3.7-.2Z"></path><path fill="#FF323D" d="M46.9 59.6c9.6 0 12.7-8.6 12.7-13 0-2.2-1.5-1.5-3.9-.3-2.2 1.1-5.2 2.6-8.8 2.6-7.4 0-13.2-6.8-12.9-2.3 0 4.4 3.3 13 12.9 13Z"></path></svg>`,
};

const NAV: Array<[string, string, keyof typeof icon]> = [
  ['/models', 'Models', 'models'],
  ['/datasets', 'Datasets', 'datasets'],
  ['/spaces', 'Spaces', 'spaces'],
  ['/docs', 'Docs', 'docs'],
];

function header(): string {
  const links = NAV.map(
    ([href, label, ic]) =>
      `<li><a class="group flex items-center px-2 py-0.5 dark:text-gray-300 dark:hover:text-gray-100" href="${href}">${icon[ic]()}${label}</a></li>`,
  ).join('');
  const inner = `<header class="border-b border-gray-100 "><div class="w-full px-4 container flex h-16 items-center"><div class="flex flex-1 items-center"><a class="mr-5 flex flex-none items-center lg:mr-6" href="/">${icon.logo()}<span class="hidden whitespace-nowrap text-lg font-bold md:block">Hugging Face</span></a><div class="relative flex-1 lg:max-w-sm mr-2 sm:mr-4 md:mr-3 xl:mr-6"><input autocomplete="off" class="w-full dark:bg-gray-950 pl-8 form-input-alt h-9 pr-3 focus:shadow-xl " name="" placeholder="Search models, datasets, users..." spellcheck="false" type="text" value="">${icon.search()}</div><div class="flex flex-none items-center justify-center p-0.5 place-self-stretch lg:hidden"><button class="relative z-40 flex h-6 w-8 items-center justify-center" type="button"><svg width="1em" height="1em" viewBox="0 0 10 10" class="text-xl" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet" aria-hidden="true" focusable="false" role="img"><path fill-rule="evenodd" clip-rule="evenodd" d="M1.65 2.5a.35.35 0 0 1 .35-.35h6a.35.35 0 1 1 0 .7H2a.35.35 0 0 1-.35-.35ZM1.65 5a.35.35 0 0 1 .35-.35h6a.35.35 0 1 1 0 .7H2A.35.35 0 0 1 1.65 5Zm0 2.5a.35.35 0 0 1 .35-.35h6a.35.35 0 1 1 0 .7H2a.35.35 0 0 1-.35-.35Z" fill="currentColor"></path></svg></button></div></div><nav aria-label="Main" class="ml-auto hidden lg:block"><ul class="flex items-center gap-x-1 2xl:gap-x-2">${links}<li><a class="group flex items-center px-2 py-0.5 dark:text-gray-300 dark:hover:text-gray-100" href="/enterprise">Enterprise</a></li><li><a class="group flex items-center px-2 py-0.5 dark:text-gray-300 dark:hover:text-gray-100" href="/pricing">Pricing</a></li><li><hr class="h-5 w-0.5 border-none bg-gray-100 dark:bg-gray-800"></li><li><a class="block cursor-pointer whitespace-nowrap px-2 py-0.5 hover:text-gray-500 dark:text-gray-300 dark:hover:text-gray-100" href="/login">Log In</a></li><li><a class="whitespace-nowrap rounded-full border border-transparent bg-gray-900 px-3 py-1 leading-none text-white hover:border-black hover:bg-white hover:text-black" href="/join">Sign Up</a></li></ul></nav></div></header>`;
  return hydrater('MainHeader', { classNames: '', isWide: false, isZh: false, isPro: false }, inner);
}

function footer(): string {
  const col = (title: string, items: string[][]): string =>
    `<div><div class="mb-3 font-semibold text-gray-800 dark:text-gray-200">${title}</div><ul class="space-y-2 text-gray-500">${items.map(([h, l]) => `<li><a class="hover:underline" href="${h}">${l}</a></li>`).join('')}</ul></div>`;
  return `<footer class="b-12 mb-2 flex border-t border-gray-100 md:h-14"><nav class="container relative flex flex-col justify-between space-y-2 py-6 text-gray-500 max-md:*:self-start md:flex-row md:items-center md:space-y-0 md:py-0 md:text-sm"><div class="SVELTE_HYDRATER contents" data-target="ThemeSwitcher" data-props="{&quot;theme&quot;:&quot;system&quot;,&quot;isLoggedIn&quot;:false,&quot;menuClassNames&quot;:&quot;md:-top-24&quot;,&quot;classNames&quot;:&quot;max-md:mb-5 max-md:*:self-start&quot;}"></div><div class="order-last pt-6 md:order-none md:pt-0 grid grid-cols-2 gap-8">${col(
    'Company',
    [
      ['/terms-of-service', 'TOS'],
      ['/privacy', 'Privacy'],
      ['/huggingface', 'About'],
      ['https://apply.workable.com/huggingface/', 'Jobs'],
    ],
  )}${col('Website', [
    ['/models', 'Models'],
    ['/datasets', 'Datasets'],
    ['/spaces', 'Spaces'],
    ['/pricing', 'Pricing'],
    ['/docs', 'Docs'],
  ])}</div><a class="group order-first flex-none md:order-none" href="/" aria-label="Hugging Face">${icon.logo('w-7 flex-none group-hover:hidden')}</a></nav></footer>`;
}

const SCALE = [
  0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52,
  56, 60, 64, 72, 80, 96,
];
const SPACING: Array<[string, string]> = [
  ['p', 'padding'],
  ['px', 'padding-left'],
  ['py', 'padding-top'],
  ['pt', 'padding-top'],
  ['pr', 'padding-right'],
  ['pb', 'padding-bottom'],
  ['pl', 'padding-left'],
  ['m', 'margin'],
  ['mx', 'margin-left'],
  ['my', 'margin-top'],
  ['mt', 'margin-top'],
  ['mr', 'margin-right'],
  ['mb', 'margin-bottom'],
  ['ml', 'margin-left'],
  ['gap', 'gap'],
  ['gap-x', 'column-gap'],
  ['gap-y', 'row-gap'],
  ['w', 'width'],
  ['h', 'height'],
  ['min-w', 'min-width'],
  ['max-w', 'max-width'],
  ['top', 'top'],
  ['left', 'left'],
  ['size', 'width'],
];
const COLORS = [
  'gray',
  'red',
  'orange',
  'amber',
  'yellow',
  'green',
  'emerald',
  'blue',
  'indigo',
  'purple',
  'pink',
];
const SHADES = [50, 100, 200, 300, 400, 500, 600, 700, 800, 900, 950];
const SCREENS: Array<[string, number]> = [
  ['', 0],
  ['sm', 640],
  ['md', 768],
  ['lg', 1024],
  ['xl', 1280],
  ['2xl', 1536],
];

/** Tailwind-like utilities (spacing × breakpoints, colors × states): the bulk of a real page. */
function criticalCss(): string {
  const cls = (s: string): string => s.replace(/[.:/]/g, (c) => `\\${c}`).replace(/^\d/, (d) => `\\3${d} `);
  const rules: string[] = [];
  for (const [screen, min] of SCREENS) {
    const pre = screen ? `${screen}:` : '';
    const block = SPACING.flatMap(([k, prop]) =>
      SCALE.map((n) => `.${cls(`${pre}${k}-${n}`)}{${prop}:${n / 4}rem}`),
    ).join('');
    rules.push(min ? `@media (min-width:${min}px){${block}}` : block);
  }
  for (const [state, sel] of [
    ['', ''],
    ['hover:', ':hover'],
    ['dark:', ''],
  ] as const) {
    const scope = state === 'dark:' ? ':is(.dark *)' : sel;
    for (const c of COLORS) {
      SHADES.forEach((s, i) => {
        const rgb = `${250 - i * 22} ${245 - i * 21 - (c.length % 5) * 3} ${240 - i * 20 - (c.length % 3) * 7}`;
        for (const [k, prop] of [
          ['text', 'color'],
          ['bg', 'background-color'],
          ['border', 'border-color'],
        ]) {
          rules.push(
            `.${cls(`${state}${k}-${c}-${s}`)}${scope}{--tw-${k}-opacity:1;${prop}:rgb(${rgb}/var(--tw-${k}-opacity,1))}`,
          );
        }
      });
    }
  }
  return rules.join('\n');
}

const CSS = criticalCss();

/** What a page puts in its head and body. */
export interface ShellOptions {
  /** `<title>` text (unescaped). */
  title: string;
  description: string;
  /** Absolute URL of this page on the site being served. */
  canonical: string;
  ogImage: string;
  /** Extra class on `<body>`, e.g. `DailyPapersPage`. */
  bodyClass: string;
  /** The `<main>` content. */
  main: string;
}

/** A complete huggingface.co document around `main`. */
export function shell(o: ShellOptions): string {
  const t = esc(o.title);
  const d = esc(o.description);
  return `<!doctype html>
<html class="">
	<head>
		<meta charset="utf-8" />
		<meta name="viewport" content="width=device-width, initial-scale=1.0, user-scalable=no" />
		<meta name="description" content="${d}" />
		<meta property="fb:app_id" content="1321688464574422" />
		<meta name="twitter:card" content="summary_large_image" />
		<meta name="twitter:site" content="@huggingface" />
		<meta name="twitter:image" content="${esc(o.ogImage)}" />
		<meta property="og:title" content="${t}" />
		<meta property="og:type" content="website" />
		<meta property="og:url" content="${esc(o.canonical)}" />
		<meta property="og:image" content="${esc(o.ogImage)}" />
		<link rel="stylesheet" href="/front/build/kube-snapshot/style.css" />
		<link rel="preconnect" href="https://fonts.gstatic.com" />
		<link href="https://fonts.googleapis.com/css2?family=Source+Sans+Pro:ital,wght@0,200;0,300;0,400;0,600;0,700;1,200;1,300;1,400;1,600;1,700&display=swap" rel="stylesheet" />
		<link href="https://fonts.googleapis.com/css2?family=IBM+Plex+Mono:wght@400;600;700&display=swap" rel="stylesheet" />
		<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/katex@0.12.0/dist/katex.min.css" as="style" />
		<link rel="canonical" href="${esc(o.canonical)}" />
		<title>${t}</title>
		<style>${CSS}</style>
		<script defer data-domain="huggingface.co" event-loggedIn="false" src="/js/script.pageview-props.js"></script>
		<script>window.plausible = window.plausible || function () { (window.plausible.q = window.plausible.q || []).push(arguments); };</script>
		<script>window.hubConfig = {"features":{"signupDisabled":false},"sshGitUrl":"git@hf.co","moonHttpUrl":"https:\\/\\/huggingface.co","environment":"production","userAgent":"HuggingFace (production)","spacesIframeDomain":"hf.space","spacesApiUrl":"https:\\/\\/api.hf.space"};</script>
	</head>
	<body class="flex flex-col min-h-dvh bg-white dark:bg-gray-950 text-black ${o.bodyClass}">
		<div class="flex min-h-dvh flex-col">${hydrater('SystemThemeMonitor', { isLoggedIn: false })}${header()}
	<main class="flex flex-1 flex-col">${o.main}</main>${footer()}</div>
		<script>import("/front/build/kube-snapshot/index.js"); window.moonSha = "kube-snapshot/"; window.__hf_deferred = {};</script>
		<script>(function () { if (window.matchMedia("(prefers-color-scheme: dark)").matches) { document.documentElement.classList.add("dark"); } })();</script>
	</body>
</html>
`;
}
