import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import type { IndexJob, PaperCandidate } from '@paperline/contracts';
import { createLogger } from '@paperline/core/process';
import { createEsClient } from '@paperline/core/es';
import { ChangeFeed, createRuntime, type Runtime, type StageWiring } from '@paperline/core/pipeline';
import { indexStage, processIndex, type IndexDeps } from '@paperline/indexer';
import { buildRecord } from '@paperline/identity';
import {
  SIGNATURE_HEADER,
  WebhookCursors,
  deliverQueue,
  listFailed,
  listWebhooks,
  retryFailed,
  startWebhookService,
  verifySignature,
  type DeliveryPayload,
  type WebhookEndpoint,
} from '@paperline/ops';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';

/**
 * Webhooks against real Redis and Elasticsearch and a receiver on loopback that the test controls:
 * papers written by the real indexer reach the endpoint as signed batches in feed order; a failing
 * receiver gets the batch after retries; a stalled one times out and is retried while the indexer's
 * feed appends go on; one that keeps failing gets the batch parked, listed, and delivered by a retry.
 */
const names = uniqueNames('hooks');
const redis = new Redis(REDIS_URL);
const es = createEsClient({ nodes: [ELASTICSEARCH_URL] });
const feed = new ChangeFeed(redis, names.prefix);
const queue = deliverQueue(redis, names.prefix);
const cursors = new WebhookCursors(redis, names.prefix);
const log = createLogger({ level: 'silent' });
const SECRET = 'a-test-secret-of-32-characters!!';
const PAGE = 'http://127.0.0.1:9/papers/date/2025-02-01';

/** What the receiver does with a request to a path: answer a status, or never answer. */
type Behaviour = number | 'stall';
interface Received {
  path: string;
  body: string;
  signature: string;
  payload: DeliveryPayload;
}
const behaviour = new Map<string, () => Behaviour>();
const received: Received[] = [];
const stalled: ServerResponse[] = [];
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '';
    const what = behaviour.get(path)?.() ?? 404;
    if (what === 'stall') {
      stalled.push(res);
      return;
    }
    if (what >= 200 && what < 300) {
      received.push({
        path,
        body,
        signature: String(req.headers[SIGNATURE_HEADER.toLowerCase()]),
        payload: JSON.parse(body),
      });
    }
    res.writeHead(what).end();
  });
});
let base = '';

let rt: Runtime;
let indexer: StageWiring<IndexDeps>;
let written = 0;

beforeAll(async () => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  rt = createRuntime('hooks-test', testEnv(names, { PAPERLINE_BULK_WAIT_MS: '5' }));
  indexer = await indexStage.wire(rt);
});

afterAll(async () => {
  for (const res of stalled) res.destroy();
  await new Promise<void>((ok) => server.close(() => ok()));
  await indexer.close?.();
  await rt.close();
  await queue.close();
  await cleanup(redis, es, names);
  redis.disconnect();
  await es.close();
});

/** Writes `count` new papers through the real indexer (it appends their changes to the feed). */
async function writePapers(count: number, categories: string[] = ['cs.LG']): Promise<string[]> {
  const docs: IndexJob['docs'] = [];
  for (let i = 0; i < count; i++) {
    const n = ++written;
    const arxivId = `2502.${String(10000 + n)}`;
    const c: PaperCandidate = {
      source: 'hf',
      url: PAGE,
      fetchedAt: new Date(Date.UTC(2025, 1, 1, 10, n)).toISOString(),
      parserVersion: 'hf-1',
      arxivId,
      title: `Paper ${n} on webhooks`,
      authors: ['Ada Lovelace'],
      authorCount: 1,
      categories,
    };
    const id = `arxiv:${arxivId}`;
    const record = buildRecord(id, [c], { firstSeenAt: c.fetchedAt, updatedAt: c.fetchedAt });
    docs.push({ id, version: 1e15 + n, doc: JSON.stringify(record) });
  }
  const ctx = { jobId: `w${written}`, attempt: 1, log, signal: new AbortController().signal };
  await processIndex({ crawlId: 'chooks', url: PAGE, docs }, indexer.deps, ctx);
  return docs.map((d) => d.id);
}

