import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';
import {
  RSS_LIMIT_MIB,
  failedRows,
  isAlive,
  rssMiB,
  waitForStageWorkers,
  workerPids,
  type Summary,
} from '../helpers/faults.js';
import {
  encodeShiftJis,
  encodeWindows1252,
  fixturePaper,
  html,
  paperPageHtml,
  startCountingServer,
  startFaultSite,
  type FaultSite,
} from '../helpers/faults-servers.js';

const TRIPWIRE = fileURLToPath(new URL('../helpers/net-tripwire.mjs', import.meta.url));
const MB = 1024 * 1024;
const RETRY_AFTER_S = 3;
const TOTAL_TIMEOUT_MS = 3000;

const page = (id: string, title?: string) => html(paperPageHtml(fixturePaper(id, title)));
const P = (id: string) => `/papers/${id}`;

// Titles that must survive decoding into the index.
const CP1252_TITLE = 'Café “Déjà vu” – naïve models for €5';
const SJIS_TITLE = '日本語の論文：深層学習による機械翻訳';

describe('fixture-server faults, SSRF redirects and odd charsets in one crawl', () => {
  const names = uniqueNames('f-http');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  const tripwireLog = join(tmpdir(), `paperline-tripwire-${names.prefix}.log`);
  let site: SnapshotSite;
  let front: FaultSite;
  let canary: Awaited<ReturnType<typeof startCountingServer>>;
  let allowedHop: Awaited<ReturnType<typeof startCountingServer>>;
  let workers: ChildProcess | undefined;
  let env: NodeJS.ProcessEnv;
  const good: string[] = []; // seeds whose paper must be indexed (path → id below)
  const goodIds: string[] = [];
  const expectedFailures = new Map<string, { stage: string; code: string }>();

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    front = await startFaultSite({ upstream: site.url });
    canary = await startCountingServer('127.0.0.2', (_q, r) => r.writeHead(200).end('internal secret'));
    allowedHop = await startCountingServer('127.0.0.3', (_q, r) =>
      r.writeHead(302, { location: `${front.url}${P('2403.90034')}` }).end(),
    );
    writeFileSync(tripwireLog, '');
    const f = front.faults;
    const fail = (id: string, stage: string, code: string) => expectedFailures.set(P(id), { stage, code });
    const ok = (path: string, id: string) => (good.push(path), goodIds.push(`arxiv:${id}`));

    // Real snapshot pages pass straight through.
    for (const p of snapshotTruth().slice(0, 3)) ok(P(p.id), p.id);
    // Transient: bursts of 5xx, a 429 with Retry-After, resets and truncations, then the page.
    f.set(P('2403.90001'), { kind: 'status', status: 500, times: 2, then: page('2403.90001') });
    f.set(P('2403.90002'), { kind: 'status', status: 502, times: 2, then: page('2403.90002') });
    f.set(P('2403.90003'), { kind: 'status', status: 503, times: 3, then: page('2403.90003') });
    f.set(P('2403.90005'), {
      kind: 'status',
      status: 429,
      times: 1,
      retryAfter: String(RETRY_AFTER_S),
      then: page('2403.90005'),
    });
    f.set(P('2403.90006'), { kind: 'reset', times: 2, then: page('2403.90006') });
    f.set(P('2403.90007'), { kind: 'truncate', times: 2, then: page('2403.90007') });
    for (const id of ['90001', '90002', '90003', '90005', '90006', '90007'])
      ok(P(`2403.${id}`), `2403.${id}`);
    // Transient faults that never heal end in `failed` after every attempt.
    f.set(P('2403.90004'), { kind: 'status', status: 500, times: 1e9, then: page('2403.90004') });
    fail('2403.90004', 'fetch', 'HTTP_SERVER_ERROR');
    f.set(P('2403.90008'), { kind: 'truncate', times: 1e9, then: page('2403.90008') });
    fail('2403.90008', 'fetch', 'HTTP_CONNECTION');
    f.set(P('2403.90010'), { kind: 'drip' });
    fail('2403.90010', 'fetch', 'HTTP_TIMEOUT');
    // Permanent at once.
    f.set(P('2403.90011'), {
      kind: 'serve',
      page: { body: Buffer.from('%PDF-1.7 not a page'), contentType: 'application/pdf' },
    });
    fail('2403.90011', 'fetch', 'HTTP_BAD_CONTENT_TYPE');
    f.set(P('2403.90012'), { kind: 'huge', bytes: 64 * MB, declareLength: true });
    fail('2403.90012', 'fetch', 'HTTP_TOO_LARGE');
    f.set(P('2403.90013'), { kind: 'huge', bytes: 64 * MB, declareLength: false });
    fail('2403.90013', 'fetch', 'HTTP_TOO_LARGE');
    f.set(P('2403.90014'), { kind: 'redirect', to: P('2403.90015') });
    f.set(P('2403.90015'), { kind: 'redirect', to: P('2403.90014') });
    fail('2403.90014', 'fetch', 'HTTP_TOO_MANY_REDIRECTS');
    f.set(P('2403.90016'), { kind: 'redirect', to: '/hop/1' });
    for (let i = 1; i <= 7; i++) f.set(`/hop/${i}`, { kind: 'redirect', to: `/hop/${i + 1}` });
    fail('2403.90016', 'fetch', 'HTTP_TOO_MANY_REDIRECTS');
    const broken = paperPageHtml(fixturePaper('2403.90020'), { brokenBlob: true });
    f.set(P('2403.90020'), { kind: 'serve', page: html(broken) });
    fail('2403.90020', 'parse', 'PARSE_ERROR');
    // SSRF: redirects to internal addresses are refused before connecting; an allowed host is not.
    f.set(P('2403.90030'), { kind: 'redirect', to: `${canary.url}/secret` });
    f.set(P('2403.90031'), { kind: 'redirect', to: 'http://169.254.169.254/latest/meta-data/' });
    f.set(P('2403.90032'), { kind: 'redirect', to: 'http://10.1.2.3/admin' });
    for (const id of ['2403.90030', '2403.90031', '2403.90032']) fail(id, 'fetch', 'HTTP_BLOCKED_ADDRESS');
    f.set(P('2403.90033'), { kind: 'redirect', to: `${allowedHop.url}/hop` });
    f.set(P('2403.90034'), { kind: 'serve', page: page('2403.90034') });
    good.push(P('2403.90033'));
    goodIds.push('arxiv:2403.90034');
    // Charsets: invalid UTF-8, windows-1252 (header), Shift_JIS (<meta> only).
    const bad = Buffer.from(paperPageHtml(fixturePaper('2403.90040', 'Invalid bytes in the abstract')));
    const at = bad.indexOf('An abstract');
    f.set(P('2403.90040'), {
      kind: 'serve',
      page: {
        body: Buffer.concat([bad.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff]), bad.subarray(at)]),
        contentType: 'text/html; charset=utf-8',
      },
    });
    f.set(P('2403.90041'), {
      kind: 'serve',
      page: {
        body: encodeWindows1252(paperPageHtml(fixturePaper('2403.90041', CP1252_TITLE))),
        contentType: 'text/html; charset=windows-1252',
      },
    });
    f.set(P('2403.90042'), {
      kind: 'serve',
      page: {
        body: encodeShiftJis(
          paperPageHtml(fixturePaper('2403.90042', SJIS_TITLE), { metaCharset: 'Shift_JIS' }),
        ),
        contentType: 'text/html',
      },
    });
    for (const id of ['90040', '90041', '90042']) ok(P(`2403.${id}`), `2403.${id}`);

    env = testEnv(names, {
      HF_BASE_URL: front.url,
      PAPERLINE_ALLOW_HOSTS: `127.0.0.3:${allowedHop.port}`,
      PAPERLINE_FETCH_TOTAL_TIMEOUT_MS: String(TOTAL_TIMEOUT_MS),
      PAPERLINE_FETCH_BODY_TIMEOUT_MS: '2000',
      PAPERLINE_FETCH_HEADERS_TIMEOUT_MS: '2000',
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${TRIPWIRE}`.trim(),
      PAPERLINE_TRIPWIRE_LOG: tripwireLog,
    });
    workers = startWorkersProcess(env, 'fetcher,parser,deduplicator,indexer');
  });

  afterAll(async () => {
    if (workers) {
      await stopWorkers(workers);
    }
    await Promise.all([front.close(), canary.close(), allowedHop.close(), site.close()]);
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
    rmSync(tripwireLog, { force: true });
  });

  it('recovers the transient faults, fails the permanent ones with their codes, and stays bounded', async () => {
    await waitForStageWorkers(REDIS_URL, names.prefix);
    const fetcherPid = workerPids(workers!).get('fetcher')!;
    const baseline = rssMiB(fetcherPid)!;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(fetcherPid) ?? 0)), 100);

    const seeds = [...good, ...expectedFailures.keys()].map((p) => `${front.url}${p}`);
    const res = await runCli(['crawl', ...seeds, '--wait', '--json'], env);
    clearInterval(sampler);
    expect(res.code, res.stderr).toBe(3); // finished, with failures
    const s = lastJson<Summary>(res.stdout);

    // Every good paper exactly once.
    await es.indices.refresh({ index: names.index });
    const all = await es.search<{ title: string; abstract?: string }>({
      index: names.index,
      size: 100,
      query: { match_all: {} },
    });
    const docs = new Map(all.hits.hits.map((h) => [h._id!, h._source!]));
    expect(all.hits.hits).toHaveLength(docs.size);
    expect([...docs.keys()].sort()).toEqual([...goodIds].sort());
    expect(s.indexed).toBe(goodIds.length);
    expect(s.failed).toBe(expectedFailures.size);

    // Each permanent fault listed by `failed --json` with its stage and code.
    const rows = await failedRows(env, ['--crawl', s.crawlId]);
    const got = new Map(rows.map((r) => [new URL(r.url).pathname, { stage: r.stage, code: r.code }]));
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expectedFailures));
    const attempts = new Map(rows.map((r) => [new URL(r.url).pathname, r.attempts]));

    // Charsets decoded right; invalid UTF-8 replaced, not fatal.
    expect(docs.get('arxiv:2403.90041')?.title).toBe(CP1252_TITLE);
    expect(docs.get('arxiv:2403.90042')?.title).toBe(SJIS_TITLE);
    expect(docs.get('arxiv:2403.90040')?.abstract).toContain('\uFFFD');

    // The raw page of the broken blob is reachable.
    const raw = await runCli(['raw', `${front.url}${P('2403.90020')}`], env);
    expect(raw.code, raw.stderr).toBe(0);
    expect(raw.stdout).toBe(paperPageHtml(fixturePaper('2403.90020'), { brokenBlob: true }));

    // Retry-After honoured: the retry came no sooner than the server asked.
    const hits = (p: string) => front.requests.filter((r) => r.path === P(p));
    const r429 = hits('2403.90005');
    expect(r429.map((r) => r.answer)).toEqual(['fault', 'ok']);
    const retryGap = r429[1]!.at - r429[0]!.at;
    expect(retryGap).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000 - 50);
    // Bursts retried until they healed.
    expect(hits('2403.90003').map((r) => r.answer)).toEqual(['fault', 'fault', 'fault', 'ok']);
    expect(hits('2403.90004')).toHaveLength(4); // PAPERLINE_FETCH_ATTEMPTS default
    // The drip: each attempt cut at the total timeout (not left to hang), then the job failed.
    const drip = hits('2403.90010');
    expect(drip).toHaveLength(4);
    const dripRow = rows.find((r) => new URL(r.url).pathname === P('2403.90010'))!;
    expect(dripRow.message).toContain(`no complete response within ${TOTAL_TIMEOUT_MS} ms`);
    const dripSpan = Date.parse(dripRow.failedAt) - drip[0]!.at;
    // Permanent ones are not retried.
    for (const id of ['90011', '90012', '90013', '90014', '90016', '90030', '90031', '90032'])
      expect(attempts.get(P(`2403.${id}`)), id).toBe(1);

    // 64 MB bodies: refused while streaming; the fetcher never held them.
    const streamed = front.hugeBytesSent.get(P('2403.90013')) ?? 0;
    expect(streamed).toBeLessThan(40 * MB);
    process.stderr.write(
      `[faults] http: fetcher RSS baseline ${baseline.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB\n`,
    );
    expect(peak - baseline).toBeLessThan(64);
    expect(peak).toBeLessThan(RSS_LIMIT_MIB);

    // SSRF: nothing reached 127.0.0.2, nothing tried a non-loopback address; the allowed hop worked.
    expect(canary.connections()).toBe(0);
    expect(allowedHop.connections()).toBeGreaterThan(0);
    expect(readFileSync(tripwireLog, 'utf8')).toBe('');

    expect(isAlive(workers!), 'workers still running').toBe(true);
    process.stderr.write(
      `[faults] http: summary ${JSON.stringify(s)}; 429 retry after ${retryGap} ms; drip failed ` +
        `${dripSpan} ms after its first request; 64 MB chunked: ${(streamed / MB).toFixed(1)} MB sent before ` +
        `the fetcher hung up; fetcher RSS ${baseline.toFixed(0)} → peak ${peak.toFixed(0)} MiB; ` +
        `failed ${JSON.stringify(rows.map((r) => [new URL(r.url).pathname, r.stage, r.code, r.attempts]))}\n`,
    );
  });
});
