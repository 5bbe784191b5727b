import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import type { ChildProcess } from 'node:child_process';
import { startSnapshotSite, snapshotTruth, type SnapshotSite } from '@paperline/snapshot-site';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli, startWorkersProcess, stopWorkers } from '../helpers/cli.js';

describe('reindex under concurrent search load', () => {
  const names = uniqueNames('e2e-reindex');
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  let site: SnapshotSite;
  let workers: ChildProcess;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    site = await startSnapshotSite({ port: 0 });
    env = testEnv(names, { HF_BASE_URL: site.url });
    workers = startWorkersProcess(env);
    const seeds = site.days.map((d) => `${site.url}/papers/date/${d}`);
    const res = await runCli(['crawl', ...seeds, '--wait', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
  });

  afterAll(async () => {
    await stopWorkers(workers);
    await site.close();
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  it('swaps the alias to a new index while every search keeps answering in full', async () => {
    const total = snapshotTruth().length;
    const before = Object.keys(await es.indices.getAlias({ name: names.index }));
    expect(before).toEqual([`${names.index}-v1-000001`]);
    const sample = await es.get<{ contentHash: string }>({ index: names.index, id: 'arxiv:2402.13572' });

    const target = `${names.index}-v1-000002`;
    let reindexing = true;
    const errors: string[] = [];
    const totals = new Set<number>();
    /** Indices that answered the searches through the alias. */
    const answeredBy = new Set<string>();
    const load = (async () => {
      // Searches go on until the reindex is over and the new index has answered one (after the
      // alias swap the next search does; 20 are allowed).
      let after = 0;
      while (reindexing || (!answeredBy.has(target) && after++ < 20)) {
        try {
          const r = await es.search({ index: names.index, q: 'model', size: 5, track_total_hits: true });
          const all = await es.count({ index: names.index });
          totals.add(all.count);
          if (r.hits.hits.length === 0) errors.push('a search found nothing');
          for (const h of r.hits.hits) answeredBy.add(h._index);
        } catch (err) {
          errors.push(String(err));
        }
      }
    })();
    const res = await runCli(['reindex', '--wait', '--delete-old', '--json'], env);
    reindexing = false;
    await load;
    expect(res.code, res.stderr).toBe(0);
    const report = lastJson<{ from: string[]; to: string; targetCount: number; deleted: string[] }>(
      res.stdout,
    );
    expect(report).toMatchObject({
      from: before,
      to: target,
      targetCount: total,
      deleted: before,
    });
    expect(errors).toEqual([]);
    // The searches ran across the swap: the old index answered before it, the new one after.
    expect([...answeredBy].sort()).toEqual([...before, target].sort());
    expect([...totals]).toEqual([total]);

    expect(Object.keys(await es.indices.getAlias({ name: names.index }))).toEqual([target]);
    expect(await es.indices.exists({ index: before[0]! })).toBe(false);
    const after = await es.get<{ contentHash: string }>({ index: names.index, id: 'arxiv:2402.13572' });
    expect(after._source?.contentHash).toBe(sample._source?.contentHash);
    expect(after._version).toBe(sample._version);

    // The pipeline keeps writing through the alias into the new index.
    const again = await runCli(['reprocess', '--wait', '--json'], env);
    expect(lastJson<{ failed: number; unchanged: number }>(again.stdout)).toMatchObject({
      failed: 0,
      unchanged: total,
    });
  });
});