const endpoint = (name: string, extra: Partial<WebhookEndpoint> = {}): WebhookEndpoint => ({
  name,
  url: `${base}/${name}`,
  secret: SECRET,
  filter: {},
  batchSize: 100,
  ...extra,
});

/** Starts a deliverer for some endpoints and waits until each follows the feed (has a cursor). */
async function deliverer(
  endpoints: WebhookEndpoint[],
  delivery: { attempts: number; backoffMs: number; timeoutMs: number },
  leaseMs?: number,
) {
  const service = await startWebhookService({
    redis: rt.redis,
    papers: rt.es,
    alias: names.index,
    prefix: names.prefix,
    feedMaxEntries: 1_000_000,
    endpoints,
    delivery: { ...delivery, allowHosts: [base] },
    failedRetentionSeconds: 3600,
    log,
    settlePollMs: 20,
    ...(leaseMs ? { leaseMs } : {}),
  });
  for (const ep of endpoints) {
    await vi.waitFor(async () => expect((await cursors.state(ep.name)).cursor).toBeDefined(), {
      timeout: 10_000,
    });
  }
  return service;
}

const deliveredTo = (name: string) => received.filter((r) => r.path === `/${name}`);
const idsDeliveredTo = (name: string) => deliveredTo(name).flatMap((r) => r.payload.changes.map((c) => c.id));

