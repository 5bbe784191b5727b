import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSnapshot } from './data.js';
import { createSite } from './site.js';
import type { SiteHandler, SiteResponse } from './site.js';

export { loadSnapshot, snapshotTruth } from './data.js';
export type { SnapshotPaperTruth } from './data.js';
export type { SnapshotData } from './types.js';

/** A running snapshot site. */
export interface SnapshotSite {
  /** `http://127.0.0.1:PORT`, no trailing slash: use it as `HF_BASE_URL`. */
  url: string;
  /** The listing days served, oldest first. */
  days: string[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
  /** Every request answered so far, in order; `path` is the request target (path and query). */
  requests: Array<{ method: string; path: string; status: number }>;
}

/** Options of {@link startSnapshotSite}. */
export interface SnapshotSiteOptions {
  /** Port to listen on. @defaultValue `0` (a free port) */
  port?: number;
  /** Interface to bind. @defaultValue `127.0.0.1` */
  host?: string;
  /** Serve only these listing days (`YYYY-MM-DD`, all present in the data). @defaultValue all days */
  days?: string[];
}

function etagOf(body: string): string {
  return `W/"${Buffer.byteLength(body).toString(16)}-${createHash('sha1').update(body).digest('base64url').slice(0, 27)}"`;
}

/** True when the request's validators show the client already holds this version. */
function notModified(req: IncomingMessage, etag: string, lastModified: Date | undefined): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((t) => t.trim() === etag || t.trim() === '*');
  const ims = req.headers['if-modified-since'];
  if (ims === undefined || lastModified === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(since / 1000);
}

function send(req: IncomingMessage, res: ServerResponse, r: SiteResponse): number {
  const head: Record<string, string> = { 'Content-Type': r.contentType, ...r.headers };
  let status = r.status;
  if (status === 200) {
    const etag = etagOf(r.body);
    head.ETag = etag;
    if (r.lastModified) head['Last-Modified'] = r.lastModified.toUTCString();
    if (notModified(req, etag, r.lastModified)) status = 304;
  }
  if (status === 304) {
    delete head['Content-Type'];
    res.writeHead(304, head).end();
    return status;
  }
  head['Content-Length'] = String(Buffer.byteLength(r.body));
  res.writeHead(status, head);
  res.end(req.method === 'HEAD' ? undefined : r.body);
  return status;
}

function handle(site: SiteHandler, req: IncomingMessage, res: ServerResponse, fallbackBase: string): number {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res
      .writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'application/json; charset=utf-8' })
      .end('{"error":"Method not allowed"}');
    return 405;
  }
  const host = req.headers.host;
  const base = host ? `http://${host}` : fallbackBase;
  let url: URL;
  try {
    url = new URL(req.url ?? '/', base);
  } catch {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Bad Request');
    return 400;
  }
  return send(req, res, site(url, base));
}

/**
 * Starts a local stand-in for huggingface.co serving the bundled snapshot (`data/hf-days.json`):
 * `/papers` (302 to the latest day), `/papers/date|week|month/…` (302 to `/papers` when empty),
 * `/papers/trending`, `/papers/{id}`, `/api/daily_papers` (`date`/`week`/`month`, `p`, `limit`),
 * `/api/papers/{id}` and `/robots.txt`. 200 answers carry a weak ETag and a Last-Modified that
 * depend only on the content, and conditional GETs get 304.
 *
 * @throws when `days` names a day that is not in the data, or the port cannot be bound.
 */
export async function startSnapshotSite(opts: SnapshotSiteOptions = {}): Promise<SnapshotSite> {
  const host = opts.host ?? '127.0.0.1';
  const data = loadSnapshot();
  const site = createSite(data, opts.days);
  const days = opts.days
    ? data.days.map((d) => d.date).filter((d) => opts.days?.includes(d))
    : data.days.map((d) => d.date);
  const requests: SnapshotSite['requests'] = [];
  let base = `http://${host}`;
  const server = createServer((req, res) => {
    let status: number;
    try {
      status = handle(site, req, res, base);
    } catch (err) {
      status = 500;
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`Internal error: ${err instanceof Error ? err.message : String(err)}`);
    }
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '/', status });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: base,
    days,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
