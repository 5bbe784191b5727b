import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultyProxy {
  url: string;
  /** Paths answered with this status instead of being forwarded. */
  fail: Map<string, number>;
  close(): Promise<void>;
}

/** A local proxy in front of a fixture site that can fail chosen paths (e.g. 404 until healed). */
export async function startFaultyProxy(target: string): Promise<FaultyProxy> {
  const fail = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const status = fail.get(path);
    if (status) {
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`injected ${status}`);
      return;
    }
    fetch(`${target}${path}`, {
      redirect: 'manual',
      headers: { 'if-none-match': req.headers['if-none-match'] ?? '' },
    }).then(
      async (r) => {
        const headers: Record<string, string> = {};
        r.headers.forEach((v, k) => {
          if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(k))
            headers[k] = v;
        });
        res.writeHead(r.status, headers).end(Buffer.from(await r.arrayBuffer()));
      },
      () => res.writeHead(502).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fail,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
