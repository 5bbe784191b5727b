import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { PaperlineError, PermanentError, TransientError } from '@paperline/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient, type HttpClientOptions } from './client.js';
import { startServer, startTcpServer, streamBytes, type TestServer } from './test-support.js';

const MB = 1024 * 1024;
const servers: TestServer[] = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

function client(opts: HttpClientOptions = {}): HttpClient {
  // Not about the SSRF guard (client-guard.test.ts is): loopback test servers on any port.
  const c = new HttpClient({ blockPrivateAddresses: false, ...opts });
  clients.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<PaperlineError> {
  const err: unknown = await p.then(
    () => new Error('expected the fetch to fail'),
    (e: unknown) => e,
  );
  if (!(err instanceof PaperlineError)) throw err;
  return err;
}

/** Runs `fn` while sampling RSS every 5 ms; returns the peak growth. */
async function peakRssGrowth(fn: () => Promise<unknown>): Promise<number> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().rss) - before;
}

describe('body size limit', () => {
  it('refuses a Content-Length above the limit before reading', async () => {
    let streamed: Promise<number> | undefined;
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(64 * MB) });
      streamed = streamBytes(res, 64 * MB, Buffer.alloc(64 * 1024));
    });
    const err = await failure(client({ maxBodyBytes: MB }).fetch(`${s.origin}/big`));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('HTTP_TOO_LARGE');
    expect(err.message).toBe(
      `GET ${s.origin}/big: response body exceeds ${MB} bytes (Content-Length ${64 * MB}) (HTTP_TOO_LARGE)`,
    );
    expect(err.context).toMatchObject({ url: `${s.origin}/big`, limit: MB });
    // The server stops streaming only when the client closes the connection.
    expect(await streamed).toBeLessThan(16 * MB);
  });

  it('stops a 64 MB stream at the default 10 MB limit without buffering it', async () => {
    let streamed: Promise<number> | undefined;
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }); // chunked, no Content-Length
      streamed = streamBytes(res, 64 * MB, Buffer.alloc(64 * 1024, 0x61));
    });
    let err: PaperlineError | undefined;
    const growth = await peakRssGrowth(
      async () => (err = await failure(client().fetch(`${s.origin}/stream`))),
    );
    expect(err?.code).toBe('HTTP_TOO_LARGE');
    expect(err?.message).toBe(
      `GET ${s.origin}/stream: response body exceeds ${10 * MB} bytes (HTTP_TOO_LARGE)`,
    );
    expect(await streamed).toBeLessThan(32 * MB);
    expect(growth).toBeLessThan(40 * MB);
  });

  it('accepts a body of exactly the limit', async () => {
    const s = await serve((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.alloc(1000, 0x62)),
    );
    expect((await client({ maxBodyBytes: 1000 }).fetch(s.origin)).body.length).toBe(1000);
    expect((await failure(client({ maxBodyBytes: 999 }).fetch(s.origin))).code).toBe('HTTP_TOO_LARGE');
  });
});

describe('compression', () => {
  const text = '<p>compressed ünïcode</p>'.repeat(100);
  const encoders: Record<string, (b: Buffer) => Buffer> = {
    gzip: (b) => gzipSync(b),
    br: (b) => brotliCompressSync(b),
    deflate: (b) => deflateSync(b),
    'gzip, br': (b) => brotliCompressSync(gzipSync(b)),
  };

  it.each(Object.keys(encoders))('decodes Content-Encoding: %s', async (encoding) => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': encoding });
      res.end(encoders[encoding]?.(Buffer.from(text)));
    });
    const r = await client().fetch(s.origin);
    expect(r.body.toString('utf8')).toBe(text);
  });

  it('stops a gzip bomb at the limit on decompressed bytes', async () => {
    const member = gzipSync(Buffer.alloc(MB)); // ~1 KB that inflates to 1 MB
    const bomb = Buffer.concat(Array.from({ length: 200 }, () => member)); // 200 MB inflated
    const s = await serve((_req, res) => {
      res.writeHead(200, {
        'content-type': 'text/html',
        'content-encoding': 'gzip',
        'content-length': bomb.length,
      });
      res.end(bomb);
    });
    let err: PaperlineError | undefined;
    const growth = await peakRssGrowth(
      async () => (err = await failure(client({ maxBodyBytes: 2 * MB }).fetch(s.origin))),
    );
    expect(bomb.length).toBeLessThan(2 * MB);
    expect(err?.code).toBe('HTTP_TOO_LARGE');
    expect(growth).toBeLessThan(40 * MB);
  });

  it('maps corrupt gzip to transient HTTP_CONNECTION and an unknown coding to HTTP_BAD_CONTENT_TYPE', async () => {
    const s = await serve((req, res) => {
      const zstd = req.url === '/zstd';
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': zstd ? 'zstd' : 'gzip' });
      res.end(zstd ? 'whatever' : 'this is not gzip');
    });
    const corrupt = await failure(client().fetch(`${s.origin}/gz`));
    expect(corrupt).toBeInstanceOf(TransientError);
    expect(corrupt.code).toBe('HTTP_CONNECTION');
    expect(corrupt.message).toContain('not valid gzip data');
    const unknown = await failure(client().fetch(`${s.origin}/zstd`));
    expect(unknown).toBeInstanceOf(PermanentError);
    expect(unknown.code).toBe('HTTP_BAD_CONTENT_TYPE');
    expect(unknown.message).toContain('zstd');
  });
});

