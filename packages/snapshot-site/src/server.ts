import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadArxivSnapshot } from './arxiv-data.js';
import { createArxivSite } from './arxiv-site.js';
import { loadSnapshot } from './data.js';
import { createSite } from './site.js';
import type { SiteHandler, SiteResponse } from './site.js';

export { loadSnapshot, snapshotTruth } from './data.js';
export type { SnapshotPaperTruth } from './data.js';
export { loadArxivSnapshot, snapshotArxivTruth } from './arxiv-data.js';
export type { SnapshotArxivPaperTruth } from './arxiv-data.js';
export type { SnapshotData } from './types.js';
export type { ArxivData } from './arxiv-types.js';

/** One answered request: `path` is the request target (path and query). */
export interface SnapshotRequest {
  method: string;
  path: string;
  status: number;
}

/**
 * A running snapshot site: the Hugging Face stand-in and, on a second port (so that each is its
 * own host for per-host politeness, and arXiv's root-relative links resolve), the arXiv stand-in.
 */
export interface SnapshotSite {
  /** `http://127.0.0.1:PORT`, no trailing slash: use it as `HF_BASE_URL`. */
  url: string;
  /** The arXiv stand-in, `http://127.0.0.1:PORT2`, no trailing slash: use it as `ARXIV_BASE_URL`. */
  arxivBaseUrl: string;
  /** Its export API, `${arxivBaseUrl}/api/query`: use it as `ARXIV_API_URL`. */
  arxivApiUrl: string;
  /** The HF listing days served, oldest first (the arXiv side always serves all its papers). */
  days: string[];
  /** Stops both servers and drops open connections. */
  close(): Promise<void>;
  /** Every request the HF stand-in answered so far, in order. */
  requests: SnapshotRequest[];
  /** Every request the arXiv stand-in answered so far, in order. */
  arxivRequests: SnapshotRequest[];
}

/** Options of {@link startSnapshotSite}. */
export interface SnapshotSiteOptions {
  /** Port to listen on. @defaultValue `0` (a free port) */
  port?: number;
  /** Interface to bind. @defaultValue `127.0.0.1` */
  host?: string;
  /** Serve only these listing days (`YYYY-MM-DD`, all present in the data). @defaultValue all days */
  days?: string[];
  /** Port of the arXiv stand-in. @defaultValue `0` (a free port) */
  arxivPort?: number;
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

/** A listening server: its base URL and how to stop it. */
interface Listening {
  base: string;
  close(): Promise<void>;
}

/** Serves `site` on `host:port`, logging each answered request into `requests`. */
async function listen(
  site: SiteHandler,
  host: string,
  port: number,
  requests: SnapshotRequest[],
): Promise<Listening> {
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
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  base = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  return {
    base,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * Starts a local stand-in for huggingface.co serving the bundled snapshot (`data/hf-days.json`):
 * `/papers` (302 to the latest day), `/papers/date|week|month/…` (302 to `/papers` when empty),
 * `/papers/trending`, `/papers/{id}`, `/api/daily_papers` (`date`/`week`/`month`, `p`, `limit`),
 * `/api/papers/{id}` and `/robots.txt`; and, on a second port, a stand-in for arxiv.org serving
 * `data/arxiv.json`: `/abs/{id}[vN]`, `/list/{cs.AI|cs.CL|cs.CV|cs.LG}/new`, the export API at
 * `/api/query` and `/robots.txt`. 200 answers carry a weak ETag and a Last-Modified that depend
 * only on the content, and conditional GETs get 304.
 *
 * @throws when `days` names a day that is not in the data, or a port cannot be bound.
 */
export async function startSnapshotSite(opts: SnapshotSiteOptions = {}): Promise<SnapshotSite> {
  const host = opts.host ?? '127.0.0.1';
  const data = loadSnapshot();
  const site = createSite(data, opts.days);
  const arxiv = createArxivSite(loadArxivSnapshot());
  const days = opts.days
    ? data.days.map((d) => d.date).filter((d) => opts.days?.includes(d))
    : data.days.map((d) => d.date);
  const requests: SnapshotRequest[] = [];
  const arxivRequests: SnapshotRequest[] = [];
  const hf = await listen(site, host, opts.port ?? 0, requests);
  let ax: Listening;
  try {
    ax = await listen(arxiv, host, opts.arxivPort ?? 0, arxivRequests);
  } catch (err) {
    await hf.close();
    throw err;
  }
  return {
    url: hf.base,
    arxivBaseUrl: ax.base,
    arxivApiUrl: `${ax.base}/api/query`,
    days,
    requests,
    arxivRequests,
    close: async () => {
      await Promise.all([hf.close(), ax.close()]);
    },
  };
}
