/**
 * Stand-ins for Redis and Elasticsearch used by this package's unit tests (not exported): they
 * speak just enough of each protocol for the probes.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { parseReplies } from './resp.js';

/** A listening fake; `close()` stops it. */
export interface Fake {
  port: number;
  close: () => Promise<void>;
}

async function listen(server: Server): Promise<Fake> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        if ('closeAllConnections' in server && typeof server.closeAllConnections === 'function') {
          server.closeAllConnections();
        }
        server.close(() => resolve());
      }),
  };
}

/** A fake Redis: `reply(args)` returns the raw RESP answer to each command (`undefined`: stay silent). */
export function fakeRedis(reply: (args: string[]) => string | undefined): Promise<Fake> {
  const server = createNetServer((socket) => {
    let buffered = Buffer.alloc(0);
    let pending: string[] = [];
    let expected = 0;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const { replies, consumed } = parseReplies(buffered);
      buffered = buffered.subarray(consumed);
      for (const r of replies) {
        if (r.kind === 'array') {
          expected = r.length;
          pending = [];
        } else if (r.kind === 'bulk' && r.value !== null) {
          pending.push(r.value);
        }
        if (expected > 0 && pending.length === expected) {
          const answer = reply(pending);
          if (answer !== undefined) socket.write(answer);
          expected = 0;
        }
      }
    });
    socket.on('error', () => undefined);
  });
  return listen(server);
}

/** The answers of a plain, passwordless Redis 7. */
export function redisReplies(args: string[]): string {
  const cmd = args[0]?.toUpperCase();
  if (cmd === 'PING') return '+PONG\r\n';
  if (cmd === 'INFO') {
    const info = '# Server\r\nredis_version:7.2.4\r\n';
    return `$${Buffer.byteLength(info)}\r\n${info}\r\n`;
  }
  if (cmd === 'AUTH')
    return '-ERR AUTH <password> called without any password configured for the default user.\r\n';
  return '-ERR unknown command\r\n';
}

/** A fake Elasticsearch: `handle` answers each request as (status, JSON body). */
export function fakeElasticsearch(
  handle: (req: IncomingMessage) => { status: number; body: unknown },
): Promise<Fake> {
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const { status, body } = handle(req);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  return listen(server);
}

/** The answers of an Elasticsearch `version` with cluster health `health` (of `nodes` nodes, when given). */
export function esReplies(version: string, health = 'green', nodes?: number) {
  return (req: IncomingMessage): { status: number; body: unknown } => {
    if (req.url?.startsWith('/_cluster/health') === true)
      return {
        status: 200,
        body: { status: health, ...(nodes !== undefined ? { number_of_nodes: nodes } : {}) },
      };
    if (req.url?.startsWith('/_nodes/_local') === true)
      return { status: 200, body: { nodes: { abc: { version } } } };
    return { status: 405, body: { error: 'Incorrect HTTP method' } };
  };
}

/** A TCP port nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const fake = await listen(createNetServer());
  await fake.close();
  return fake.port;
}
