import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Fixture servers for the fault tests: a stand-in for huggingface.co whose paths can misbehave
 * (status bursts, Retry-After, resets, truncation, a one-byte-a-second drip, huge bodies, wrong
 * content types, redirect loops, pages in other charsets, broken hydration blobs) and that proxies
 * every other path to the snapshot site. Loopback only.
 */

/** One synthetic HF paper: what its `/papers/{id}` page carries in its `PaperContent` blob. */
export interface FixturePaper {
  id: string;
  title: string;
  summary: string;
  authors: string[];
  publishedAt: string;
}

const attr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const text = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A fixture paper with a plain title, for pages that only have to be good. */
export function fixturePaper(id: string, title = `Fault fixture paper ${id}`): FixturePaper {
  return {
    id,
    title,
    summary: `An abstract of ${id}, served by the fault fixture server.`,
    authors: ['Ada Lovelace', 'Alan Turing'],
    publishedAt: '2024-03-20T00:00:00.000Z',
  };
}

/**
 * The HTML of `/papers/{id}` in HF's shape (a `PaperContent` hydration blob), as a string.
 * `metaCharset` adds `<meta charset>`; `brokenBlob` cuts the blob's JSON short.
 */
export function paperPageHtml(p: FixturePaper, opts: { metaCharset?: string; brokenBlob?: boolean } = {}) {
  const props = JSON.stringify({
    paper: {
      id: p.id,
      title: p.title,
      summary: p.summary,
      authors: p.authors.map((name, i) => ({ _id: `a${i}`, name, hidden: false })),
      publishedAt: p.publishedAt,
      upvotes: 7,
    },
    comments: [],
  });
  const blob = opts.brokenBlob ? props.slice(0, Math.floor(props.length * 0.6)) : props;
  return (
    '<!doctype html>\n<html><head>' +
    (opts.metaCharset ? `<meta charset="${opts.metaCharset}">` : '') +
    `<title>${text(p.title)}</title></head><body>\n` +
    `<div class="SVELTE_HYDRATER contents" data-target="PaperContent" data-props="${attr(blob)}">` +
    `<h1>${text(p.title)}</h1><p>${text(p.summary)}</p></div>\n</body></html>\n`
  );
}

/** windows-1252 bytes 0x80..0x9F that are not Latin-1 controls. */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/** Encodes text as windows-1252; throws on a character it cannot hold. */
export function encodeWindows1252(s: string): Buffer {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) out.push(c);
    else {
      const i = CP1252_HIGH.indexOf(ch);
      if (i < 0) throw new Error(`windows-1252 cannot encode U+${c.toString(16)}`);
      out.push(0x80 + i);
    }
  }
  return Buffer.from(out);
}

let sjisTable: Map<string, number[]> | undefined;

/** Encodes text as Shift_JIS (table built from the platform's decoder); throws on an unmappable character. */
export function encodeShiftJis(s: string): Buffer {
  if (!sjisTable) {
    const dec = new TextDecoder('shift_jis', { fatal: true });
    const table = new Map<string, number[]>();
    for (let b = 0; b < 0x80; b++) table.set(String.fromCharCode(b), [b]);
    const leads = [
      ...Array.from({ length: 0x1f }, (_, i) => 0x81 + i),
      ...Array.from({ length: 0x10 }, (_, i) => 0xe0 + i),
    ];
    for (const lead of leads) {
      for (let trail = 0x40; trail <= 0xfc; trail++) {
        if (trail === 0x7f) continue;
        try {
          const ch = dec.decode(Uint8Array.of(lead, trail));
          if (ch.length === 1 && !table.has(ch)) table.set(ch, [lead, trail]);
        } catch {
          /* not a character */
        }
      }
    }
    sjisTable = table;
  }
  const out: number[] = [];
  for (const ch of s) {
    const bytes = sjisTable.get(ch);
    if (!bytes) throw new Error(`Shift_JIS cannot encode ${ch}`);
    out.push(...bytes);
  }
  return Buffer.from(out);
}

/** How one path misbehaves. `times` faults come first; afterwards the path serves `then`. */
export type Fault =
  | { kind: 'status'; status: number; times: number; retryAfter?: string; then: Served }
  | { kind: 'reset'; times: number; then: Served }
  | { kind: 'truncate'; times: number; then: Served }
  | { kind: 'drip' }
  | { kind: 'huge'; bytes: number; declareLength: boolean }
  | { kind: 'redirect'; to: string }
  | { kind: 'serve'; page: Served }
  | { kind: 'slow'; delayMs: number }
  /** Held until `open` resolves, then proxied. */
  | { kind: 'gate'; open: Promise<void> };

/** A body to answer with. */
export interface Served {
  body: Buffer;
  contentType: string;
}

export const html = (s: string, contentType = 'text/html; charset=utf-8'): Served => ({
  body: Buffer.from(s, 'utf8'),
  contentType,
});

export interface RequestLog {
  path: string;
  at: number;
  /** What the server did: 'fault' (the n-th faulty answer) or 'ok'. */
  answer: 'fault' | 'ok' | 'proxy';
}

