import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { text as readText } from 'node:stream/consumers';
import { connect as tlsConnect } from 'node:tls';
import { describeError, isErrnoException } from './errors.js';
import { encodeCommand, parseReplies, redisVersionFromInfo, type RespReply } from './resp.js';
import type { ServiceTarget } from './url.js';

/**
 * What a probe found: `up` (usable), `down` (nothing answers: we may start one) or `unusable`
 * (something answers but is not a healthy service we can use: we must not start another).
 */
export type Probe =
  | { state: 'up'; version?: string; detail?: string }
  | { state: 'down'; detail: string }
  | { state: 'unusable'; detail: string };

const REFUSED = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

function openSocket(t: ServiceTarget): Socket {
  const { host, port, lookup } = t;
  return t.tls
    ? tlsConnect({ host, port, lookup, servername: host, rejectUnauthorized: false })
    : netConnect({ host, port, lookup });
}

/** Raw-TCP Redis probe: (`AUTH`,) `PING` → `+PONG`, then `INFO server` for the version. */
export function probeRedis(t: ServiceTarget, timeoutMs = 2000): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = openSocket(t);
    const commands: Buffer[] = [];
    if (t.password !== undefined) {
      commands.push(
        t.username !== undefined
          ? encodeCommand('AUTH', t.username, t.password)
          : encodeCommand('AUTH', t.password),
      );
    }
    commands.push(encodeCommand('PING'), encodeCommand('INFO', 'server'));
    let connected = false;
    let buffered = Buffer.alloc(0);
    const replies: RespReply[] = [];
    const finish = (p: Probe): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(p);
    };
    const timer = setTimeout(() => {
      finish(
        connected
          ? { state: 'unusable', detail: `port ${t.port} accepted a connection but sent no Redis reply` }
          : { state: 'down', detail: `no answer within ${timeoutMs} ms` },
      );
    }, timeoutMs);
    socket.once(t.tls ? 'secureConnect' : 'connect', () => {
      connected = true;
      socket.write(Buffer.concat(commands));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const { replies: got, consumed } = parseReplies(buffered);
      buffered = buffered.subarray(consumed);
      replies.push(...got);
      // A password in the URL of a Redis that has none is harmless (clients just warn).
      const firstError = replies.find(
        (r, i): r is Extract<RespReply, { kind: 'error' }> =>
          r.kind === 'error' && !(i === 0 && commands.length === 3 && /without any password/i.test(r.value)),
      );
      if (firstError !== undefined) {
        finish({ state: 'unusable', detail: `answered "${firstError.value}"` });
      } else if (replies.length >= commands.length) {
        const pong = replies[commands.length - 2];
        const info = replies[commands.length - 1];
        if (pong?.kind !== 'simple' || pong.value !== 'PONG') {
          finish({ state: 'unusable', detail: 'answered PING without PONG' });
        } else {
          const version =
            info?.kind === 'bulk' && info.value !== null ? redisVersionFromInfo(info.value) : undefined;
          finish(version !== undefined ? { state: 'up', version } : { state: 'up' });
        }
      }
    });
    socket.on('error', (err) => {
      const code = isErrnoException(err) ? err.code : undefined;
      finish(
        !connected && code !== undefined && REFUSED.has(code)
          ? { state: 'down', detail: `connection refused (${code})` }
          : { state: connected ? 'unusable' : 'down', detail: describeError(err) },
      );
    });
    socket.on('end', () =>
      finish({ state: 'unusable', detail: 'closed the connection without a Redis reply' }),
    );
  });
}

