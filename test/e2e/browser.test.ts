import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { Browser, BrowserContext } from 'playwright-core';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { startSnapshotSite, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { ROOT, exited, killGroup, lastJson, runCli, startWorkersProcess } from '../helpers/cli.js';
import {
  freePort,
  launchChromium,
  loopbackOnlyContext,
  startServe,
  waitUntilUp,
} from '../helpers/browser.js';

const TOKEN = 'e2e-browser-token-7d1e';
const BEARER = { authorization: `Bearer ${TOKEN}` };
const ARTIFACTS = join(ROOT, 'test-artifacts');
const STAGES = ['fetch', 'parse', 'dedupe', 'index'];

interface OverviewJson {
  stages: Array<{ name: string; backlog: number; counts: { completed: number; failed: number } }>;
  crawls: Array<{ crawlId: string }>;
}

describe('the overview page and the queue dashboard in a real browser', () => {
  const names = uniqueNames('e2e-browser');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  let site: SnapshotSite;
  let workers: ChildProcess;
  let serve: ChildProcess;
  let browser: Browser;
  let context: BrowserContext;
  let offLoopback: string[];
  let base: string;
  let crawlId: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const launched = launchChromium(); // starts while the stack is set up
    launched.catch(() => undefined); // awaited below; don't report a failure twice
    site = await startSnapshotSite({ port: 0 });
    const env = testEnv(names, { HF_BASE_URL: site.url, PAPERLINE_API_TOKEN: TOKEN });
    workers = startWorkersProcess(env);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    serve = startServe(env, port); // starts while the crawl runs
    const seeds = site.days.slice(0, 2).map((d) => `${site.url}/papers/date/${d}`);
    const [res] = await Promise.all([
      runCli(['crawl', ...seeds, '--wait', '--json'], env),
      waitUntilUp(`${base}/healthz`, serve),
    ]);
    expect(res.code, res.stderr).toBe(0);
    crawlId = lastJson<{ crawlId: string }>(res.stdout).crawlId;
    browser = await launched;
    ({ context, offLoopback } = await loopbackOnlyContext(browser, {
      viewport: { width: 1360, height: 900 },
      httpCredentials: { username: 'admin', password: TOKEN },
    }));
  });

  // The pages load only what this server serves: no font, script or stylesheet from a CDN.
  afterEach(() => {
    expect(offLoopback.splice(0), 'requests beyond loopback (aborted)').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    // Set-up may have stopped before starting them (no Chromium): stop what did start.
    if (serve) killGroup(serve, 'SIGTERM');
    if (workers) killGroup(workers, 'SIGTERM');
    await Promise.all([serve && exited(serve), workers && exited(workers)]);
    await site?.close();
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  it('the overview shows every stage with its counts, the crawl, and refreshes itself', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${base}/`);
    await page.locator('[data-queue="index"]').waitFor();
    const data = (await (await fetch(`${base}/api/overview`, { headers: BEARER })).json()) as OverviewJson;
    for (const name of STAGES) {
      const card = page.locator(`[data-queue="${name}"]`);
      await expect(card.locator('h3').textContent()).resolves.toBe(name);
      const s = data.stages.find((x) => x.name === name)!;
      expect(s.counts.completed, name).toBeGreaterThan(0);
      const completed = card.locator(`[data-k$=".counts.completed"]`);
      await expect(completed.textContent()).resolves.toBe(s.counts.completed.toLocaleString('en-US'));
      await expect(card.locator('.big').textContent()).resolves.toBe(String(s.backlog));
    }
    await expect(page.locator('table').first().textContent()).resolves.toContain(data.crawls[0]!.crawlId);
    expect(data.crawls[0]!.crawlId).toBe(crawlId);
    const updated = await page.locator('#updated').textContent();
    await page.waitForFunction(
      (before) => document.getElementById('updated')?.textContent !== before,
      updated,
      {
        timeout: 9000,
      },
    );
    expect(await page.locator('#live').getAttribute('class')).toBe('dot');
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'overview.png'), fullPage: true });
  });

  it('the dashboard (logged in with the token) lists the four queues with their counts', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/dashboard/`);
    const data = (await (await fetch(`${base}/api/overview`, { headers: BEARER })).json()) as OverviewJson;
    for (const name of STAGES) {
      const s = data.stages.find((x) => x.name === name)!;
      // Each queue has a card: its name links to the queue, and a footer says how many jobs it holds.
      const card = page.locator('li', { has: page.locator(`a[title="${name}"]`), hasText: 'Jobs' });
      await card
        .getByText(`${s.counts.completed + s.counts.failed} Jobs`, { exact: true })
        .waitFor({ timeout: 10_000 });
      // …and the sidebar links to it too.
      await expect(page.locator(`a[href$="/dashboard/queue/${name}"]`).count()).resolves.toBe(2);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });
});
