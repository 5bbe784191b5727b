import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import type { RedisClient } from '../redis/redis.js';
import { PermanentError } from '@paperline/contracts';
import { aliasTargets, concreteIndexName, layoutSettings, papersTemplate, putTemplate } from './templates.js';
import type { IndexLayout } from '../config/config.js';
import type { BulkItem, BulkOutcome } from './papers.js';
import { RedisKeys } from '../redis/keys.js';

/**
 * While a rebuild runs, every write to the alias is also written to the new index (its "shadow"),
 * so documents changed after the copy passed them are not lost. The shadow's name lives in Redis
 * so indexers on every machine see it; each checks at most once per `ttlMs`. The name is a lease
 * that the rebuild renews as it goes: a rebuild that was killed stops the dual writes within
 * `leaseSeconds`, one that failed stops them at once.
 */
export class ShadowTarget {
  private cached: { at: number; index: string | null } = { at: 0, index: null };

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly alias: string,
    /** @defaultValue 1000 */
    readonly ttlMs = 1000,
    /** @defaultValue 300 */
    private readonly leaseSeconds = 300,
  ) {}

  private get key(): string {
    return new RedisKeys(this.prefix).reindexShadow(this.alias);
  }

  async current(): Promise<string | null> {
    if (Date.now() - this.cached.at < this.ttlMs) return this.cached.index;
    const index = await this.redis.get(this.key);
    this.cached = { at: Date.now(), index };
    return index;
  }

  /** Starts or renews the lease on the shadow's name. */
  async set(index: string): Promise<void> {
    await this.redis.set(this.key, index, 'EX', this.leaseSeconds);
  }

  async clear(): Promise<void> {
    await this.redis.del(this.key);
  }
}

/** Writes the items to the shadow index too (external versions: a copy never overwrites a newer one). */
async function writeShadow(es: Client, index: string, items: BulkItem[]): Promise<void> {
  if (items.length === 0) return;
  const operations: Array<object | string> = [];
  for (const it of items) {
    operations.push({ index: { _index: index, _id: it.id, version: it.version, version_type: 'external' } });
    operations.push(it.doc);
  }
  const res = await es.bulk({ operations, refresh: false });
  const bad = res.items.filter((i) => i.index && i.index.status >= 300 && i.index.status !== 409);
  const first = bad[0]?.index;
  if (first)
    throw new ReindexError(
      `writing document ${first._id} to ${index} failed: ${first.error?.reason ?? `status ${first.status}`}`,
      { index, paperId: first._id ?? undefined },
    );
}

/** A rebuild that stopped before the alias swap; the alias still points at the indices it had. */
export class ReindexError extends PermanentError {
  constructor(message: string, context: { index: string; paperId?: string }, cause?: unknown) {
    super('REINDEX_FAILED', `reindex: ${message}`, { stage: 'cli', context, cause });
  }
}

function generationOf(alias: string, index: string): number {
  const m = new RegExp(`^${alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-v\\d+-(\\d+)$`).exec(index);
  return m ? Number(m[1]) : 0;
}

interface ReindexReport {
  alias: string;
  from: string[];
  to: string;
  copied: number;
  sourceCount: number;
  targetCount: number;
  sampled: number;
  deleted: string[];
  seconds: number;
}

interface ReindexOptions {
  deleteOld?: boolean;
  /** Shards and replicas of the new index (`PAPERLINE_INDEX_SHARDS`, `…_REPLICAS`); the template's when unset. */
  layout?: IndexLayout;
  log?: (m: string) => void;
  /** @defaultValue 1000 */
  batch?: number;
}

/**
 * Rebuilds the papers index with the current template, without downtime: a new versioned index,
 * dual writes while the current documents are copied in (keeping their versions), verification
 * (counts and a sample), then one atomic alias swap. Old indices are kept unless `deleteOld`.
 * A failure before the swap removes the new index and stops the dual writes, then rethrows.
 */