/** True when something accepts TCP connections on the target's host and port. */
export function isPortInUse(
  { host, port, lookup }: Pick<ServiceTarget, 'host' | 'port' | 'lookup'>,
  timeoutMs = 1000,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port, lookup });
    const done = (v: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function esRequest(t: ServiceTarget, path: string): { url: string; headers: Record<string, string> } {
  const base = new URL(t.displayUrl.endsWith('/') ? t.displayUrl : `${t.displayUrl}/`);
  base.username = '';
  base.password = '';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (t.username !== undefined || t.password !== undefined) {
    const token = Buffer.from(`${t.username ?? ''}:${t.password ?? ''}`).toString('base64');
    headers.authorization = `Basic ${token}`;
  }
  return { url: new URL(path, base).href, headers };
}

/** `GET path` with the target's lookup (global fetch takes none); the body as text. */
function get(t: ServiceTarget, path: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  const { url, headers } = esRequest(t, path);
  const request = t.tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // A connection of its own (agent: false), closed after the answer: a probe keeps nothing open.
    const options = { headers, lookup: t.lookup, agent: false, signal: AbortSignal.timeout(timeoutMs) };
    const req = request(url, options, (res) => {
      readText(res).then((body) => resolve({ status: res.statusCode ?? 0, text: body }), reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function getJson(
  t: ServiceTarget,
  path: string,
  timeoutMs: number,
): Promise<{ status: number; body: unknown }> {
  const res = await get(t, path, timeoutMs);
  let body: unknown = res.text;
  try {
    body = JSON.parse(res.text);
  } catch {
    // not JSON: keep the text for the message
  }
  return { status: res.status, body };
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
}

/** The version out of a `GET /_nodes/_local?filter_path=nodes.*.version` answer. */
export function versionFromNodes(body: unknown): string | undefined {
  const nodes = field(body, 'nodes');
  if (typeof nodes !== 'object' || nodes === null) return undefined;
  for (const node of Object.values(nodes)) {
    const v = field(node, 'version');
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** What `GET /_cluster/health` said: nothing (`down`), no health (`unusable`), or a health. */
export type EsHealth =
  | { state: 'down'; detail: string }
  | { state: 'unusable'; detail: string }
  | { state: 'answered'; status: string; nodes: number };

/** `GET /_cluster/health` on one node: the cluster's status and how many nodes it counts. */
export async function readEsHealth(t: ServiceTarget, timeoutMs = 3000): Promise<EsHealth> {
  let health: { status: number; body: unknown };
  try {
    health = await getJson(t, '_cluster/health', timeoutMs);
  } catch (err) {
    const code = isErrnoException(err) ? err.code : undefined;
    if (code !== undefined && REFUSED.has(code))
      return { state: 'down', detail: `connection refused (${code})` };
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    return { state: 'down', detail: timedOut ? `no answer within ${timeoutMs} ms` : describeError(err) };
  }
  const status = field(health.body, 'status');
  if (health.status !== 200 || typeof status !== 'string') {
    const text =
      typeof health.body === 'string' ? health.body.slice(0, 200) : JSON.stringify(health.body).slice(0, 200);
    return { state: 'unusable', detail: `GET /_cluster/health answered HTTP ${health.status}: ${text}` };
  }
  const nodes = field(health.body, 'number_of_nodes');
  return { state: 'answered', status, nodes: typeof nodes === 'number' ? nodes : 1 };
}

/**
 * HTTP Elasticsearch probe: `GET /_cluster/health` must say green or yellow; the version comes from
 * `GET /_nodes/_local` (`GET /` answers 405 on the integ-test distribution).
 */
export async function probeElasticsearch(t: ServiceTarget, timeoutMs = 3000): Promise<Probe> {
  const health = await readEsHealth(t, timeoutMs);
  if (health.state !== 'answered') return health;
  const { status } = health;
  if (status !== 'green' && status !== 'yellow')
    return { state: 'unusable', detail: `cluster health ${status}` };
  let version: string | undefined;
  try {
    version = versionFromNodes(
      (await getJson(t, '_nodes/_local?filter_path=nodes.*.version', timeoutMs)).body,
    );
  } catch {
    version = undefined;
  }
  return { state: 'up', detail: `cluster health ${status}`, ...(version !== undefined ? { version } : {}) };
}
