import { distinctPapers, isoWeek, selectDays } from './data.js';
import { apiPaper, renderListing, renderNotFound, renderPaperPage, renderRobots } from './render.js';
import type { ListingPage } from './render.js';
import type { DailyPaperEntry, SnapshotData, SnapshotDay } from './types.js';

/** What the site answers to one request, before HTTP framing (ETag, HEAD, 304). */
export interface SiteResponse {
  status: number;
  /** Full header value, e.g. `text/html; charset=utf-8`. */
  contentType: string;
  body: string;
  /** Extra headers (`Location`, `Link`). */
  headers?: Record<string, string>;
  /** Stable per content; sent as `Last-Modified` on 200 answers. */
  lastModified?: Date;
}

/** Answers a GET for a path + query; `baseUrl` is the origin the client used. */
export type SiteHandler = (url: URL, baseUrl: string) => SiteResponse;

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const WEEK = /^\d{4}-W\d{2}$/;
const MONTH = /^\d{4}-\d{2}$/;
const PAPER_ID = /^\d{4}\.\d{4,5}$/;

function isCalendarDay(s: string): boolean {
  if (!DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** A listing day counts as modified the morning after it (06:00 UTC), when it was "captured". */
function stamp(days: readonly SnapshotDay[]): Date {
  const last = days.reduce((m, d) => (d.date > m ? d.date : m), '1970-01-01');
  return new Date(Date.parse(`${last}T00:00:00Z`) + 30 * 3_600_000);
}

/** Entries of several days, one per paper (its latest version), most upvoted first. */
function merged(days: readonly SnapshotDay[]): DailyPaperEntry[] {
  return distinctPapers(days)
    .map((a) => a.latest)
    .sort((a, b) => b.paper.upvotes - a.paper.upvotes);
}

function redirect(location: string): SiteResponse {
  return {
    status: 302,
    contentType: TEXT,
    body: `Found. Redirecting to ${location}`,
    headers: { Location: location },
  };
}

function json(status: number, value: unknown, extra?: Partial<SiteResponse>): SiteResponse {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(value), ...extra };
}

/**
 * The routing of the snapshot site over `data` (restricted to `days` when given): listing pages,
 * paper pages, the two JSON APIs, robots.txt, HF's redirects and 404s.
 */
export function createSite(data: SnapshotData, days?: readonly string[]): SiteHandler {
  const selected = selectDays(data, days);
  const dates = selected.map((d) => d.date);
  const latestDate = dates[dates.length - 1];
  const papers = new Map(distinctPapers(selected).map((a) => [a.id, a]));
  const allLatest = [...papers.values()].map((a) => a.latest);
  const periodDays = (kind: 'week' | 'month', value: string): SnapshotDay[] =>
    selected.filter((d) => (kind === 'week' ? isoWeek(d.date) === value : d.date.startsWith(`${value}-`)));
  const neighbours = (values: string[], v: string): { prevDate: string | null; nextDate: string | null } => {
    const i = values.indexOf(v);
    return { prevDate: values[i - 1] ?? null, nextDate: values[i + 1] ?? null };
  };
  const distinct = (xs: string[]): string[] => [...new Set(xs)];

  function listing(
    base: string,
    path: string,
    on: SnapshotDay[],
    page: Omit<ListingPage, 'baseUrl' | 'path' | 'entries'>,
  ): SiteResponse {
    const entries = page.periodType === 'day' ? (on[0]?.entries ?? []) : merged(on);
    return {
      status: 200,
      contentType: HTML,
      body: renderListing({ ...page, baseUrl: base, path, entries }),
      lastModified: stamp(on),
    };
  }

  function papersRoute(url: URL, base: string, segs: string[]): SiteResponse | null {
    const [, kind, value, extra] = segs;
    if (extra !== undefined) return null;
    if (kind === undefined) {
      const date = url.searchParams.get('date');
      if (date !== null) return redirect(dates.includes(date) ? `/papers/date/${date}` : '/papers');
      return latestDate === undefined ? redirect('/') : redirect(`/papers/date/${latestDate}`);
    }
    if (value === undefined) {
      if (kind === 'trending') return listing(base, '/papers/trending', selected, {});
      const a = PAPER_ID.test(kind) ? papers.get(kind) : undefined;
      if (!a) return null;
      const body = renderPaperPage(base, a.latest, a.firstRank, allLatest);
      return {
        status: 200,
        contentType: HTML,
        body,
        lastModified: stamp(selected.filter((d) => a.days.includes(d.date))),
      };
    }
    // Invalid and empty periods alike go back to /papers, as on huggingface.co.
    if (kind === 'date') {
      const day = selected.find((d) => d.date === value);
      if (!day || day.entries.length === 0) return redirect('/papers');
      return listing(base, `/papers/date/${value}`, [day], {
        periodType: 'day',
        dateString: value,
        ...neighbours(dates, value),
      });
    }
    if (kind === 'week' || kind === 'month') {
      const v = kind === 'week' ? value.toUpperCase() : value;
      const on = (kind === 'week' ? WEEK : MONTH).test(v) ? periodDays(kind, v) : [];
      if (on.length === 0) return redirect('/papers');
      const all = distinct(dates.map((d) => (kind === 'week' ? isoWeek(d) : d.slice(0, 7))));
      return listing(base, `/papers/${kind}/${v}`, on, {
        periodType: kind,
        dateString: v,
        ...neighbours(all, v),
      });
    }
    return null;
  }

  function dailyApi(url: URL, base: string): SiteResponse {
    const q = url.searchParams;
    const p = q.get('p') ?? '0';
    const limit = q.get('limit') ?? '50';
    if (!/^\d+$/.test(p)) return json(400, { error: '"p" must be a non-negative integer' });
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 100)
      return json(400, { error: '"limit" must be an integer between 1 and 100' });
    const date = q.get('date');
    const week = q.get('week');
    const month = q.get('month');
    let entries: DailyPaperEntry[];
    if (date !== null) {
      if (!isCalendarDay(date)) return json(400, { error: 'Invalid date' });
      entries = selected.find((d) => d.date === date)?.entries ?? [];
    } else if (week !== null) {
      if (!WEEK.test(week.toUpperCase())) return json(400, { error: 'Invalid week' });
      entries = merged(periodDays('week', week.toUpperCase()));
    } else if (month !== null) {
      if (!MONTH.test(month)) return json(400, { error: 'Invalid month' });
      entries = merged(periodDays('month', month));
    } else {
      // No period: the latest entries, newest day first, each paper once.
      const seen = new Set<string>();
      entries = [...selected]
        .reverse()
        .flatMap((d) => d.entries.filter((e) => !seen.has(e.paper.id) && seen.add(e.paper.id)));
    }
    const start = Number(p) * Number(limit);
    const page = entries.slice(start, start + Number(limit));
    const headers: Record<string, string> = {};
    if (start + Number(limit) < entries.length) {
      const next = new URL(url.pathname + url.search, base);
      next.searchParams.set('p', String(Number(p) + 1));
      headers.Link = `<${next.href}>; rel="next"`;
    }
    return json(200, page, { headers, lastModified: stamp(selected) });
  }

  return (url, base) => {
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const segs = path.split('/').filter((s) => s !== '');
    if (path === '/robots.txt')
      return {
        status: 200,
        contentType: TEXT,
        body: renderRobots(),
        lastModified: new Date(data.snapshotAt),
      };
    if (path === '/') return redirect('/papers');
    if (segs[0] === 'papers') {
      const r = papersRoute(url, base, segs);
      if (r) return r;
    }
    if (segs[0] === 'api' && segs.length === 2 && segs[1] === 'daily_papers') return dailyApi(url, base);
    if (segs[0] === 'api' && segs.length === 3 && segs[1] === 'papers' && segs[2] !== undefined) {
      const a = papers.get(segs[2]);
      return a
        ? json(200, apiPaper(a.latest), {
            lastModified: stamp(selected.filter((d) => a.days.includes(d.date))),
          })
        : json(404, { error: 'Paper not found' });
    }
    if (segs[0] === 'api') return json(404, { error: "Sorry, we can't find the page you are looking for." });
    return { status: 404, contentType: HTML, body: renderNotFound(base, path) };
  };
}