export async function reindexPapers(
  es: Client,
  shadow: ShadowTarget,
  alias: string,
  opts: ReindexOptions = {},
): Promise<ReindexReport> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const file = papersTemplate();
  await putTemplate(es, `${alias}-template`, [`${alias}-v*`], file);
  const from = await aliasTargets(es, alias);
  const all = Object.keys(await es.indices.get({ index: `${alias}-v*`, allow_no_indices: true }));
  const gen = Math.max(0, ...all.map((i) => generationOf(alias, i))) + 1;
  const to = concreteIndexName(alias, file.version, gen);
  await es.indices.create({
    index: to,
    settings: { refresh_interval: '-1', ...(opts.layout ? layoutSettings(opts.layout, true) : {}) },
  });
  log(`created ${to} from template v${file.version}`);
  let filled: { copied: number; sourceCount: number; targetCount: number; sampled: number };
  try {
    await shadow.set(to);
    // Indexers look the shadow up at most once per ttl: after that, every new write reaches both.
    await sleep(shadow.ttlMs * 2 + 100);
    const copied =
      from.length > 0 ? await copyInto(es, alias, to, opts.batch ?? 1000, () => shadow.set(to)) : 0;
    await es.indices.putSettings({
      index: to,
      settings: { refresh_interval: file.template.settings.refresh_interval as string },
    });
    await es.indices.refresh({ index: [to, ...from] });
    await shadow.set(to);
    filled = { copied, ...(await verifyCopy(es, alias, from, to)) };
  } catch (err) {
    await abandon(es, shadow, to, log);
    throw err instanceof ReindexError ? err : new ReindexError(describe(err), { index: to }, err);
  }
  log(
    `verified: ${filled.targetCount} documents (${filled.sourceCount} in the current index), ${filled.sampled} sampled`,
  );
  await es.indices.updateAliases({
    actions: [
      ...from.map((index) => ({ remove: { index, alias } })),
      { add: { index: to, alias, is_write_index: true } },
    ],
  });
  await shadow.clear();
  log(`alias ${alias} → ${to}`);
  const deleted: string[] = [];
  if (opts.deleteOld && from.length) {
    await es.indices.delete({ index: from });
    deleted.push(...from);
    log(`deleted ${from.join(', ')}`);
  }
  return { alias, from, to, ...filled, deleted, seconds: (Date.now() - started) / 1000 };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Stops the dual writes and removes the half-built index; the alias was never moved to it. */
async function abandon(
  es: Client,
  shadow: ShadowTarget,
  to: string,
  log: (m: string) => void,
): Promise<void> {
  await shadow.clear();
  await es.indices.delete({ index: to, ignore_unavailable: true });
  log(`failed: dual writes stopped, ${to} deleted, alias unchanged`);
}

/** Copies every document under the alias into `to`, keeping versions; returns how many. */
async function copyInto(
  es: Client,
  alias: string,
  to: string,
  size: number,
  renewLease: () => Promise<void>,
): Promise<number> {
  let copied = 0;
  let after: (string | number)[] | undefined;
  for (;;) {
    const res = await es.search<Record<string, unknown>>({
      index: alias,
      size,
      version: true,
      // The copy keeps the vectors, which Elasticsearch 9 leaves out of `_source` by default.
      _source: { exclude_vectors: false },
      sort: [{ id: 'asc' }],
      query: { match_all: {} },
      ...(after ? { search_after: after } : {}),
    });
    const hits = res.hits.hits;
    if (hits.length === 0) return copied;
    await writeShadow(
      es,
      to,
      hits.map((h) => ({ id: h._id!, version: Number(h._version ?? 1), doc: h._source ?? {} })),
    );
    copied += hits.length;
    await renewLease();
    after = hits[hits.length - 1]!.sort as (string | number)[];
    if (hits.length < size) return copied;
  }
}

/** Counts and a random sample must agree between the alias and the new index. */
async function verifyCopy(
  es: Client,
  alias: string,
  from: string[],
  to: string,
): Promise<{ sourceCount: number; targetCount: number; sampled: number }> {
  const sourceCount = from.length ? (await es.count({ index: alias })).count : 0;
  const targetCount = (await es.count({ index: to })).count;
  if (targetCount < sourceCount)
    throw new ReindexError(
      `verification failed: ${to} has ${targetCount} documents, ${alias} has ${sourceCount}; alias not swapped`,
      { index: to },
    );
  const sample = from.length
    ? (
        await es.search<{ contentHash?: string }>({
          index: alias,
          size: 25,
          version: true,
          query: { function_score: { query: { match_all: {} }, functions: [{ random_score: {} }] } },
        })
      ).hits.hits
    : [];
  const ids = sample.map((h) => h._id!);
  if (ids.length === 0) return { sourceCount, targetCount, sampled: 0 };
  const got = await es.mget<{ contentHash?: string }>({ index: to, ids });
  got.docs.forEach((d, i) => {
    const src = sample[i]!;
    const ok =
      'found' in d &&
      d.found &&
      (d._source?.contentHash === src._source?.contentHash || Number(d._version) > Number(src._version));
    if (!ok)
      throw new ReindexError(
        `verification failed: ${src._id} differs between ${alias} and ${to}; alias not swapped`,
        {
          index: to,
          paperId: src._id ?? undefined,
        },
      );
  });
  return { sourceCount, targetCount, sampled: ids.length };
}

/** A bulk write through the alias that also reaches the shadow index while a rebuild runs. */
export async function bulkWriteWithShadow(
  es: Client,
  alias: string,
  shadow: ShadowTarget,
  items: BulkItem[],
  write: (items: BulkItem[]) => Promise<BulkOutcome[]>,
): Promise<BulkOutcome[]> {
  const outcomes = await write(items);
  const target = await shadow.current();
  if (target) {
    const written = new Set(outcomes.filter((o) => o.result === 'written').map((o) => o.id));
    await writeShadow(
      es,
      target,
      items.filter((i) => written.has(i.id)),
    );
  }
  return outcomes;
}