describe('timeouts', () => {
  /** A server that sends headers, then one byte per second. */
  async function dripServer(): Promise<TestServer> {
    return serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.flushHeaders();
      const timer = setInterval(() => res.write('x'), 1000);
      res.on('close', () => clearInterval(timer));
    });
  }

  it('fails a slow-drip body at totalTimeoutMs', async () => {
    const s = await dripServer();
    const err = await failure(
      client({ totalTimeoutMs: 1500, bodyTimeoutMs: 5000 }).fetch(`${s.origin}/drip`),
    );
    // The message is the total deadline's: the body never stalled for bodyTimeoutMs.
    expect(err).toBeInstanceOf(TransientError);
    expect(err.code).toBe('HTTP_TIMEOUT');
    expect(err.message).toBe(`GET ${s.origin}/drip: no complete response within 1500 ms (HTTP_TIMEOUT)`);
  });

  it('fails a stalled body at bodyTimeoutMs', async () => {
    const s = await dripServer();
    const err = await failure(client({ bodyTimeoutMs: 400 }).fetch(`${s.origin}/stall`));
    expect(err.code).toBe('HTTP_TIMEOUT');
    expect(err.message).toContain('stalled for over 400 ms');
  });

  it('fails when headers do not arrive within headersTimeoutMs', async () => {
    const s = await serve(() => undefined); // never answers
    const err = await failure(client({ headersTimeoutMs: 300 }).fetch(s.origin));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.code).toBe('HTTP_TIMEOUT');
    expect(err.message).toContain('no response headers within 300 ms');
  });

  it('counts redirects against totalTimeoutMs', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/slow') return; // never answers
      res.writeHead(302, { location: '/slow' }).end();
    });
    const err = await failure(client({ totalTimeoutMs: 400 }).fetch(`${s.origin}/start`));
    expect(err.code).toBe('HTTP_TIMEOUT');
    expect(err.context).toMatchObject({ url: `${s.origin}/start`, hopUrl: `${s.origin}/slow` });
  });
});

describe('connection failures', () => {
  it('maps a reset connection to transient HTTP_CONNECTION', async () => {
    const s = await serve((req) => req.socket.destroy());
    const err = await failure(client().fetch(s.origin));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.code).toBe('HTTP_CONNECTION');
    expect(err.context.url).toBe(s.origin);
  });

  it('maps a refused connection to transient HTTP_CONNECTION', async () => {
    const s = await startServer(() => undefined);
    await s.close(); // the port is now closed
    const err = await failure(client().fetch(`${s.origin}/x`));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.code).toBe('HTTP_CONNECTION');
    expect(err.message).toBe(
      `GET ${s.origin}/x: connection refused by 127.0.0.1:${s.port} (HTTP_CONNECTION)`,
    );
  });

  it('maps a truncated body (Content-Length larger than sent) to transient HTTP_CONNECTION', async () => {
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': '1000' });
      // Closing the socket after the write keeps TCP's order: headers and 10 bytes, then the end.
      res.write('only ten b', () => req.socket.end());
    });
    const err = await failure(client().fetch(s.origin));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.code).toBe('HTTP_CONNECTION');
  });

  it('maps a malformed HTTP response to transient HTTP_CONNECTION', async () => {
    const s = await startTcpServer((socket) =>
      socket.once('data', () => socket.end('NOT HTTP AT ALL\r\n\r\n')),
    );
    servers.push(s);
    const err = await failure(client().fetch(s.origin));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.code).toBe('HTTP_CONNECTION');
  });
});
