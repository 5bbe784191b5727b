import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { TransientError } from '@paperline/contracts';
import { startServer, type TestServer } from '../http/test-support.js';
import { createPaperReader } from './reader.js';

interface Seen {
  method?: string;
  url?: string;
  authorization?: string;
  contentType?: string;
  body?: unknown;
}

/** A stand-in for Elasticsearch that records each request and answers `status` with `answer`. */
async function fakeEs(status: number, answer: unknown): Promise<{ server: TestServer; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await startServer((req, res) => {
    void text(req).then((raw) => {
      seen.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body: JSON.parse(raw) as unknown,
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  servers.push(server);
  return { server, seen };
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('createPaperReader', () => {
  it('posts a search body to <index>/_search with the API key and returns the answer', async () => {
    const answer = { hits: { total: { value: 1 }, hits: [{ _id: 'arxiv:1' }] } };
    const { server, seen } = await fakeEs(200, answer);
    const reader = createPaperReader({
      nodes: [server.origin],
      apiKey: 'a2V5',
      username: 'u',
      password: 'p',
    });

    const res = await reader.search({ index: 'papers', size: 3, query: { match_all: {} } });

    expect(res).toEqual(answer);
    expect(seen).toEqual([
      {
        method: 'POST',
        url: '/papers/_search',
        authorization: 'ApiKey a2V5',
        contentType: 'application/json',
        body: { size: 3, query: { match_all: {} } },
      },
    ]);
  });

  it('sends mget ids in the body and the source exclusions in the query string', async () => {
    const { server, seen } = await fakeEs(200, { docs: [] });
    const reader = createPaperReader({ nodes: [server.origin], username: 'elastic', password: 'pw' });

    await reader.mget({ index: 'papers', ids: ['arxiv:1'], _source_excludes: ['sources.record', 'title'] });

    expect(seen[0]).toMatchObject({
      url: '/papers/_mget?_source_excludes=sources.record%2Ctitle',
      authorization: basic('elastic', 'pw'),
      body: { ids: ['arxiv:1'] },
    });
  });

  it('uses the credentials in the URL when none are configured, and keeps its path', async () => {
    const { server, seen } = await fakeEs(200, { docs: [] });
    const url = `http://el%40stic:p%3Ass@127.0.0.1:${server.port}/es`;

    await createPaperReader({ nodes: [url] }).mget({ index: 'papers', ids: ['x'] });

    expect(seen[0]).toMatchObject({ url: '/es/papers/_mget', authorization: basic('el@stic', 'p:ss') });
  });

  it('sends no Authorization header without credentials', async () => {
    const { server, seen } = await fakeEs(200, { docs: [] });
    await createPaperReader({ nodes: [`${server.origin}/`] }).mget({ index: 'papers', ids: ['x'] });
    expect(seen[0]?.url).toBe('/papers/_mget');
    expect(seen[0]?.authorization).toBeUndefined();
  });

  it("fails with Elasticsearch's error type and reason", async () => {
    const { server } = await fakeEs(404, {
      error: { type: 'index_not_found_exception', reason: 'no such index [papers]' },
      status: 404,
    });
    await expect(createPaperReader({ nodes: [server.origin] }).search({ index: 'papers' })).rejects.toThrow(
      'Elasticsearch answered 404: index_not_found_exception: no such index [papers]',
    );
  });

  it('gives up after the request timeout when Elasticsearch does not answer', async () => {
    const server = await startServer(() => undefined);
    servers.push(server);
    const reader = createPaperReader({ nodes: [server.origin] }, { requestTimeoutMs: 100 });
    const err = await reader.search({ index: 'papers' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(err).toMatchObject({ code: 'INDEX_UNAVAILABLE', context: { url: server.origin } });
    expect((err as Error).message).toContain(
      `Elasticsearch at ${server.origin} did not answer within 100 ms`,
    );
  });

  it('reports a busy or failing Elasticsearch as INDEX_UNAVAILABLE', async () => {
    const { server } = await fakeEs(503, {
      error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' },
    });
    const err = await createPaperReader({ nodes: [server.origin] })
      .search({ index: 'papers' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'INDEX_UNAVAILABLE',
      message: 'Elasticsearch answered 503: unavailable_shards_exception: primary shard is not active',
    });
  });

  it('passes a node that is down or busy to the next, and reports the last failure when all fail', async () => {
    const busy = await fakeEs(503, { error: { type: 'unavailable_shards_exception', reason: 'x' } });
    const answer = { docs: [{ _id: 'arxiv:1', found: false }] };
    const up = await fakeEs(200, answer);
    const closed = await startServer(() => undefined);
    const down = closed.origin;
    await closed.close();
    const reader = createPaperReader({ nodes: [down, busy.server.origin, up.server.origin] });

    expect(await reader.mget({ index: 'papers', ids: ['arxiv:1'] })).toEqual(answer);
    expect(busy.seen).toHaveLength(1);
    expect(up.seen).toHaveLength(1);
    // The next request starts at the node after the one that answered: requests go round.
    await reader.mget({ index: 'papers', ids: ['arxiv:1'] });
    expect(busy.seen).toHaveLength(2);
    expect(up.seen).toHaveLength(2);

    const none = createPaperReader({ nodes: [down, busy.server.origin] });
    await expect(none.search({ index: 'papers' })).rejects.toMatchObject({
      code: 'INDEX_UNAVAILABLE',
      context: { url: busy.server.origin },
    });
  });
});
