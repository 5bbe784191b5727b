/**
 * What the benchmark creates in Redis and Elasticsearch (all names carry one run tag, so they are
 * found and removed at the end even after a failure), and the service-side counters it reads.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import { RedisKeys, unlinkMatching, type RedisClient } from '@paperline/core/redis';
import { papersTemplate } from '@paperline/core/es';
import { cpuSeconds } from './procstat.js';

export interface RunNames {
  tag: string;
  /** BullMQ / crawl-state prefix of the pipeline under test. */
  prefix: string;
  /** PAPERLINE_INDEX (an alias) and PAPERLINE_ARCHIVE_INDEX of the pipeline under test. */
  index: string;
  archive: string;
  /** Fresh indices for the bulk ceiling, its tuning trials and the Crawlee peer. */
  ceiling: string;
  tune: (k: number) => string;
  peer: string;
  /** Fresh indices for the peer's concurrency calibration. */
  peerTune: (k: number) => string;
}

/** A run's names under a fresh tag, or under `tag` (the warm-up's, inside its run's tag). */
export function runNames(tag = `bench-${randomBytes(3).toString('hex')}`): RunNames {
  return {
    tag,
    prefix: tag,
    index: `${tag}-papers`,
    archive: `${tag}-pages`,
    ceiling: `${tag}-ceiling`,
    tune: (k) => `${tag}-tune-${k}`,
    peer: `${tag}-peer`,
    peerTune: (k) => `${tag}-peertune-${k}`,
  };
}

/**
 * Elastic's "tune for indexing speed" recipe for a one-off load, as the ceiling and the peer use
 * it: no replicas and no periodic refresh while loading, then one refresh at the end
 * (`searchableAfterRefresh`). The pipeline keeps its product settings (the template's, and the
 * indexer's own backfill interval).
 */
export const BULK_LOAD_SETTINGS = { number_of_replicas: 0, refresh_interval: '-1' } as const;

/** The index settings of the papers template in infra/ (PaperRecord v1). */
export const templateIndexSettings = (): Record<string, unknown> =>
  papersTemplate().template.settings as Record<string, unknown>;

/**
 * A fresh index with the settings and mappings of the papers template in infra/ (PaperRecord v1),
 * with `overrides` on top of its settings.
 */
export async function createPapersIndex(
  es: Client,
  name: string,
  overrides: Record<string, unknown> = {},
): Promise<void> {
  const t = papersTemplate().template;
  await es.indices.create({
    index: name,
    settings: { ...(t.settings as Record<string, unknown>), ...overrides } as never,
    mappings: t.mappings as never,
  });
  await es.cluster.health({ index: name, wait_for_status: 'yellow', timeout: '30s' });
}

export async function deleteIndex(es: Client, name: string): Promise<void> {
  await es.indices.delete({ index: name, ignore_unavailable: true }).catch(() => undefined);
}

/** Removes every Redis key under the prefix, every index and template of this run. Idempotent. */
export async function cleanupRun(redis: RedisClient, es: Client, names: RunNames): Promise<string[]> {
  const removed: string[] = [];
  const keys = await unlinkMatching(redis, new RedisKeys(names.prefix).everything);
  removed.push(`${keys} redis keys`);
  // Wildcard deletes are refused (action.destructive_requires_name): resolve names first.
  const found = await es.indices
    .get({
      index: `${names.tag}-*`,
      ignore_unavailable: true,
      allow_no_indices: true,
      expand_wildcards: 'all',
    })
    .catch(() => ({}));
  const indices = Object.keys(found);
  if (indices.length) await es.indices.delete({ index: indices, ignore_unavailable: true });
  removed.push(`${indices.length} indices`);
  for (const t of [`${names.index}-template`, `${names.archive}-template`]) {
    await es.indices.deleteIndexTemplate({ name: t }).catch(() => undefined);
  }
  return removed;
}

/** Total CPU ms Elasticsearch has used (all nodes). Other users' load is included. */
const isLocalEs = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('org.elasticsearch');
  } catch {
    return false;
  }
};

