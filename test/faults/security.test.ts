import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { LookupAddress } from 'node:dns';
import { Socket, isIPv6, type LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { PaperlineError } from '@paperline/contracts';
import { loadConfig } from '@paperline/core/config';
import { createLogger } from '@paperline/core/process';
import { HttpClient } from '@paperline/core/http';
import { createRedis } from '@paperline/core/redis';
import { createEsClient } from '@paperline/core/es';
import { PAPERLINE, ROOT } from '../helpers/cli.js';
import { startCountingServer } from '../helpers/faults-servers.js';
import { freePort } from '../helpers/browser.js';

const TRIPWIRE = fileURLToPath(new URL('../helpers/net-tripwire.mjs', import.meta.url));

/** A DNS stand-in: names resolve to the given addresses, nothing is asked of a real resolver. */
function fakeLookup(table: Record<string, string>): LookupFunction {
  return (hostname, options, callback) => {
    const address = table[hostname];
    if (address === undefined) {
      setImmediate(() =>
        callback(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0),
      );
      return;
    }
    const family = isIPv6(address) ? 6 : 4;
    const all: LookupAddress[] = [{ address, family }];
    setImmediate(() => (options.all ? callback(null, all) : callback(null, address, family)));
  };
}

async function failure(p: Promise<unknown>): Promise<PaperlineError> {
  const err: unknown = await p.then(
    () => new Error('expected the fetch to fail'),
    (e: unknown) => e,
  );
  if (!(err instanceof PaperlineError)) throw err;
  return err;
}

describe('SSRF: internal addresses are refused before any connection', () => {
  const tripwireLog = join(tmpdir(), `paperline-tripwire-${process.pid}.log`);
  let canary: Awaited<ReturnType<typeof startCountingServer>>;
  let redirector: Awaited<ReturnType<typeof startCountingServer>>;
  const clients: HttpClient[] = [];
  const client = (opts: ConstructorParameters<typeof HttpClient>[0] = {}) => {
    const c = new HttpClient({ connectTimeoutMs: 2000, ...opts });
    clients.push(c);
    return c;
  };

  const control: { passedThrough: string[]; refused: string; log: string } = {
    passedThrough: [],
    refused: '',
    log: '',
  };

  beforeAll(async () => {
    writeFileSync(tripwireLog, '');
    process.env.PAPERLINE_TRIPWIRE_LOG = tripwireLog;
    // Control run of the tripwire over a stub that never touches the network: what does it let through?
    const real = Socket.prototype.connect;
    Socket.prototype.connect = function stub(this: Socket, ...args: unknown[]) {
      const a = (Array.isArray(args[0]) ? args[0][0] : args[0]) as { host?: string };
      control.passedThrough.push(String(a.host));
      return this;
    } as typeof real;
    await import(`${pathToFileURL(TRIPWIRE).href}?control`);
    const s = new Socket();
    s.on('error', (e) => (control.refused = e.message));
    s.connect({ host: '10.1.2.3', port: 9 });
    new Socket().connect({ host: '127.0.0.1', port: 9 });
    await new Promise((r) => setImmediate(r));
    control.log = readFileSync(tripwireLog, 'utf8');
    writeFileSync(tripwireLog, '');
    // The safety net for real: from here on this process cannot open a non-loopback connection.
    Socket.prototype.connect = real;
    await import(pathToFileURL(TRIPWIRE).href);
    canary = await startCountingServer('127.0.0.2', (_q, r) =>
      r.writeHead(200, { 'content-type': 'text/plain' }).end('internal'),
    );
    redirector = await startCountingServer('127.0.0.1', (q, r) =>
      r.writeHead(302, { location: decodeURIComponent((q.url ?? '/').slice(1)) }).end(),
    );
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([canary.close(), redirector.close()]);
    rmSync(tripwireLog, { force: true });
  });

  it('the tripwire itself refuses 10.x before connecting and lets loopback through (control)', () => {
    expect(control.passedThrough).toEqual(['127.0.0.1']);
    expect(control.refused).toMatch(/tripwire: refused a connection to non-loopback 10\.1\.2\.3:9/);
    expect(control.log).toMatch(/ 10\.1\.2\.3:9\n$/);
  });

  it('a seed on 127.0.0.2 is HTTP_BLOCKED_ADDRESS unless its host is allowed', async () => {
    const err = await failure(client().fetch(`${canary.url}/secret`));
    expect(err.code).toBe('HTTP_BLOCKED_ADDRESS');
    expect(err.message).toContain('PAPERLINE_ALLOW_HOSTS');
    expect(canary.connections()).toBe(0);
    // PAPERLINE_ALLOW_HOSTS reaches the client through the config.
    const cfg = loadConfig({ PAPERLINE_ALLOW_HOSTS: `127.0.0.2:${canary.port}` });
    const res = await client({ allowHosts: cfg.allowHosts }).fetch(`${canary.url}/secret`);
    expect(res.status).toBe(200);
    expect(canary.connections()).toBe(1);
  });

  it.each([
    ['169.254.169.254 (cloud metadata)', 'http://169.254.169.254/latest/meta-data/'],
    ['10.x', 'http://10.1.2.3/admin'],
    ['192.168.x', 'http://192.168.0.1/'],
    ['IPv4-mapped metadata', 'http://[::ffff:169.254.169.254]/'],
    ['metadata as a decimal number', 'http://2852039166/'],
    ['a name resolving to 10.x', 'http://intranet.test/'],
    ['a name resolving to metadata', 'http://metadata.test/computeMetadata/v1/'],
  ])('%s: refused as a seed and as a redirect target', async (_what, target) => {
    const lookup = fakeLookup({ 'intranet.test': '10.0.0.5', 'metadata.test': '169.254.169.254' });
    const direct = await failure(client({ lookup }).fetch(target));
    expect(direct.code).toBe('HTTP_BLOCKED_ADDRESS');
    const viaRedirect = await failure(
      client({ lookup, allowHosts: [`127.0.0.1:${redirector.port}`] }).fetch(
        `${redirector.url}/${encodeURIComponent(target)}`,
      ),
    );
    expect(viaRedirect.code).toBe('HTTP_BLOCKED_ADDRESS');
    expect(viaRedirect.context).toMatchObject({ hopUrl: new URL(target).href });
    expect(readFileSync(tripwireLog, 'utf8')).toBe('');
  });

  it('cloud metadata stays refused even when its host is allowed', async () => {
    const lookup = fakeLookup({ 'metadata.test': '169.254.169.254' });
    const allowHosts = ['169.254.169.254', 'metadata.test'];
    for (const target of ['http://169.254.169.254/latest/', 'http://metadata.test/latest/']) {
      const err = await failure(client({ allowHosts, lookup }).fetch(target));
      expect(err.code).toBe('HTTP_BLOCKED_ADDRESS');
    }
    expect(readFileSync(tripwireLog, 'utf8')).toBe('');
  });
});

describe('secrets never reach the logs', () => {
  const SECRETS = {
    ELASTICSEARCH_PASSWORD: 'es-pw-7f3e9a1c',
    ELASTICSEARCH_API_KEY: 'es-key-5b8d2e4f',
    REDIS_PASSWORD_IN_URL: 'redis-pw-c41a77d0',
    URL_PASSWORD: 'url-pw-0d9e8f7a',
  };
  /** Every form a secret could leak in: as is, and base64 inside a Basic/ApiKey header. */
  const forms = (): string[] => [
    ...Object.values(SECRETS),
    Buffer.from(`elastic:${SECRETS.ELASTICSEARCH_PASSWORD}`).toString('base64'),
    Buffer.from(`elastic:${SECRETS.URL_PASSWORD}`).toString('base64'),
  ];
  const leaks = (out: string) => forms().filter((s) => out.includes(s));

  it('createLogger redacts the config, an env object and client errors carrying credentials', async () => {
    const closed = await freePort();
    const env = {
      REDIS_URL: `redis://:${SECRETS.REDIS_PASSWORD_IN_URL}@127.0.0.1:${closed}`,
      ELASTICSEARCH_URL: `http://elastic:${SECRETS.URL_PASSWORD}@127.0.0.1:${closed}`,
      ELASTICSEARCH_USERNAME: 'elastic',
      ELASTICSEARCH_PASSWORD: SECRETS.ELASTICSEARCH_PASSWORD,
    };
    const cfg = loadConfig(env);
    let out = '';
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const log = createLogger({ name: 'security-test', destination });
    log.info(cfg, 'config, flat');
    log.info({ cfg }, 'config, nested');
    log.info({ startup: { cfg } }, 'config, deeper');
    log.info({ env }, 'environment');
    log.child({ url: cfg.elasticsearch.nodes[0] }).info('child bound to a URL with credentials');

    const es = createEsClient(cfg.elasticsearch);
    const esErr = await es.get({ index: 'x', id: '1' }, { maxRetries: 0 }).catch((e: unknown) => e);
    log.error({ err: esErr }, 'elasticsearch error (basic auth)');
    await es.close();
    const keyed = createEsClient(
      loadConfig({
        ELASTICSEARCH_URL: `http://127.0.0.1:${closed}`,
        ELASTICSEARCH_API_KEY: SECRETS.ELASTICSEARCH_API_KEY,
      }).elasticsearch,
    );
    log.error(
      { err: await keyed.get({ index: 'x', id: '1' }, { maxRetries: 0 }).catch((e: unknown) => e) },
      'elasticsearch error (api key)',
    );
    await keyed.close();

    const redis = createRedis(cfg.redisUrl, 'producer');
    const redisErr = await new Promise<Error>((resolve) => redis.once('error', resolve));
    redis.disconnect();
    log.warn({ err: redisErr }, 'redis connection error');

    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(8);
    expect(leaks(out)).toEqual([]);
    // Still useful: where it connects and who it is, with the secret parts masked.
    expect(out).toContain(`http://elastic:***@127.0.0.1:${closed}`);
    expect(out).toContain('[redacted]');
    expect(out).toContain(`ECONNREFUSED 127.0.0.1:${closed}`);
  });

  it('blanks secret keys at any depth and configured secret values anywhere, messages included', () => {
    const API_TOKEN = 'api-token-2b7c9e1f4d';
    const keyFile = join(mkdtempSync(join(tmpdir(), 'paperline-secret-')), 'es-api-key');
    writeFileSync(keyFile, `${SECRETS.ELASTICSEARCH_API_KEY}\n`);
    const env = {
      PAPERLINE_API_TOKEN: API_TOKEN,
      ELASTICSEARCH_API_KEY_FILE: keyFile,
      REDIS_URL: `redis://:${SECRETS.REDIS_PASSWORD_IN_URL}@127.0.0.1:6379`,
    };
    let out = '';
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    });
    const log = createLogger({ name: 'security-test', destination, env });
    // Depth 6, under secret keys, with values nobody configured: only the key gives them away.
    log.info({
      a: { b: { c: { d: { e: { password: 'deep-unlisted-1', PAPERLINE_API_TOKEN: 'x-unlisted-2' } } } } },
    });
    log.warn(`retrying with ${API_TOKEN} and ${SECRETS.ELASTICSEARCH_API_KEY}`);
    log.error(new Error(`AUTH failed for ${SECRETS.REDIS_PASSWORD_IN_URL}`));
    log
      .child({ header: `Bearer ${API_TOKEN}` })
      .info({ url: `/api/failed/retry?token=${API_TOKEN}` }, 'request');

    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    for (const secret of ['deep-unlisted-1', 'x-unlisted-2', API_TOKEN, ...Object.values(SECRETS)])
      expect(out).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      a: { b: { c: { d: { e: { password: '[redacted]', PAPERLINE_API_TOKEN: '[redacted]' } } } } },
    });
    expect(lines[1]!.msg).toBe('retrying with [redacted] and [redacted]');
    expect(lines[2]).toMatchObject({
      msg: 'AUTH failed for [redacted]',
      err: { message: 'AUTH failed for [redacted]' },
    });
    expect(lines[2]!.err).toMatchObject({
      stack: expect.stringMatching(/^Error: AUTH failed for \[redacted\]\n/),
    });
    expect(lines[3]).toMatchObject({
      header: 'Bearer [redacted]',
      url: '/api/failed/retry?token=[redacted]',
      msg: 'request',
    });
  });

  it('a worker started with secrets in its environment logs none of them', async () => {
    const closed = await freePort();
    const child = spawn(PAPERLINE, ['workers', '--only', 'indexer'], {
      cwd: ROOT,
      env: {
        ...process.env,
        REDIS_URL: `redis://:${SECRETS.REDIS_PASSWORD_IN_URL}@127.0.0.1:${closed}`,
        ELASTICSEARCH_URL: `http://elastic:${SECRETS.URL_PASSWORD}@127.0.0.1:${closed}`,
        ELASTICSEARCH_USERNAME: 'elastic',
        ELASTICSEARCH_PASSWORD: SECRETS.ELASTICSEARCH_PASSWORD,
        PAPERLINE_LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    onTestFinished(() => {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    });
    // Neither Redis nor Elasticsearch answers: it logs connection errors, then gives up on start-up.
    await new Promise<void>((r) => child.once('exit', () => r()));
    expect(out).toMatch(/ECONNREFUSED/);
    expect(leaks(out)).toEqual([]);
  });
});
