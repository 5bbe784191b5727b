import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Route,
} from 'playwright-core';
import { PAPERLINE, ROOT } from './cli.js';
import { isLoopbackHost } from './loopback.mjs';

/** Helpers for the tests that drive the HTTP side: start `serve`, and a headless Chromium. */

export const CHROMIUM = '/usr/bin/chromium';

/** Tests install nothing: infra/scripts/setup-tests.sh installs Debian's chromium when it is missing. */
function requireChromium(): string {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: run \`bash infra/scripts/setup-tests.sh\` once (as root, with apt-get) to install it`,
    );
  }
  return CHROMIUM;
}

/**
 * Headless Chromium that resolves no name at all, loopback included, so it opens no socket: in its
 * network stack every host lookup, even of 127.0.0.1, first runs an IPv6 reachability probe (a UDP
 * connect() to 2001:4860:4860::8888). `^NOTFOUND` fails a lookup in the mapping layer, before that
 * resolver (`~NOTFOUND` is a valid host name and would reach it), so Chromium's own background
 * requests (component updates, account checks) die unsent; pages get their answers through
 * `loopbackOnlyContext`. Playwright's default switches already turn off background networking, sync
 * and the features that phone home; a second `--disable-features` here would replace its list, not
 * extend it.
 * Check: t=$(mktemp); strace -f -e trace=connect -o $t pnpm -s exec vitest run test/e2e/browser.test.ts; grep -E 'inet' $t | grep -v '127.0.0.1' | grep -v '::1' prints nothing.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: requireChromium(),
    headless: true,
    args: ['--host-resolver-rules=MAP * ^NOTFOUND', '--disable-gpu', '--disable-quic'],
  });
}

/**
 * A browser context whose pages reach only loopback, and only through Playwright: each loopback
 * request is fetched from Node and the answer handed to the page. Any other request (or WebSocket)
 * is aborted before it leaves and its URL added to `offLoopback`, which a test asserts empty.
 * Nothing reaches Chromium's network stack, where names never resolve: loopback WebSockets are not
 * relayed, and as Playwright routes only a redirect's first hop, a page fails to follow a redirect
 * (ERR_NAME_NOT_RESOLVED), so navigate to final URLs.
 */
export async function loopbackOnlyContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; offLoopback: string[] }> {
  const context = await browser.newContext({ ...options, serviceWorkers: 'block' });
  const offLoopback: string[] = [];
  await context.route((url) => isLoopbackHost(url.hostname), relayFromNode);
  const elsewhere = (url: URL) => !isLoopbackHost(url.hostname);
  await context.route(elsewhere, (route) => {
    offLoopback.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  await context.routeWebSocket(elsewhere, (ws) => {
    offLoopback.push(ws.url());
    return ws.close();
  });
  return { context, offLoopback };
}

/** Answers a page's request with what Node fetches for it; a redirect goes back unfollowed. */
async function relayFromNode(route: Route): Promise<void> {
  return route.fulfill({ response: await route.fetch({ maxRedirects: 0 }) });
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `paperline serve --port N --host H` in its own process group, as a user would. */
export function startServe(env: NodeJS.ProcessEnv, port: number, host = '127.0.0.1'): ChildProcess {
  return spawn(PAPERLINE, ['serve', '--port', String(port), '--host', host], {
    env,
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'pipe'],
    detached: true,
  });
}

/**
 * Polls `url` until it answers 200, or the process exits, or `timeoutMs` passes (generous: on a
 * loaded 2-core machine `serve` has taken over 25 s to compile and start).
 */
export async function waitUntilUp(url: string, child?: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stderr = '';
  child?.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  throw new Error(`${url} did not come up within ${timeoutMs} ms: ${stderr}`);
}
