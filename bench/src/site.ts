/**
 * The synthetic Hugging Face site, served by node:http on 127.0.0.1 as HF_BASE_URL. The pages the
 * contenders crawl are rendered from the deterministic model once, before anything is timed, and
 * served from memory: a real site costs the crawler's machine nothing, and this one shares its
 * cores. Other pages are rendered on request. Every listing request is logged (arrival time per
 * page) so that phases can be timed from the first fetch. Listing pages carry an ETag, their
 * content being fixed by the seed and the page, and answer 304 Not Modified to a request that names
 * it (`If-None-Match`), as a server that keeps ETags does: the pages of a re-crawl (`--recrawl`) are
 * answered without a body. With `answersConditionals` off, it answers such a request as any other,
 * 200 and the whole page, as a server that computes no 304s does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderDailyPageChunks } from './html.js';
import { dateOf, pageEntries, pageOfDate, pageRefs } from './model.js';

export interface SiteOptions {
  seed: number;
  /** Pages that exist: [0, maxPage). Others answer 404 like an invalid HF date. */
  maxPage: number;
  /** Pages [0, preRendered) are rendered at start and served from memory (about 440 KB each). */
  preRendered: number;
}

export interface RequestLog {
  /** Listing requests answered (200), all phases. */
  count: number;
  /** Listing requests answered 304 Not Modified, since the last `reset()`. */
  notModified: number;
  /** Epoch ms of the first and last listing request, since the last `reset()`. */
  first?: number;
  last?: number;
  /** Arrival time (epoch ms) of the first request for each page, since `reset()`. */
  pageFetchedAt: Map<number, number>;
  bytes: number;
  /** Time spent rendering pages on request (pre-rendered pages cost none). */
  renderMs: number;
}

export interface SyntheticSite {
  url: string;
  log: RequestLog;
  /** Whether a request naming a page's ETag gets 304 Not Modified (otherwise the page). @defaultValue true */
  answersConditionals: boolean;
  /** Starts a new timing window (keeps nothing from the previous phase). */
  reset(): void;
  /** Called with the page index on each listing request (after logging). */
  onPage?: (page: number, at: number) => void;
  close(): Promise<void>;
}

const now = (): number => performance.timeOrigin + performance.now();

/** A page's pieces written into one buffer, without joining them into one string first. */
function pageBytes(chunks: readonly string[]): Buffer {
  let size = 0;
  for (const c of chunks) size += Buffer.byteLength(c);
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (const c of chunks) at += bytes.write(c, at);
  return bytes;
}

export async function startSite(opts: SiteOptions): Promise<SyntheticSite> {
  const log: RequestLog = { count: 0, notModified: 0, pageFetchedAt: new Map(), bytes: 0, renderMs: 0 };
  let base = '';
  const site: SyntheticSite = {
    url: '',
    log,
    answersConditionals: true,
    reset() {
      log.first = undefined;
      log.last = undefined;
      log.pageFetchedAt = new Map();
      log.notModified = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const at = now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/robots.txt') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('User-agent: *\nAllow: /\n');
      return;
    }
    const m = /^\/papers\/date\/(\d{4}-\d{2}-\d{2})$/.exec(path);
    const p = m ? pageOfDate(m[1]!) : null;
    if (p === null || p >= opts.maxPage || req.method !== 'GET') {
      res.writeHead(404, { 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><h1>404</h1>');
      return;
    }
    const etag = `"${opts.seed}-${p}"`;
    if (site.answersConditionals && req.headers['if-none-match'] === etag) {
      log.notModified++;
      res.writeHead(304, { ETag: etag, 'Cache-Control': 'private, max-age=0' }).end();
      return;
    }
    log.count++;
    log.first ??= at;
    log.last = at;
    if (!log.pageFetchedAt.has(p)) log.pageFetchedAt.set(p, at);
    site.onPage?.(p, at);
    let body = rendered[p];
    if (!body) {
      const t0 = performance.now();
      body = render(p);
      log.renderMs += performance.now() - t0;
    }
    log.bytes += body.length;
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(body.length),
      'Cache-Control': 'private, max-age=0',
      ETag: etag,
    });
    res.end(body);
  };

  const render = (p: number): Buffer =>
    pageBytes(
      renderDailyPageChunks(base, dateOf(p), p > 0 ? dateOf(p - 1) : null, pageEntries(opts.seed, p)),
    );
  const rendered: Buffer[] = [];

  const server = createServer({ keepAliveTimeout: 10_000 }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site.url = base;
  // The pages embed the site's own URL, so they are rendered once it listens.
  for (let p = 0; p < Math.min(opts.preRendered, opts.maxPage); p++) rendered.push(render(p));
  return site;
}

/** The ids (`arxiv:…`) of the papers on page p, without rendering it. */
export { pageRefs };

/**
 * A local stand-in for every other base URL the workers know (arXiv pages, export API, OAI-PMH):
 * answers 404 to everything and counts the requests, so that whatever a worker is configured to
 * do, no request ever leaves 127.0.0.1.
 */
export async function startNullSite(): Promise<{
  url: string;
  requests: () => number;
  close(): Promise<void>;
}> {
  let n = 0;
  const server = createServer((req, res) => {
    n++;
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not part of the benchmark\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
