import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { bulkWrite, ensurePapersIndex } from '@paperline/core/es';
import { buildRecord } from '@paperline/identity';
import type { ExportManifest } from '@paperline/ops';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, testEnv, uniqueNames } from '../helpers/env.js';
import { lastJson, runCli } from '../helpers/cli.js';
import { readParquetFile } from '../helpers/parquet.js';

describe('paperline export', () => {
  const names = uniqueNames('e2e-export');
  const es = new Client({ node: ELASTICSEARCH_URL });
  const env = testEnv(names);
  let dir: string;

  const paper = (n: number) => {
    const id = `2501.0000${n}`;
    return buildRecord(
      `arxiv:${id}`,
      [
        {
          source: 'arxiv',
          url: `https://arxiv.org/abs/${id}`,
          fetchedAt: '2025-01-02T00:00:00.000Z',
          parserVersion: 'arxiv-2',
          arxivId: id,
          title: `Paper number ${n}`,
          authors: ['Ada Lovelace'],
          authorCount: 1,
        },
      ],
      { firstSeenAt: '2025-01-02T00:00:00.000Z', updatedAt: `2025-01-0${n}T00:00:00.000Z` },
    );
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperline-e2e-export-'));
    await ensurePapersIndex(es, names.index);
    await bulkWrite(
      es,
      names.index,
      [1, 2, 3].map((n) => ({ id: `arxiv:2501.0000${n}`, version: 1, doc: paper(n) })),
    );
    await es.indices.refresh({ index: names.index });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    const redis = new Redis(REDIS_URL);
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });

  it('writes the file and its manifest, prints one final line on stderr and the manifest with --json', async () => {
    const out = join(dir, 'papers.parquet');
    const res = await runCli(
      ['export', '--format', 'parquet', '--out', out, '--since', '2025-01-02', '--json'],
      env,
    );
    expect(res.stderr).toMatch(
      /^exported 2 papers \(parquet, [\d.]+ MB\) to .*papers\.parquet in [\d.]+s; manifest .*papers\.parquet\.manifest\.json\n$/,
    );
    expect(res.code).toBe(0);
    const manifest = lastJson<ExportManifest>(res.stdout);
    expect(JSON.parse(await readFile(`${out}.manifest.json`, 'utf8'))).toEqual(manifest);
    expect(manifest).toMatchObject({ format: 'parquet', count: 2, total: 2, index: names.index });
    // The change feed's position when the snapshot was taken (`0`: its beginning, nothing yet).
    expect(manifest.cursor).toMatch(/^(0|[0-9a-z]+:\d+-\d+)$/);
    expect(manifest.sha256).toBe(
      createHash('sha256')
        .update(await readFile(out))
        .digest('hex'),
    );
    expect((await readParquetFile(out)).rows.map((r) => r.id)).toEqual([
      'arxiv:2501.00002',
      'arxiv:2501.00003',
    ]);
  });

  it.each([
    ['--format', (d: string) => ['--format', 'csv', '--out', join(d, 'x.csv')]],
    ['--since', (d: string) => ['--format', 'jsonl', '--out', join(d, 'x.jsonl'), '--since', 'tuesday']],
    ['--out', (d: string) => ['--format', 'jsonl', '--out', join(d, 'missing-dir', 'x.jsonl')]],
  ])('a bad %s exits 2 with EXPORT_INVALID naming it, and writes nothing', async (flag, args) => {
    const sub = await mkdtemp(join(dir, 'bad-'));
    const res = await runCli(['export', ...args(sub)], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`error [EXPORT_INVALID]: ${flag}: `);
    expect(await readdir(sub)).toEqual([]);
  });
});
