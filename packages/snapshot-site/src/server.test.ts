import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshot, startSnapshotSite } from './server.js';
import type { SnapshotSite } from './server.js';
import type { DailyPaperEntry, HfComment, HfPaper } from './types.js';

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const data = loadSnapshot();
let site: SnapshotSite;

beforeAll(async () => {
  site = await startSnapshotSite();
});
afterAll(async () => {
  await site.close();
});

/** Undoes the five entities the site writes into attributes (`&amp;` last). */
function decode(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function props(html: string, target: string): unknown {
  const m = new RegExp(
    `<div class="SVELTE_HYDRATER contents" data-target="${target}" data-props="([^"]*)">`,
  ).exec(html);
  if (!m?.[1]) throw new Error(`no ${target} hydrater`);
  return JSON.parse(decode(m[1]));
}

const get = (path: string, init?: RequestInit): Promise<Response> =>
  fetch(`${site.url}${path}`, { redirect: 'manual', ...init });

describe('routes', () => {
  it.each([
    ['/papers/date/2024-03-20', 200, HTML],
    ['/papers/2403.13187', 200, HTML],
    ['/papers/week/2024-W12', 200, HTML],
    ['/papers/month/2024-03', 200, HTML],
    ['/papers/trending', 200, HTML],
    ['/api/daily_papers?date=2024-03-20', 200, JSON_TYPE],
    ['/api/papers/2403.13187', 200, JSON_TYPE],
    ['/api/papers/2403.99999', 404, JSON_TYPE],
    ['/robots.txt', 200, 'text/plain; charset=utf-8'],
    ['/papers/2403.99999', 404, HTML],
    ['/models', 404, HTML],
    ['/api/daily_papers?date=2024-13-40', 400, JSON_TYPE],
    ['/api/daily_papers?limit=0', 400, JSON_TYPE],
    ['/api/daily_papers?limit=101', 400, JSON_TYPE],
  ])('%s answers %i %s', async (path, status, type) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe(type);
    if (status === 200) {
      expect(res.headers.get('etag')).toMatch(/^W\/".+"$/);
      expect(res.headers.get('last-modified')).toMatch(/ GMT$/);
    }
  });

  it('serves a robots.txt that allows all but private areas', async () => {
    const text = await (await get('/robots.txt')).text();
    expect(text).toMatch(/^User-agent: \*$/m);
    expect(text).toMatch(/^Disallow: \/api\/settings$/m);
    expect(text).not.toMatch(/^Disallow: \/papers/m);
  });

  it('keeps ETag and Last-Modified stable and answers conditional GETs with 304', async () => {
    const a = await get('/papers/date/2024-03-19');
    const b = await get('/papers/date/2024-03-19');
    const etag = a.headers.get('etag') ?? '';
    expect(b.headers.get('etag')).toBe(etag);
    expect(a.headers.get('last-modified')).toBe('Wed, 20 Mar 2024 06:00:00 GMT');
    expect(await a.text()).toBe(await b.text());
    expect((await get('/papers/date/2024-03-19', { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const since = { 'If-Modified-Since': a.headers.get('last-modified') ?? '' };
    expect((await get('/papers/date/2024-03-19', { headers: since })).status).toBe(304);
    expect((await get('/papers/date/2024-03-20')).headers.get('etag')).not.toBe(etag);
    const head = await get('/papers/date/2024-03-19', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('logs the requests it answered', async () => {
    await get('/api/papers/2403.99999');
    expect(site.requests.at(-1)).toEqual({ method: 'GET', path: '/api/papers/2403.99999', status: 404 });
  });
});

describe('listing pages', () => {
  it.each(data.days.map((d) => [d.date, d.entries] as const))(
    '%s carries the day in data-props and as cards',
    async (date, entries) => {
      const html = await (await get(`/papers/date/${date}`)).text();
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).toContain('<title>Daily Papers - Hugging Face</title>');
      expect(props(html, 'DailyPapers')).toMatchObject({
        dailyPapers: entries,
        dateString: date,
        periodType: 'day',
      });
      expect(html.match(/<article /g)).toHaveLength(entries.length);
      const titles = [
        ...html.matchAll(
          /<h3[^>]*><a href="\/papers\/([\d.]+)" class="line-clamp-3 cursor-pointer text-balance">([^<]*)<\/a><\/h3>/g,
        ),
      ];
      expect(titles.map((m) => [m[1], decode(m[2] ?? '')])).toEqual(
        entries.map((e) => [e.paper.id, e.paper.title]),
      );
      const ups = [
        ...html.matchAll(/<label[^>]*>(?:(?!<\/label>).)*<div class="leading-none">(\d+)<\/div><\/label>/g),
      ].map((m) => Number(m[1]));
      expect(ups).toEqual(entries.map((e) => e.paper.upvotes));
      expect(html.length).toBeGreaterThan(300_000);
    },
  );

  it('escapes &, <, >, quotes and apostrophes in the blob and the cards', async () => {
    const html = await (await get('/papers/date/2024-03-18')).text();
    const blob = /data-target="DailyPapers" data-props="([^"]*)"/.exec(html)?.[1] ?? '';
    expect(blob).not.toMatch(/[<>'"]/);
    expect(blob).toContain('&quot;');
    expect(blob).toContain('&lt;10B');
    expect(blob).toContain('Don&#39;t');
    expect(blob).toContain('Q&amp;A');
    expect(html).toContain(
      '>Don&#39;t Trust the &quot;Gold&quot; Labels: Auditing Benchmark Contamination in &lt;10B Open Models</a>',
    );
  });

  it('links neighbouring days and merges a week, one latest version per paper', async () => {
    const mid = props(await (await get('/papers/date/2024-03-20')).text(), 'DailyPapers');
    expect(mid).toMatchObject({ prevDate: '2024-03-19', nextDate: '2024-03-21' });
    const week = props(await (await get('/papers/week/2024-W12')).text(), 'DailyPapers') as {
      dailyPapers: DailyPaperEntry[];
    };
    expect(week.dailyPapers).toHaveLength(35);
    expect(week.dailyPapers.find((e) => e.paper.id === '2403.13187')?.paper.upvotes).toBe(74);
  });
});

describe('redirects', () => {
  it('sends /papers to the latest day', async () => {
    const res = await get('/papers');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/papers/date/2024-03-22');
  });

  it.each(['2024-03-23', '2024-03-16', '2023-01-02', '2024-13-40', 'yesterday'])(
    'sends the empty or invalid date %s to /papers, which lands on the latest day',
    async (date) => {
      const res = await get(`/papers/date/${date}`);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/papers');
      const followed = await fetch(`${site.url}/papers/date/${date}`);
      expect(followed.url).toBe(`${site.url}/papers/date/2024-03-22`);
      expect(props(await followed.text(), 'DailyPapers')).toMatchObject({ dateString: '2024-03-22' });
    },
  );

  it('redirects empty weeks and months too, and the 2024 ?date= form', async () => {
    expect((await get('/papers/week/2024-W20')).headers.get('location')).toBe('/papers');
    expect((await get('/papers/month/2024-04')).headers.get('location')).toBe('/papers');
    expect((await get('/papers/week/2024-52')).headers.get('location')).toBe('/papers');
    expect((await get('/papers?date=2024-03-19')).headers.get('location')).toBe('/papers/date/2024-03-19');
  });
});

describe('JSON API', () => {
  it('pages /api/daily_papers with p and limit, [] past the end', async () => {
    const day = data.days[2];
    if (!day) throw new Error('no day');
    const pages: DailyPaperEntry[][] = [];
    for (let p = 0; p < 4; p++) {
      const res = await get(`/api/daily_papers?date=${day.date}&limit=4&p=${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('link') !== null).toBe(p < 2);
      pages.push((await res.json()) as DailyPaperEntry[]);
    }
    expect(pages.map((p) => p.length)).toEqual([4, 4, 1, 0]);
    expect(pages.flat()).toEqual(day.entries);
    expect(await (await get('/api/daily_papers?date=2024-03-23')).json()).toEqual([]);
  });

  it('lists the latest entries without a date, each paper once', async () => {
    const all = (await (await get('/api/daily_papers?limit=100')).json()) as DailyPaperEntry[];
    expect(all).toHaveLength(35);
    const last = data.days[data.days.length - 1]?.entries ?? [];
    expect(all.slice(0, last.length)).toEqual(last);
  });

  it('serves the flat paper with its latest upvotes', async () => {
    const paper = (await (await get('/api/papers/2403.13372')).json()) as HfPaper & { numComments: number };
    expect(paper.upvotes).toBe(103);
    expect(paper.githubRepo).toBe('https://github.com/hiyouga/LLaMA-Factory');
    expect(paper.numComments).toBe(4);
  });
});

describe('paper pages', () => {
  it('carry the PaperContent blob with the latest paper and its comments', async () => {
    const html = await (await get('/papers/2403.13187')).text();
    expect(html).toContain('<title>Paper page - Evolutionary Optimization of Model Merging Recipes</title>');
    const p = props(html, 'PaperContent') as { paper: HfPaper; comments: HfComment[] };
    const latest = data.days[4]?.entries.find((e) => e.paper.id === '2403.13187');
    expect(p.paper).toEqual(latest?.paper);
    expect(p.comments).toHaveLength(latest?.numComments ?? -1);
    expect(p.comments[0]?.author.name).toBe('librarian-bot');
    expect(html).toContain('href="https://arxiv.org/abs/2403.13187"');
  });

  it('marks a withdrawn paper', async () => {
    const html = await (await get('/papers/2403.13655')).text();
    expect((props(html, 'PaperContent') as { paper: HfPaper }).paper.withdrawnAt).toBe(
      '2024-03-21T14:02:11.000Z',
    );
    expect(html).toContain('This paper has been withdrawn');
  });
});

describe('a subset of days', () => {
  it('serves only those days, with their upvotes', async () => {
    const small = await startSnapshotSite({ days: ['2024-03-18', '2024-03-19'] });
    try {
      expect(small.days).toEqual(['2024-03-18', '2024-03-19']);
      expect(small.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const f = (path: string): Promise<Response> => fetch(`${small.url}${path}`, { redirect: 'manual' });
      expect((await f('/papers')).headers.get('location')).toBe('/papers/date/2024-03-19');
      expect((await f('/papers/date/2024-03-20')).status).toBe(302);
      expect(((await (await f('/api/papers/2403.09629')).json()) as HfPaper).upvotes).toBe(63);
      expect((await f('/api/papers/2403.13187')).status).toBe(404);
    } finally {
      await small.close();
    }
    await expect(startSnapshotSite({ days: ['2024-03-25'] })).rejects.toThrow(/no listing for 2024-03-25/);
  });
});
