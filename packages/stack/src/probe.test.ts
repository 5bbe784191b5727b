import { afterEach, describe, expect, it } from 'vitest';
import { isPortInUse, probeElasticsearch, probeRedis, versionFromNodes } from './probe.js';
import {
  closedPort,
  esReplies,
  fakeElasticsearch,
  fakeRedis,
  redisReplies,
  type Fake,
} from './test-fakes.js';
import { parseElasticsearchUrl, parseRedisUrl } from './url.js';

const fakes: Fake[] = [];
const track = async (f: Promise<Fake>): Promise<Fake> => {
  const fake = await f;
  fakes.push(fake);
  return fake;
};
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

describe('probeRedis', () => {
  it('is up on PONG and reads the version from INFO', async () => {
    const { port } = await track(fakeRedis(redisReplies));
    expect(await probeRedis(parseRedisUrl(`redis://127.0.0.1:${port}`))).toEqual({
      state: 'up',
      version: '7.2.4',
    });
  });

  it('tolerates a password in the URL of a Redis without one', async () => {
    const { port } = await track(fakeRedis(redisReplies));
    expect((await probeRedis(parseRedisUrl(`redis://:secret@127.0.0.1:${port}`))).state).toBe('up');
  });

  it('authenticates with the URL password', async () => {
    let authed = false;
    const { port } = await track(
      fakeRedis((args) => {
        if (args[0] === 'AUTH') {
          authed = args[1] === 'app' && args[2] === 's p';
          return authed ? '+OK\r\n' : '-WRONGPASS\r\n';
        }
        return authed ? redisReplies(args) : '-NOAUTH Authentication required.\r\n';
      }),
    );
    expect((await probeRedis(parseRedisUrl(`redis://app:s%20p@127.0.0.1:${port}`))).state).toBe('up');
    authed = false; // the fake keeps one flag for all connections
    expect(await probeRedis(parseRedisUrl(`redis://127.0.0.1:${port}`))).toEqual({
      state: 'unusable',
      detail: 'answered "NOAUTH Authentication required."',
    });
  });

  it('is down when nothing listens, unusable when something else does', async () => {
    const port = await closedPort();
    expect((await probeRedis(parseRedisUrl(`redis://127.0.0.1:${port}`))).state).toBe('down');
    const silent = await track(fakeRedis(() => undefined));
    expect(await probeRedis(parseRedisUrl(`redis://127.0.0.1:${silent.port}`), 300)).toMatchObject({
      state: 'unusable',
      detail: expect.stringMatching(/no Redis reply/),
    });
    const http = await track(fakeElasticsearch(esReplies('8.19.21')));
    expect((await probeRedis(parseRedisUrl(`redis://127.0.0.1:${http.port}`))).state).toBe('unusable');
    expect(await isPortInUse({ host: '127.0.0.1', port: http.port })).toBe(true);
    expect(await isPortInUse({ host: '127.0.0.1', port })).toBe(false);
  });
});

describe('probeElasticsearch', () => {
  it('is up on green or yellow and reads the version from /_nodes/_local (GET / answers 405)', async () => {
    const green = await track(fakeElasticsearch(esReplies('8.19.21')));
    expect(await probeElasticsearch(parseElasticsearchUrl(`http://127.0.0.1:${green.port}`))).toEqual({
      state: 'up',
      version: '8.19.21',
      detail: 'cluster health green',
    });
    const yellow = await track(fakeElasticsearch(esReplies('8.19.21', 'yellow')));
    expect((await probeElasticsearch(parseElasticsearchUrl(`http://127.0.0.1:${yellow.port}`))).state).toBe(
      'up',
    );
  });

  it('is unusable on red health or an HTTP error', async () => {
    const red = await track(fakeElasticsearch(esReplies('8.19.21', 'red')));
    expect(await probeElasticsearch(parseElasticsearchUrl(`http://127.0.0.1:${red.port}`))).toEqual({
      state: 'unusable',
      detail: 'cluster health red',
    });
    const locked = await track(
      fakeElasticsearch(() => ({ status: 401, body: { error: 'security_exception' } })),
    );
    expect(await probeElasticsearch(parseElasticsearchUrl(`http://127.0.0.1:${locked.port}`))).toMatchObject({
      state: 'unusable',
      detail: expect.stringMatching(/HTTP 401/),
    });
  });

  it('is down when nothing listens', async () => {
    const port = await closedPort();
    expect((await probeElasticsearch(parseElasticsearchUrl(`http://127.0.0.1:${port}`))).state).toBe('down');
  });

  it('sends URL credentials as basic auth and keeps a path prefix', async () => {
    const seen: { url?: string; auth?: string }[] = [];
    const { port } = await track(
      fakeElasticsearch((req) => {
        seen.push({ url: req.url, auth: req.headers.authorization });
        return { status: 200, body: { status: 'green' } };
      }),
    );
    await probeElasticsearch(parseElasticsearchUrl(`http://elastic:pw@127.0.0.1:${port}/es`));
    expect(seen[0]).toEqual({
      url: '/es/_cluster/health',
      auth: `Basic ${Buffer.from('elastic:pw').toString('base64')}`,
    });
  });

  it('reads versions out of a nodes answer', () => {
    expect(versionFromNodes({ nodes: { x: { version: '8.19.21' } } })).toBe('8.19.21');
    expect(versionFromNodes({ nodes: {} })).toBeUndefined();
    expect(versionFromNodes('nope')).toBeUndefined();
  });
});
