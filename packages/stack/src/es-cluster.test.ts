import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { esNodeSettings } from './elasticsearch.js';
import { esClusterNodes } from './es-cluster.js';
import { DEFAULT_ES_VERSION, StackError, clusterStatus, clusterUp, resolveClusterOptions } from './index.js';
import { closedPort, esReplies, fakeElasticsearch, type Fake } from './test-fakes.js';

/**
 * `n` closed ports for other nodes beside a node on `taken`: none of their HTTP or transport ports
 * (the HTTP port + 100) may be one of another node's, or clusterUp refuses the list for that
 * instead. Ports the kernel hands out one after another are often close together.
 */
async function closedPortsBeside(taken: number, n: number): Promise<number[]> {
  const used = new Set([taken, taken + 100]);
  const ports: number[] = [];
  while (ports.length < n) {
    const port = await closedPort();
    if (used.has(port) || used.has(port + 100)) continue;
    used.add(port).add(port + 100);
    ports.push(port);
  }
  return ports;
}

describe('esClusterNodes', () => {
  const o = resolveClusterOptions({ stackDir: '/srv/stack' }, {});
  const nodes = esClusterNodes(o);

  it('puts three nodes on 127.0.0.1:9250-9252, each with its own files and one transport port', () => {
    expect(nodes.map((n) => [n.name, n.target.displayUrl, n.transportPort, n.paths.dir])).toEqual([
      ['paperline-cluster-9250', 'http://127.0.0.1:9250', '9350', '/srv/stack/es-cluster-9250'],
      ['paperline-cluster-9251', 'http://127.0.0.1:9251', '9351', '/srv/stack/es-cluster-9251'],
      ['paperline-cluster-9252', 'http://127.0.0.1:9252', '9352', '/srv/stack/es-cluster-9252'],
    ]);
    expect(nodes[1]!.paths.pidFile).toBe('/srv/stack/es-cluster-9251/elasticsearch.pid');
  });

  it('tells every node every transport address and every master-eligible name', () => {
    const settings = esNodeSettings(nodes[2]!);
    expect(settings).toEqual(
      expect.arrayContaining([
        '-Ecluster.name=paperline-cluster',
        '-Enode.name=paperline-cluster-9252',
        '-Ehttp.port=9252',
        '-Etransport.port=9352',
        '-Enetwork.host=127.0.0.1',
        '-Epath.data=/srv/stack/es-cluster-9252/data',
        '-Ediscovery.seed_hosts=127.0.0.1:9350,127.0.0.1:9351,127.0.0.1:9352',
        '-Ecluster.initial_master_nodes=paperline-cluster-9250,paperline-cluster-9251,paperline-cluster-9252',
      ]),
    );
    expect(settings.some((s) => s.startsWith('-Ediscovery.type'))).toBe(false);
  });

  it('follows the ports and the cluster name it is given', () => {
    const other = esClusterNodes(
      resolveClusterOptions({ stackDir: '/s', esPorts: [9280, 9282, 9284, 9286], clusterName: 'ci' }, {}),
    );
    expect(other.map((n) => n.name)).toEqual(['ci-9280', 'ci-9282', 'ci-9284', 'ci-9286']);
    expect(other[0]!.discovery['discovery.seed_hosts']).toBe(
      '127.0.0.1:9380,127.0.0.1:9382,127.0.0.1:9384,127.0.0.1:9386',
    );
  });
});

describe('resolveClusterOptions', () => {
  it('applies the documented defaults', () => {
    expect(resolveClusterOptions({}, {})).toMatchObject({
      esPorts: [9250, 9251, 9252],
      heapMin: '512m',
      heapMax: '512m',
      clusterName: 'paperline-cluster',
      timeoutMs: 180_000,
      esVersion: DEFAULT_ES_VERSION,
    });
  });

  it('rejects fewer than three nodes, ports out of range or used twice, and bad names', () => {
    expect(() => resolveClusterOptions({ esPorts: [9250, 9251] }, {})).toThrow(/needs at least 3/);
    expect(() => resolveClusterOptions({ esPorts: [9250, 9251, 65500] }, {})).toThrow(/65500 is not a port/);
    expect(() => resolveClusterOptions({ esPorts: [9250, 9251, 9350] }, {})).toThrow(
      /port 9350 would be used twice/,
    );
    expect(() => resolveClusterOptions({ esPorts: [9250, 9250, 9251] }, {})).toThrow(StackError);
    expect(() => resolveClusterOptions({ clusterName: 'My Cluster' }, {})).toThrow(/clusterName/);
    expect(() => resolveClusterOptions({ esHeap: 'lots' }, {})).toThrow(/esHeap/);
  });
});

/** Orchestration against fake nodes: nothing here starts a real Elasticsearch. */
describe('clusterUp / clusterStatus against nodes that already answer', () => {
  let dir: string;
  const fakes: Fake[] = [];
  const lines: string[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperline-cluster-unit-'));
    lines.length = 0;
  });
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()));
    await rm(dir, { recursive: true, force: true });
  });
  const fakeNodes = async (health: string, counted: number): Promise<number[]> => {
    const nodes = await Promise.all(
      [0, 1, 2].map(() => fakeElasticsearch(esReplies(DEFAULT_ES_VERSION, health, counted))),
    );
    fakes.push(...nodes);
    return nodes.map((n) => n.port);
  };

  it('uses a whole green cluster as it is and reports the URL list for the workers', async () => {
    const esPorts = await fakeNodes('green', 3);
    const s = await clusterUp({ stackDir: dir, esPorts, redisPorts: [], log: (m) => lines.push(m) });
    const url = esPorts.map((p) => `http://127.0.0.1:${p}`).join(',');
    expect(s.up).toBe(true);
    expect(s.env).toEqual({ ELASTICSEARCH_URL: url });
    expect(s.services.elasticsearch.nodes).toEqual(
      esPorts.map((p) =>
        expect.objectContaining({ name: `paperline-cluster-${p}`, up: true, managed: false }),
      ),
    );
    expect(lines).toEqual([`elasticsearch cluster: using ${url} (cluster health green, 3 of 3 nodes)`]);
  });

  it('is not up while the cluster counts fewer nodes than it has', async () => {
    const esPorts = await fakeNodes('green', 2);
    const s = await clusterStatus({ stackDir: dir, esPorts, redisPorts: [] });
    expect(s.up).toBe(false);
    expect(s.services.elasticsearch.detail).toBe('cluster health green, 2 of 3 nodes');
  });

  it('refuses to start a node on a port something else holds, before starting anything', async () => {
    const squatter = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => squatter.once('listening', r));
    const taken = (squatter.address() as { port: number }).port;
    try {
      const [first, third] = await closedPortsBeside(taken, 2);
      const esPorts = [first!, taken, third!];
      const err = await clusterUp({ stackDir: dir, esPorts, redisPorts: [] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StackError);
      expect((err as StackError).message).toMatch(
        new RegExp(
          `port ${taken} on 127\\.0\\.0\\.1, needed by Elasticsearch node paperline-cluster-${taken}`,
        ),
      );
    } finally {
      squatter.close();
    }
  });
});