describe('webhooks', () => {
  it('delivers the feed in batches, signed, in feed order, filtered', async () => {
    behaviour.set('/ordered', () => 200);
    behaviour.set('/nlp', () => 200);
    const service = await deliverer(
      [endpoint('ordered', { batchSize: 3 }), endpoint('nlp', { filter: { categories: ['cs.CL'] } })],
      { attempts: 3, backoffMs: 10, timeoutMs: 2000 },
    );
    try {
      const ids = [
        ...(await writePapers(4)),
        ...(await writePapers(2, ['cs.CL'])),
        ...(await writePapers(1)),
      ];
      await vi.waitFor(() => expect(idsDeliveredTo('ordered')).toHaveLength(ids.length), { timeout: 15_000 });
      expect(idsDeliveredTo('ordered')).toEqual(ids);
      const batches = deliveredTo('ordered');
      expect(batches.every((b) => b.payload.changes.length <= 3)).toBe(true);
      for (let i = 1; i < batches.length; i++) {
        expect(batches[i]!.payload.batch.from).toBe(batches[i - 1]!.payload.batch.to);
      }
      for (const b of batches) {
        expect(b.payload.endpoint).toBe('ordered');
        expect(b.payload.batch.to).toBe(b.payload.changes.at(-1)!.cursor);
        expect(b.payload.changes.every((c) => c.op === 'upsert' && c.record !== null)).toBe(true);
        const now = Number(/t=(\d+)/.exec(b.signature)![1]);
        expect(verifySignature(SECRET, b.body, b.signature, { now })).toBe(true);
        expect(verifySignature('another-secret-of-enough-length', b.body, b.signature, { now })).toBe(false);
        expect(verifySignature(SECRET, `${b.body} `, b.signature, { now })).toBe(false);
      }
      await vi.waitFor(() => expect(idsDeliveredTo('nlp')).toEqual(ids.slice(4, 6)), { timeout: 15_000 });
      const rows = await listWebhooks({ endpoints: [endpoint('ordered')], cursors, feed, queue });
      expect(rows[0]).toMatchObject({ name: 'ordered', cursor: await feed.head(), lag: 0, parked: 0 });
    } finally {
      await service.stop();
    }
  });

  it('retries a receiver that fails, until it recovers', async () => {
    let calls = 0;
    behaviour.set('/flaky', () => (++calls <= 2 ? 500 : 200));
    const service = await deliverer([endpoint('flaky')], { attempts: 5, backoffMs: 10, timeoutMs: 2000 });
    try {
      const ids = await writePapers(3);
      await vi.waitFor(() => expect(idsDeliveredTo('flaky')).toEqual(ids), { timeout: 15_000 });
      expect(calls).toBe(3);
      expect(deliveredTo('flaky')).toHaveLength(1);
    } finally {
      await service.stop();
    }
  });

  it('times out on a stalled receiver and retries, while the feed goes on', async () => {
    let calls = 0;
    behaviour.set('/stall', () => (++calls === 1 ? 'stall' : 200));
    const service = await deliverer([endpoint('stall')], { attempts: 3, backoffMs: 10, timeoutMs: 3000 });
    try {
      const first = await writePapers(2);
      await vi.waitFor(() => expect(stalled).toHaveLength(1), { timeout: 15_000 });
      // The receiver holds the delivery open; the indexer's appends do not wait for it.
      const before = await feed.head();
      const more = await writePapers(2);
      expect(await feed.head()).not.toBe(before);
      await vi.waitFor(() => expect(idsDeliveredTo('stall')).toEqual([...first, ...more]), {
        timeout: 20_000,
      });
      expect(calls).toBeGreaterThanOrEqual(2);
    } finally {
      await service.stop();
    }
  });

  it('parks a batch a receiver keeps refusing, lists it, and delivers it on retry', async () => {
    let up = false;
    behaviour.set('/down', () => (up ? 200 : 503));
    const service = await deliverer([endpoint('down')], { attempts: 2, backoffMs: 10, timeoutMs: 2000 });
    try {
      const ids = await writePapers(2);
      const ops = { queues: [{ name: 'deliver', queue }], crawls: rt.crawls };
      await vi.waitFor(async () => expect(await listFailed(ops, { stage: 'deliver' })).toHaveLength(1), {
        timeout: 15_000,
      });
      const [row] = await listFailed(ops, { stage: 'deliver' });
      expect(row).toMatchObject({ stage: 'deliver', attempts: 2, code: 'HTTP_SERVER_ERROR' });
      expect(row!.message).toMatch(/webhook 'down' answered 503/);
      const [listed] = await listWebhooks({ endpoints: [endpoint('down')], cursors, feed, queue });
      expect(listed).toMatchObject({ name: 'down', parked: 1 });
      expect(idsDeliveredTo('down')).toEqual([]);

      up = true;
      // Picked by its code, as `retry --code HTTP_SERVER_ERROR` does.
      expect(await retryFailed(ops, { code: 'HTTP_SERVER_ERROR' })).toEqual([
        { jobId: row!.jobId, stage: 'deliver' },
      ]);
      await vi.waitFor(() => expect(idsDeliveredTo('down')).toEqual(ids), { timeout: 15_000 });
      expect((await listWebhooks({ endpoints: [endpoint('down')], cursors, feed, queue }))[0]!.parked).toBe(
        0,
      );
    } finally {
      await service.stop();
    }
  });

  it('follows an endpoint from one process at a time; another takes over when it stops', async () => {
    behaviour.set('/shared', () => 200);
    const delivery = { attempts: 3, backoffMs: 10, timeoutMs: 2000 };
    const a = await deliverer([endpoint('shared')], delivery, 600);
    const holderA = await cursors.holder('shared');
    const b = await deliverer([endpoint('shared')], delivery, 600);
    try {
      const first = await writePapers(2);
      await vi.waitFor(() => expect(idsDeliveredTo('shared')).toEqual(first), { timeout: 15_000 });
      expect(await cursors.holder('shared')).toBe(holderA);
      await a.stop();
      await vi.waitFor(async () => expect([null, holderA]).not.toContain(await cursors.holder('shared')), {
        timeout: 15_000,
      });
      const more = await writePapers(2);
      await vi.waitFor(() => expect(idsDeliveredTo('shared')).toEqual([...first, ...more]), {
        timeout: 15_000,
      });
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('lets a lease be taken only when its holder lost it', async () => {
    expect(await cursors.acquire('leased', 'a', 200)).toBe(true);
    expect(await cursors.acquire('leased', 'b', 200)).toBe(false);
    expect(await cursors.renew('leased', 'b', 200)).toBe(false);
    expect(await cursors.renew('leased', 'a', 200)).toBe(true);
    // 'a' dies without releasing: its lease runs out, then 'b' may take it and 'a' may not renew it.
    await vi.waitFor(async () => expect(await cursors.holder('leased')).toBeNull(), { timeout: 5000 });
    expect(await cursors.acquire('leased', 'b', 10_000)).toBe(true);
    expect(await cursors.renew('leased', 'a', 200)).toBe(false);
    await cursors.release('leased', 'a');
    expect(await cursors.holder('leased')).toBe('b');
    await cursors.release('leased', 'b');
    expect(await cursors.holder('leased')).toBeNull();
  });
});
