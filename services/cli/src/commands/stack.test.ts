import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '@paperline/stack';
import { describeCluster } from './stack.js';

const node = (port: number, up: boolean) => ({
  name: `paperline-cluster-${port}`,
  url: `http://127.0.0.1:${port}`,
  up,
  managed: up,
  ...(up ? { pid: port * 10, version: '9.3.2' } : { detail: 'connection refused (ECONNREFUSED)' }),
});

const status = (up: boolean): ClusterStatus => {
  const url = 'http://127.0.0.1:9250,http://127.0.0.1:9251,http://127.0.0.1:9252';
  return {
    up,
    services: {
      elasticsearch: {
        up,
        nodes: [node(9250, true), node(9251, up), node(9252, true)],
        env: { ELASTICSEARCH_URL: url },
        detail: `cluster health green, ${up ? 3 : 2} of 3 nodes`,
      },
      redis: {
        up: true,
        nodes: [7100, 7101].map((port) => ({
          name: `redis-${port}`,
          url: `redis://127.0.0.1:${port}`,
          up: true,
          managed: true,
          pid: port,
        })),
        env: { REDIS_CLUSTER_NODES: nodes },
        detail: 'cluster_state:ok, 2 nodes',
      },
    },
    env: { ELASTICSEARCH_URL: url, REDIS_CLUSTER_NODES: nodes },
  };
};
const nodes = '127.0.0.1:7100,127.0.0.1:7101';

describe('describeCluster', () => {
  it('prints a line per node and the ELASTICSEARCH_URL to export', () => {
    expect(describeCluster(status(true)).split('\n')).toEqual([
      'elasticsearch  up    http://127.0.0.1:9250  v9.3.2  (started by paperline, pid 92500)  paperline-cluster-9250',
      'elasticsearch  up    http://127.0.0.1:9251  v9.3.2  (started by paperline, pid 92510)  paperline-cluster-9251',
      'elasticsearch  up    http://127.0.0.1:9252  v9.3.2  (started by paperline, pid 92520)  paperline-cluster-9252',
      'elasticsearch  up    cluster health green, 3 of 3 nodes',
      'redis          up    redis://127.0.0.1:7100  (started by paperline, pid 7100)  redis-7100',
      'redis          up    redis://127.0.0.1:7101  (started by paperline, pid 7101)  redis-7101',
      'redis          up    cluster_state:ok, 2 nodes',
      '',
      'for the workers and the CLI:',
      'ELASTICSEARCH_URL=http://127.0.0.1:9250,http://127.0.0.1:9251,http://127.0.0.1:9252',
      'REDIS_CLUSTER_NODES=127.0.0.1:7100,127.0.0.1:7101',
      '',
    ]);
  });

  it('says why a node is down, and prints no URL to use while the cluster is incomplete', () => {
    const out = describeCluster(status(false));
    expect(out).toContain(
      'elasticsearch  down  http://127.0.0.1:9251  paperline-cluster-9251: connection refused (ECONNREFUSED)',
    );
    expect(out).toContain('elasticsearch  down  cluster health green, 2 of 3 nodes');
    expect(out).not.toContain('ELASTICSEARCH_URL=');
  });
});
