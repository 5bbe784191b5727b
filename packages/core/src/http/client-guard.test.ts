import { PaperlineError, PermanentError, TransientError } from '@paperline/contracts';
import type { LookupFunction } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { HttpClient, type HttpClientOptions } from './client.js';
import { fakeLookup, startServer, type TestServer } from './test-support.js';

const servers: TestServer[] = [];
const clients: HttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function ok(): Promise<TestServer> {
  const s = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  servers.push(s);
  return s;
}

function client(opts: HttpClientOptions = {}): HttpClient {
  const c = new HttpClient(opts);
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

describe('SSRF guard', () => {
  it('refuses 127.0.0.1 when it is not allowed, without connecting', async () => {
    const s = await ok();
    const err = await failure(client().fetch(`${s.origin}/x`));
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('HTTP_BLOCKED_ADDRESS');
    expect(err.context).toMatchObject({ url: `${s.origin}/x`, host: '127.0.0.1', address: '127.0.0.1' });
    expect(err.message).toContain('127.0.0.1');
    expect(err.message).toBe(
      `GET ${s.origin}/x: refused to connect: 127.0.0.1 is a private, loopback or otherwise internal address; ` +
        'add the host to PAPERLINE_ALLOW_HOSTS if it is meant to be crawled (HTTP_BLOCKED_ADDRESS)',
    );
    expect(s.connections).toBe(0);
  });

  it('allows host:port on that port only, and a bare host on its default ports only', async () => {
    const s = await ok();
    expect((await client({ allowHosts: [`127.0.0.1:${s.port}`] }).fetch(s.origin)).status).toBe(200);
    const otherPort = await failure(client({ allowHosts: [`127.0.0.1:${s.port + 1}`] }).fetch(s.origin));
    expect(otherPort.code).toBe('HTTP_BLOCKED_ADDRESS');
    const bareHost = await failure(client({ allowHosts: ['127.0.0.1'] }).fetch(s.origin));
    expect(bareHost.code).toBe('HTTP_BLOCKED_ADDRESS');
    expect(s.connections).toBe(1);
  });

  it("a base URL allows exactly its scheme, host and port: not the host's other ports or schemes", async () => {
    const [a, b] = [await ok(), await ok()];
    const { allowHosts } = loadConfig({ HF_BASE_URL: a.origin });
    const c = client({ allowHosts });
    expect((await c.fetch(`${a.origin}/papers`)).status).toBe(200);
    const otherPort = await failure(c.fetch(`${b.origin}/`));
    expect(otherPort.code).toBe('HTTP_BLOCKED_ADDRESS');
    expect(otherPort.context).toMatchObject({ host: '127.0.0.1', address: '127.0.0.1' });
    const otherScheme = await failure(c.fetch(`https://127.0.0.1:${a.port}/papers`));
    expect(otherScheme.code).toBe('HTTP_BLOCKED_ADDRESS');
    expect([a.connections, b.connections]).toEqual([1, 0]);
  });

  it('a base URL without a port allows its default port, not every port of its host', async () => {
    const s = await ok();
    const lookup = fakeLookup({ 'papers.test': '127.0.0.1' });
    const { allowHosts } = loadConfig({ HF_BASE_URL: 'http://papers.test' });
    const err = await failure(client({ allowHosts, lookup }).fetch(`http://papers.test:${s.port}/`));
    expect(err.code).toBe('HTTP_BLOCKED_ADDRESS');
    expect(err.context).toMatchObject({ host: 'papers.test', address: '127.0.0.1' });
    expect(s.connections).toBe(0);
  });

  it('allows everything but cloud metadata when blockPrivateAddresses is false', async () => {
    const s = await ok();
    expect((await client({ blockPrivateAddresses: false }).fetch(s.origin)).status).toBe(200);
    const lookup = fakeLookup({ 'metadata.test': '169.254.169.254' });
    const err = await failure(
      client({ blockPrivateAddresses: false, lookup }).fetch('http://metadata.test/latest/'),
    );
    expect(err.code).toBe('HTTP_BLOCKED_ADDRESS');
  });

  it('refuses a redirect from an allowed host to a blocked one', async () => {
    const blocked = await ok();
    const s = await startServer((_req, res) =>
      res.writeHead(302, { location: `${blocked.origin}/secret` }).end(),
    );
    servers.push(s);
    const err = await failure(client({ allowHosts: [`127.0.0.1:${s.port}`] }).fetch(`${s.origin}/start`));
    expect(err.code).toBe('HTTP_BLOCKED_ADDRESS');
    expect(err.context).toMatchObject({ url: `${s.origin}/start`, hopUrl: `${blocked.origin}/secret` });
    expect(blocked.connections).toBe(0);
  });

  it.each([
    ['internal.test', '10.0.0.1'],
    ['metadata.test', '169.254.169.254'],
    ['v6.test', 'fd00:ec2::254'],
    ['mapped.test', '::ffff:192.168.0.1'],
  ])('refuses a DNS name (%s) resolving to %s, naming host and address', async (host, address) => {
    const calls: string[] = [];
    const err = await failure(
      client({ lookup: fakeLookup({ [host]: address }, calls) }).fetch(`http://${host}/x`),
    );
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.code).toBe('HTTP_BLOCKED_ADDRESS');
    expect(err.context).toMatchObject({ url: `http://${host}/x`, host, address });
    expect(err.message).toContain(`${host} resolves to ${address}`);
    expect(calls).toEqual([host]);
  });

  it('refuses a redirect to a DNS name resolving to the metadata address', async () => {
    const s = await startServer((_req, res) =>
      res.writeHead(301, { location: 'http://metadata.test/latest/meta-data/' }).end(),
    );
    servers.push(s);
    const lookup = fakeLookup({ 'metadata.test': '169.254.169.254' });
    const err = await failure(client({ allowHosts: [`127.0.0.1:${s.port}`], lookup }).fetch(s.origin));
    expect(err.code).toBe('HTTP_BLOCKED_ADDRESS');
    expect(err.context.address).toBe('169.254.169.254');
  });

  it('refuses metadata addresses even when the host is allowed', async () => {
    const lookup = fakeLookup({ 'metadata.test': '169.254.169.254' });
    const c = client({ allowHosts: ['metadata.test', '169.254.169.254'], lookup });
    expect((await failure(c.fetch('http://metadata.test/'))).code).toBe('HTTP_BLOCKED_ADDRESS');
    expect((await failure(c.fetch('http://169.254.169.254/'))).code).toBe('HTTP_BLOCKED_ADDRESS');
  });

  it.each([
    'http://10.0.0.1/',
    'http://[::1]:1/',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://[::ffff:127.0.0.1]/',
  ])('refuses the literal IP host of %s', async (url) => {
    const err = await failure(client().fetch(url));
    expect(err.code).toBe('HTTP_BLOCKED_ADDRESS');
  });

  it('connects to an allowed DNS name resolved by the lookup', async () => {
    const s = await ok();
    const calls: string[] = [];
    const lookup = fakeLookup({ 'papers.test': '127.0.0.1' }, calls);
    const r = await client({ allowHosts: [`papers.test:${s.port}`], lookup }).fetch(
      `http://papers.test:${s.port}/x`,
    );
    expect(r.status).toBe(200);
    expect(calls).toEqual(['papers.test']);
    expect(s.requests[0]?.headers.host).toBe(`papers.test:${s.port}`);
  });

  it('fails with HTTP_TIMEOUT when connecting takes longer than connectTimeoutMs', async () => {
    const hanging: LookupFunction = () => undefined; // DNS never answers: the connect phase stalls
    const err = await failure(client({ connectTimeoutMs: 300, lookup: hanging }).fetch('http://slow.test/x'));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.code).toBe('HTTP_TIMEOUT');
    expect(err.message).toBe(
      'GET http://slow.test/x: could not connect to slow.test within 300 ms (HTTP_TIMEOUT)',
    );
  });

  it('maps a DNS failure to transient HTTP_CONNECTION', async () => {
    const err = await failure(client({ lookup: fakeLookup({}) }).fetch('http://no-such-host.test/x'));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.code).toBe('HTTP_CONNECTION');
    expect(err.message).toContain('DNS lookup of no-such-host.test failed (ENOTFOUND)');
    expect(err.context.url).toBe('http://no-such-host.test/x');
  });
});