export interface FaultSite {
  url: string;
  port: number;
  faults: Map<string, Fault>;
  requests: RequestLog[];
  /** Bytes written to bodies of `huge` answers so far (to see the client stopped reading). */
  hugeBytesSent: Map<string, number>;
  close(): Promise<void>;
}

function sendServed(res: ServerResponse, page: Served): void {
  res.writeHead(200, { 'content-type': page.contentType, 'content-length': String(page.body.length) });
  res.end(page.body);
}

async function proxy(upstream: string, path: string, req: IncomingMessage, res: ServerResponse) {
  try {
    const r = await fetch(`${upstream}${path}`, {
      redirect: 'manual',
      headers: { 'if-none-match': req.headers['if-none-match'] ?? '' },
    });
    const headers: Record<string, string> = {};
    r.headers.forEach((v, k) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k))
        headers[k] = v;
    });
    res.writeHead(r.status, headers).end(Buffer.from(await r.arrayBuffer()));
  } catch {
    res.writeHead(502).end();
  }
}

/** Streams `total` bytes of HTML-ish filler, honouring backpressure, until done or the client goes. */
async function streamHuge(res: ServerResponse, total: number, count: (n: number) => void): Promise<void> {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  let gone = false;
  res.once('close', () => (gone = true));
  res.write('<!doctype html><html><body>');
  while (sent < total && !gone) {
    const n = Math.min(chunk.length, total - sent);
    const ok = res.write(n === chunk.length ? chunk : chunk.subarray(0, n));
    sent += n;
    count(n);
    if (!ok)
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
  }
  if (!gone) res.end();
}

/** Holds requests for these paths at the fault site until `open()` is called: a gate, not a timer. */
export function holdBack(front: FaultSite, paths: string[]): { open(): void } {
  let open = () => undefined as void;
  const gate = new Promise<void>((r) => (open = r));
  for (const path of paths) front.faults.set(path, { kind: 'gate', open: gate });
  return { open: () => open() };
}

/**
 * Starts the faulty HF stand-in on `host` (default 127.0.0.1). Paths in `faults` misbehave; every
 * other path is proxied to `upstream` (the snapshot site) when given, else answered 404.
 * `/robots.txt` allows everything unless proxied.
 */
export async function startFaultSite(opts: { upstream?: string; host?: string } = {}): Promise<FaultSite> {
  const faults = new Map<string, Fault>();
  const requests: RequestLog[] = [];
  const seen = new Map<string, number>();
  const hugeBytesSent = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const f = faults.get(path);
    const n = (seen.get(path) ?? 0) + 1;
    seen.set(path, n);
    const log = (answer: RequestLog['answer']) => requests.push({ path, at: Date.now(), answer });
    if (!f || f.kind === 'slow' || f.kind === 'gate') {
      log('proxy');
      const held = f?.kind === 'slow' ? sleep(f.delayMs) : f?.kind === 'gate' ? f.open : Promise.resolve();
      if (opts.upstream) void held.then(() => proxy(opts.upstream!, path, req, res));
      else if (path === '/robots.txt')
        res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
      return;
    }
    switch (f.kind) {
      case 'status':
        if (n <= f.times) {
          log('fault');
          const headers: Record<string, string> = { 'content-type': 'text/plain' };
          if (f.retryAfter !== undefined) headers['retry-after'] = f.retryAfter;
          res.writeHead(f.status, headers).end(`injected ${f.status}`);
        } else {
          log('ok');
          sendServed(res, f.then);
        }
        return;
      case 'reset':
        if (n <= f.times) {
          log('fault');
          req.socket.resetAndDestroy();
        } else {
          log('ok');
          sendServed(res, f.then);
        }
        return;
      case 'truncate':
        if (n <= f.times) {
          log('fault');
          res.writeHead(200, {
            'content-type': f.then.contentType,
            'content-length': String(f.then.body.length),
          });
          // Ending the socket once the half is written keeps TCP's order: half a body, then the end.
          res.write(f.then.body.subarray(0, Math.floor(f.then.body.length / 2)), () => req.socket.end());
        } else {
          log('ok');
          sendServed(res, f.then);
        }
        return;
      case 'drip': {
        log('fault');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.flushHeaders();
        const timer = setInterval(() => res.write('.'), 1000);
        res.once('close', () => clearInterval(timer));
        return;
      }
      case 'huge': {
        log('fault');
        const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8' };
        if (f.declareLength) headers['content-length'] = String(f.bytes + 27);
        res.writeHead(200, headers);
        void streamHuge(res, f.bytes, (k) => hugeBytesSent.set(path, (hugeBytesSent.get(path) ?? 0) + k));
        return;
      }
      case 'redirect':
        log('fault');
        res.writeHead(302, { location: f.to, 'content-type': 'text/plain' }).end('moved');
        return;
      case 'serve':
        log('ok');
        sendServed(res, f.page);
        return;
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, opts.host ?? '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    faults,
    requests,
    hugeBytesSent,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      await sleep(0);
    },
  };
}

/** A server that counts TCP connections and answers with `handler` (a redirect hop, a canary). */
export async function startCountingServer(
  host: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; port: number; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer(handler);
  server.on('connection', (s) => {
    connections += 1;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
