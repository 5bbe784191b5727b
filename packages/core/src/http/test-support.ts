/* Helpers for the http tests: local servers on 127.0.0.1 and a fake DNS. Not exported by the package. */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { LookupAddress } from 'node:dns';
import {
  createServer as createTcpServer,
  isIPv6,
  type LookupFunction,
  type Server,
  type Socket,
} from 'node:net';

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  /** Requests received, in order. */
  requests: IncomingMessage[];
  /** TCP connections accepted. */
  connections: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

/** An HTTP server on 127.0.0.1 and a random port. */
export async function startServer(handler: RequestListener): Promise<TestServer> {
  const requests: IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  const result = { origin: '', port: 0, requests, connections: 0, close: closer(server, sockets) };
  server.on('connection', (s: Socket) => {
    result.connections += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  result.port = await listen(server);
  result.origin = `http://127.0.0.1:${result.port}`;
  return result;
}

/** A raw TCP server on 127.0.0.1 (for malformed HTTP). */
export async function startTcpServer(onSocket: (socket: Socket) => void): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onSocket(s);
  });
  const port = await listen(server);
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests: [],
    connections: 0,
    close: closer(server, sockets),
  };
}

/** Writes `total` bytes in chunks, honouring backpressure; resolves with the bytes handed to the socket. */
export async function streamBytes(res: ServerResponse, total: number, chunk: Buffer): Promise<number> {
  let sent = 0;
  while (sent < total && !res.destroyed) {
    const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
    sent += piece.length;
    if (!res.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
  }
  if (!res.destroyed) res.end();
  return sent;
}

/** A fake DNS: names in `table` resolve to the given address, others fail with ENOTFOUND. Records calls. */
export function fakeLookup(table: Record<string, string>, calls: string[] = []): LookupFunction {
  return (hostname, options, callback) => {
    calls.push(hostname);
    const address = table[hostname];
    if (address === undefined) {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname,
      });
      setImmediate(() => callback(err, '', 0));
      return;
    }
    const family = isIPv6(address) ? 6 : 4;
    const all: LookupAddress[] = [{ address, family }];
    setImmediate(() => (options.all ? callback(null, all) : callback(null, address, family)));
  };
}
