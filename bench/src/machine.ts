/** What a result file says about where it was measured: the commit and the machine. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Client } from '@elastic/elasticsearch';
import type { RedisClient } from '@paperline/core/redis';
import type { BenchRecord } from './resultfile.js';
import { ROOT } from './workers.js';

/** Paths whose changes alter what is measured (results and prose do not). */
const CODE_PATHS = ['packages', 'services', 'infra', 'bench', ':(exclude)bench/results', ':(exclude)*.md'];

const git = (...args: string[]): string => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();

/** The commit measured, and whether the code under test had uncommitted changes; null outside git. */
export function commitState(): BenchRecord['commit'] {
  try {
    return {
      hash: git('rev-parse', 'HEAD'),
      short: git('rev-parse', '--short', 'HEAD'),
      dirty: git('status', '--porcelain', '--', ...CODE_PATHS) !== '',
    };
  } catch {
    return null;
  }
}

const loadavg = (): number[] => os.loadavg().map((x) => Math.round(x * 100) / 100);

/** Each Elasticsearch node's version and build (`GET /` may be disabled: the nodes API says the same). */
async function esVersions(es: Client): Promise<string> {
  const info = await es.nodes.info({ node_id: '_all', metric: '_none' });
  const builds = Object.values(info.nodes).map((n) => `${n.version} (${n.build_flavor}, ${n.build_type})`);
  return [...new Set(builds)].join(', ');
}

/** The machine and service versions, with the load average at the start (the end is added later). */
export async function machineInfo(es: Client, redis: RedisClient): Promise<BenchRecord['machine']> {
  const server = await redis.info('server');
  return {
    cores: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    memGb: Math.round(os.totalmem() / 2 ** 30),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    elasticsearch: await esVersions(es),
    redis: /^redis_version:(\S+)/m.exec(server)?.[1] ?? 'unknown',
    loadavg: { start: loadavg(), end: [] },
  };
}

export const endLoadavg = (m: BenchRecord['machine']): BenchRecord['machine'] => ({
  ...m,
  loadavg: { ...m.loadavg, end: loadavg() },
});
