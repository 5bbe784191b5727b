import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { ChangeFeed } from '@paperline/core/pipeline';
import { WebhookCursors, verifySignature, type WebhookRow } from '@paperline/ops';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';

/**
 * The `webhooks` worker kind as an operator runs it: `paperline workers --only webhooks` with a
 * config file delivers feed entries to a receiver on loopback; `webhooks list`, `webhooks test`,
 * `failed --stage deliver` and `retry` work on it from the CLI.
 */
describe('webhooks', () => {
  const names = uniqueNames('e2e-hooks');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  const feed = new ChangeFeed(redis, names.prefix);
  const cursors = new WebhookCursors(redis, names.prefix);
  const secret = 'e2e-webhook-secret-0123456789';
  let status = 200;
  const bodies: Array<{ body: string; signature: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (status === 200) bodies.push({ body, signature: String(req.headers['paperline-signature']) });
      res.writeHead(status).end();
    });
  });
  let env: NodeJS.ProcessEnv;
  let workers: ChildProcess | undefined;
  const ids = () =>
    bodies.flatMap((b) =>
      (JSON.parse(b.body) as { changes: Array<{ id: string }> }).changes.map((c) => c.id),
    );
  const tombstone = (n: number) => ({
    id: `arxiv:2503.${10000 + n}`,
    op: 'withdrawn' as const,
    version: n,
    reason: 'test',
  });

  beforeAll(async () => {
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = mkdtempSync(join(tmpdir(), 'paperline-hooks-'));
    writeFileSync(join(dir, 'e2e.secret'), `${secret}\n`);
    const file = join(dir, 'webhooks.json');
    writeFileSync(
      file,
      JSON.stringify({ endpoints: [{ name: 'e2e', url: `${base}/in`, secretFile: 'e2e.secret' }] }),
    );
    env = testEnv(names, {
      PAPERLINE_WEBHOOKS: file,
      PAPERLINE_ALLOW_HOSTS: base,
      PAPERLINE_WEBHOOK_ATTEMPTS: '2',
      PAPERLINE_WEBHOOK_BACKOFF_MS: '10',
      PAPERLINE_WEBHOOK_TIMEOUT_MS: '2000',
    });
  });

  afterAll(async () => {
    if (workers) await stopWorkers(workers);
    await new Promise<void>((ok) => server.close(() => ok()));
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  it('delivers, lists, parks and retries through the worker kind and the CLI', async () => {
    workers = startWorkersProcess(env, 'webhooks');
    await vi.waitFor(async () => expect((await cursors.state('e2e')).cursor).toBeDefined(), {
      timeout: 60_000,
    });

    await feed.append([tombstone(1), tombstone(2)]);
    await vi.waitFor(() => expect(ids()).toEqual([tombstone(1).id, tombstone(2).id]), { timeout: 30_000 });
    const sig = bodies[0]!.signature;
    expect(verifySignature(secret, bodies[0]!.body, sig, { now: Number(/t=(\d+)/.exec(sig)![1]) })).toBe(
      true,
    );

    const listed = await runCli(['webhooks', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    const [row] = lastJson<WebhookRow[]>(listed.stdout);
    expect(row).toMatchObject({ name: 'e2e', cursor: await feed.head(), lag: 0, parked: 0 });
    expect(row!.follower).not.toBeNull();
    expect(listed.stdout).not.toContain(secret);

    status = 500;
    await feed.append([tombstone(3)]);
    let failedJob = '';
    await vi.waitFor(
      async () => {
        const failed = await runCli(['failed', '--stage', 'deliver', '--json'], env);
        const rows = lastJson<Array<{ jobId: string; stage: string; message: string }>>(failed.stdout);
        expect(rows).toHaveLength(1);
        expect(rows[0]!.message).toMatch(/webhook 'e2e' answered 500/);
        failedJob = rows[0]!.jobId;
      },
      { timeout: 60_000, interval: 500 },
    );
    status = 200;
    const retried = await runCli(['retry', failedJob], env);
    expect(retried.code).toBe(0);
    await vi.waitFor(() => expect(ids()).toContain(tombstone(3).id), { timeout: 30_000 });

    const ping = await runCli(['webhooks', 'test', 'e2e'], env);
    expect(ping).toMatchObject({ code: 0, stdout: 'e2e: answered 200\n' });
    expect(JSON.parse(bodies.at(-1)!.body)).toEqual({ endpoint: 'e2e', ping: true, changes: [] });
  });
});
