import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in front of Redis that freezes a process at a chosen command: once a client sends
 * bytes containing `trigger` (e.g. the SHA of a Lua script it runs with EVALSHA), that command is
 * forwarded and answered, and from then on nothing more any client sends reaches Redis. The
 * process behind it is stuck right after that command, as if the machine stalled there; the test
 * then kills it. Loopback only.
 *
 * `frozen` resolves when the trigger has been forwarded, not when Redis has run it: Redis serves
 * its connections in no set order, so a test's own read may still come first. Wait for the
 * command's effect before asserting on it.
 */
export interface FreezeProxy {
  /** A `redis://` URL through the proxy. */
  url: string;
  /** Resolves when the trigger was forwarded and the proxy froze (Redis runs it moments later). */
  frozen: Promise<void>;
  close(): Promise<void>;
}

export async function startFreezeProxy(redisUrl: string, trigger: string): Promise<FreezeProxy> {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  let isFrozen = false;
  let onFrozen = () => undefined as void;
  const frozen = new Promise<void>((r) => (onFrozen = r));
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    sockets.add(client).add(upstream);
    // The last bytes seen, so a trigger split across two chunks is still found.
    let tail = '';
    client.on('data', (chunk: Buffer) => {
      if (isFrozen) return;
      const text = tail + chunk.toString('latin1');
      upstream.write(chunk);
      if (text.includes(trigger)) {
        isFrozen = true;
        onFrozen();
      }
      tail = text.slice(-trigger.length);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    frozen,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
