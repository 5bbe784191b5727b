import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Client } from '@elastic/elasticsearch';
import type { PaperCandidate } from '@paperline/contracts';
import { bulkWrite, createEsClient, ensurePapersIndex, getPapers, type BulkItem } from '@paperline/core/es';
import { ChangeFeed } from '@paperline/core/pipeline';
import { buildRecord } from '@paperline/identity';
import { purgeWithdrawn } from '@paperline/ops';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, uniqueNames } from '../helpers/env.js';

/** `purge --withdrawn` against real Elasticsearch and Redis. */
const names = uniqueNames('purge');
const redis = new Redis(REDIS_URL);
const es = createEsClient({ nodes: [ELASTICSEARCH_URL] });
const feed = new ChangeFeed(redis, names.prefix);
const NOW = new Date('2026-03-31T12:00:00.000Z');
const OLD = '2025-06-01T00:00:00.000Z';
const RECENT = '2026-03-30T00:00:00.000Z';

/** A paper document as the indexer writes it, at a version. */
function paper(n: number, opts: { withdrawn: boolean; updatedAt: string; version?: number }): BulkItem {
  const c: PaperCandidate = {
    source: 'arxiv',
    url: `https://arxiv.org/abs/2501.${20000 + n}`,
    fetchedAt: opts.updatedAt,
    parserVersion: 'arxiv-1',
    arxivId: `2501.${20000 + n}`,
    title: `Paper ${n}`,
    authors: ['Ada Lovelace'],
    authorCount: 1,
    ...(opts.withdrawn ? { withdrawn: true } : {}),
  };
  const id = `arxiv:2501.${20000 + n}`;
  return {
    id,
    version: opts.version ?? 1000 + n,
    doc: buildRecord(id, [c], { firstSeenAt: opts.updatedAt, updatedAt: opts.updatedAt }),
  };
}

const OLD_WITHDRAWN = Array.from({ length: 25 }, (_, n) => paper(n, { withdrawn: true, updatedAt: OLD }));
const RECENT_WITHDRAWN = paper(100, { withdrawn: true, updatedAt: RECENT });
const OLD_LIVE = paper(101, { withdrawn: false, updatedAt: OLD });
/** Withdrawn long ago, but written again while the purge runs. */
const RACED = paper(102, { withdrawn: true, updatedAt: OLD });

beforeAll(async () => {
  await ensurePapersIndex(es, names.index);
  await bulkWrite(es, names.index, [...OLD_WITHDRAWN, RECENT_WITHDRAWN, OLD_LIVE, RACED]);
  await es.indices.refresh({ index: names.index });
});

afterAll(async () => {
  await cleanup(redis, es, names);
  redis.disconnect();
  await es.close();
});

/** The client, but the first bulk request (the first page's deletes) finds RACED written again. */
function racingWrite(client: Client): Client {
  let raced = false;
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'bulk') return Reflect.get(target, prop, receiver) as unknown;
      return async (req: Parameters<Client['bulk']>[0]) => {
        if (!raced) {
          raced = true;
          await bulkWrite(target, names.index, [{ ...RACED, version: RACED.version + 5 }]);
        }
        return target.bulk(req);
      };
    },
  });
}

const ids = (items: BulkItem[]) => items.map((i) => i.id);

describe('purge --withdrawn', () => {
  it('a dry run (the default) counts and lists withdrawn papers older than the cutoff, and deletes nothing', async () => {
    const report = await purgeWithdrawn(
      { es, alias: names.index, feed },
      { olderThan: '30d', now: NOW, pageSize: 10 },
    );
    expect(report).toMatchObject({
      dryRun: true,
      cutoff: '2026-03-01T12:00:00.000Z',
      matched: 26,
      purged: 0,
      changed: 0,
      gone: 0,
    });
    expect([...report.sample].sort()).toEqual([...ids(OLD_WITHDRAWN), RACED.id].sort());
    expect((await getPapers(es, names.index, ids(OLD_WITHDRAWN))).size).toBe(25);
    expect((await feed.read(undefined, 100)).entries).toEqual([]);
  });

  it('deletes them page by page, each with a purged tombstone; a paper written again meanwhile stays', async () => {
    const report = await purgeWithdrawn(
      { es: racingWrite(es), alias: names.index, feed },
      { olderThan: '30d', now: NOW, pageSize: 10, dryRun: false },
    );
    expect(report).toMatchObject({ dryRun: false, matched: 26, purged: 25, changed: 1, gone: 0 });

    const left = await getPapers(es, names.index, [
      ...ids(OLD_WITHDRAWN),
      RECENT_WITHDRAWN.id,
      OLD_LIVE.id,
      RACED.id,
    ]);
    expect([...left.keys()].sort()).toEqual([RECENT_WITHDRAWN.id, OLD_LIVE.id, RACED.id].sort());
    expect(left.get(RACED.id)?.version).toBe(RACED.version + 5);

    // Nothing deleted silently: a tombstone per paper, at the version its delete was written with.
    const { entries } = await feed.read(undefined, 100);
    const tombstones = new Map(entries.map((e) => [e.id, e]));
    for (const p of OLD_WITHDRAWN) {
      expect(tombstones.get(p.id), p.id).toMatchObject({
        op: 'purged',
        version: p.version + 1,
        reason: 'withdrawn, not updated since before 2026-03-01T12:00:00.000Z',
      });
    }
    // The paper written again got its tombstone first (appended before the delete); the indexer's
    // append of the newer version lands after it, so a consumer ends with the paper.
    expect(await feed.append([{ id: RACED.id, op: 'withdrawn', version: RACED.version + 5 }])).toBe(1);
    expect(
      (await feed.read(undefined, 100)).entries.filter((e) => e.id === RACED.id).map((e) => e.op),
    ).toEqual(['purged', 'withdrawn']);
  });

  it('run again, it finds nothing more to purge', async () => {
    const report = await purgeWithdrawn(
      { es, alias: names.index, feed },
      { olderThan: '30d', now: NOW, dryRun: false },
    );
    // RACED is still withdrawn and old by its updatedAt: it goes now, as nothing changed it since.
    expect(report).toMatchObject({ matched: 1, purged: 1, changed: 0 });
    expect(report.sample).toEqual([RACED.id]);
    expect(
      await purgeWithdrawn({ es, alias: names.index, feed }, { olderThan: '30d', now: NOW, dryRun: false }),
    ).toMatchObject({ matched: 0, purged: 0 });
  });

  it('an index that does not exist yet has nothing to purge', async () => {
    const report = await purgeWithdrawn({ es, alias: `${names.index}-none`, feed }, { now: NOW });
    expect(report).toMatchObject({ matched: 0, purged: 0, sample: [] });
  });
});
