import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { unlinkMatching, RedisKeys } from '@paperline/core/redis';
import { CrawlStore } from '@paperline/core/pipeline';
import { REDIS_URL, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';
import { holdBack, startFaultSite, type FaultSite } from '../helpers/faults-servers.js';
import {
  expectEveryPaperOnce,
  isAlive,
  startOwnEsCluster,
  waitFor,
  type OwnEsCluster,
  type Summary,
} from '../helpers/faults.js';

/** HTTP ports of this test's own three nodes (transport 100 above); the shared Elasticsearch is never touched. */
const FIRST_PORT = Number(process.env.PAPERLINE_FAULTS_ES_CLUSTER_PORT ?? 9280);
const ES_PORTS = [FIRST_PORT, FIRST_PORT + 1, FIRST_PORT + 2];

/** Where the papers index's primary shard is, and in what state. */
async function papersPrimary(es: Client, index: string): Promise<{ node: string; state: string }> {
  const rows = await es.cat.shards({ index, format: 'json', h: ['prirep', 'state', 'node'] });
  const primary = rows.find((r) => r.prirep === 'p');
  return { node: primary?.node ?? '', state: primary?.state ?? 'MISSING' };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** A condition read from the cluster while it fails over: an error (no master yet) means "not yet". */
const meanwhile =
  (cond: () => Promise<boolean>): (() => Promise<boolean>) =>
  () =>
    cond().catch(() => false);

describe('the Elasticsearch node holding the papers primary SIGKILLed mid-crawl (3-node cluster)', () => {
  const names = uniqueNames('f-failover');
  const redis = new Redis(REDIS_URL);
  const crawls = new CrawlStore(redis, names.prefix);
  let site: SnapshotSite;
  let front: FaultSite;
  let cluster: OwnEsCluster;
  let es: Client;
  let stackDir: string;
  let workers: ChildProcess | undefined;

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    front = await startFaultSite({ upstream: site.url });
    stackDir = await mkdtemp(join(tmpdir(), 'paperline-faults-cluster-'));
    const startedAt = Date.now();
    cluster = await startOwnEsCluster(ES_PORTS, stackDir);
    process.stderr.write(
      `[faults] es failover: 3-node cluster green in ${seconds(Date.now() - startedAt)}\n`,
    );
    es = new Client({ nodes: cluster.url.split(',') });
  });

  afterAll(async () => {
    if (workers) await stopWorkers(workers);
    await front?.close();
    await site?.close();
    await unlinkMatching(redis, new RedisKeys(names.prefix).everything);
    redis.disconnect();
    await es?.close();
    await cluster?.stop();
    if (stackDir) await rm(stackDir, { recursive: true, force: true });
  });

  it('the replica takes over: every paper searchable exactly once, nothing failed', async () => {
    // Workers know all three nodes; the indices keep the default layout (0-1 replicas: one here).
    const env = testEnv(names, {
      ELASTICSEARCH_URL: cluster.url,
      HF_BASE_URL: front.url,
      PAPERLINE_HOST_INTERVAL_MS: '150',
      PAPERLINE_LOCK_MS: '5000',
      // The held listing's request waits for the kill, however long that takes on a loaded machine.
      PAPERLINE_FETCH_HEADERS_TIMEOUT_MS: '120000',
      PAPERLINE_FETCH_TOTAL_TIMEOUT_MS: '120000',
    });
    const seeds = site.days.map((d) => `${front.url}/papers/date/${d}`);
    // The last day's listing (papers only it has) is held back until the node is dead, so the
    // archiving, parsing and index writes of those papers all happen after the failover.
    const listingGate = holdBack(front, [`/papers/date/${site.days.at(-1)!}`]);
    const truth = snapshotTruth();
    workers = startWorkersProcess(env, 'fetcher,parser,deduplicator,indexer');

    const started = await runCli(['crawl', ...seeds, '--depth', '1', '--json'], env);
    expect(started.code, started.stderr).toBe(0);
    const { crawlId } = lastJson<{ crawlId: string }>(started.stdout);

    // Some papers written, and every shard copied to a second node: kill the primary's node now.
    await waitFor('the first papers to be written', async () => (await crawls.sizes(crawlId)).written >= 3);
    await waitFor(
      'every shard to have its replica (green)',
      async () => (await es.cluster.health()).status === 'green',
    );
    const before = await crawls.sizes(crawlId);
    const primary = await papersPrimary(es, names.index);
    const victim = cluster.nodes.find((n) => n.name === primary.node);
    expect(victim?.pid, `the node holding the primary (${primary.node})`).toBeDefined();
    const master = (await es.cat.master({ format: 'json' }))[0]?.node;
    const killedAt = Date.now();
    process.kill(victim!.pid!, 'SIGKILL');
    await waitFor(`pid ${victim!.pid} to exit`, () => !existsSync(`/proc/${victim!.pid}`), 15_000, 20);
    listingGate.open();
    expect(before.written).toBeLessThan(truth.length);

    // The failover, watched from the surviving nodes (the client skips the dead one).
    await waitFor(
      'the cluster to drop the dead node',
      meanwhile(async () => (await es.cluster.health()).number_of_nodes === 2),
      90_000,
      50,
    );
    const nodeLeftAt = Date.now();
    await waitFor(
      'a started primary on another node',
      meanwhile(async () => {
        const now = await papersPrimary(es, names.index);
        return now.state === 'STARTED' && now.node !== victim!.name;
      }),
      90_000,
      50,
    );
    const promotedAt = Date.now();

    const waited = await runCli(['wait', crawlId, '--json'], env);
    const finishedAt = Date.now();
    expect(waited.code, waited.stderr).toBe(0);
    const s = lastJson<Summary>(waited.stdout);
    const after = await papersPrimary(es, names.index);
    const health = await es.cluster.health();
    process.stderr.write(
      `[faults] es failover: killed ${victim!.name} (papers primary${master === victim!.name ? ', elected master' : ''}) ` +
        `with ${before.written} papers written, ${before.fetched} pages fetched; node dropped after ` +
        `${seconds(nodeLeftAt - killedAt)}, primary started on ${after.node} after ${seconds(promotedAt - killedAt)}; ` +
        `crawl finished ${seconds(finishedAt - killedAt)} after the kill; cluster ${health.status} with ` +
        `${health.number_of_nodes} nodes, ${health.unassigned_shards} unassigned shards; summary ${JSON.stringify(s)}\n`,
    );
    await expectEveryPaperOnce(s, {
      es,
      index: names.index,
      env,
      fetched: seeds.length + truth.length,
      truth,
    });

    // The replica was promoted: the primary lives on a surviving node.
    expect(after.state).toBe('STARTED');
    expect(after.node).not.toBe(victim!.name);
    expect(cluster.nodes.map((n) => n.name)).toContain(after.node);
    expect(isAlive(workers), 'workers rode it out').toBe(true);
  });
});