export async function esCpuMs(es: Client): Promise<number> {
  // Elasticsearch refreshes its own process stats once a second. Nodes on this machine are read
  // from /proc instead, which is exact to the clock tick.
  const [stats, info] = await Promise.all([
    es.nodes.stats({ metric: 'process' }),
    es.nodes.info({ metric: 'process' }),
  ]);
  return Object.entries(stats.nodes).reduce((sum, [nodeId, n]) => {
    const pid = info.nodes[nodeId]?.process?.id;
    const local = pid !== undefined && isLocalEs(pid) ? cpuSeconds(pid) : null;
    return sum + (local !== null ? local * 1000 : (n.process?.cpu?.total_in_millis ?? 0));
  }, 0);
}

/** Total CPU seconds Redis has used (user + sys, main and children). */
export async function redisCpuSeconds(redis: RedisClient): Promise<number> {
  const info = await redis.info('cpu');
  const v = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return v('used_cpu_sys') + v('used_cpu_user');
}

export async function redisUsedMb(redis: RedisClient): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0) / 1_048_576;
}

/** Documents searchable now (no refresh forced); 0 when the index does not exist yet. */
export async function countDocs(es: Client, index: string): Promise<number> {
  try {
    return (await es.count({ index })).count;
  } catch {
    return 0;
  }
}

/** Time Elasticsearch spent on one index (ms, from `_stats`): attributable even on a shared cluster. */
export interface EsIndexTimes {
  docs: number;
  indexMs: number;
  getMs: number;
  searchMs: number;
  refreshMs: number;
  /** Refreshes (scheduled, forced and asked for): each makes a segment to merge later. */
  refreshes: number;
  mergeMs: number;
  merges: number;
  flushMs: number;
  storeMb: number;
}

/** Time Elasticsearch spent on each index matching `pattern`, by full index name. */
async function statsByIndex(es: Client, pattern: string): Promise<Record<string, EsIndexTimes>> {
  const s = await es.indices
    .stats({
      index: pattern,
      metric: ['docs', 'indexing', 'get', 'search', 'refresh', 'merge', 'flush', 'store'],
    })
    .catch(() => ({ indices: {} }));
  type Stats = Awaited<ReturnType<Client['indices']['stats']>>;
  const indices = (s as Stats).indices ?? {};
  return Object.fromEntries(
    Object.entries(indices).map(([name, v]) => {
      const t = v.total;
      const times: EsIndexTimes = {
        docs: t?.docs?.count ?? 0,
        indexMs: t?.indexing?.index_time_in_millis ?? 0,
        getMs: t?.get?.time_in_millis ?? 0,
        searchMs: (t?.search?.query_time_in_millis ?? 0) + (t?.search?.fetch_time_in_millis ?? 0),
        refreshMs: t?.refresh?.total_time_in_millis ?? 0,
        refreshes: t?.refresh?.total ?? 0,
        mergeMs: t?.merges?.total_time_in_millis ?? 0,
        merges: t?.merges?.total ?? 0,
        flushMs: t?.flush?.total_time_in_millis ?? 0,
        storeMb: (t?.store?.size_in_bytes ?? 0) / 1_048_576,
      };
      return [name, times];
    }),
  );
}

/** Every index of the run, keyed by its name without the run tag (`papers-v1`, `ceiling`, …). */
export async function indexTimes(es: Client, tag: string): Promise<Record<string, EsIndexTimes>> {
  const byName = await statsByIndex(es, `${tag}-*`);
  return Object.fromEntries(Object.entries(byName).map(([name, t]) => [name.slice(tag.length + 1), t]));
}

/** One index, since it was created. */
export async function indexTimesOf(es: Client, index: string): Promise<Record<string, EsIndexTimes>> {
  return diffIndexTimes(await statsByIndex(es, index), {});
}

export function diffIndexTimes(
  a: Record<string, EsIndexTimes>,
  b: Record<string, EsIndexTimes>,
): Record<string, EsIndexTimes> {
  const out: Record<string, EsIndexTimes> = {};
  for (const [k, v] of Object.entries(a)) {
    const z = b[k];
    out[k] = z
      ? {
          docs: v.docs,
          indexMs: v.indexMs - z.indexMs,
          getMs: v.getMs - z.getMs,
          searchMs: v.searchMs - z.searchMs,
          refreshMs: v.refreshMs - z.refreshMs,
          refreshes: v.refreshes - z.refreshes,
          mergeMs: v.mergeMs - z.mergeMs,
          merges: v.merges - z.merges,
          flushMs: v.flushMs - z.flushMs,
          storeMb: Math.round(v.storeMb),
        }
      : { ...v, storeMb: Math.round(v.storeMb) };
  }
  return out;
}
