import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { PaperRecordSchema, type PaperCandidate } from '@paperline/contracts';
import { bulkWrite, ensurePapersIndex, papersTemplate } from '@paperline/core/es';
import { HIDDEN_FIELDS, SearchParamsSchema, VECTOR_FIELD, searchPapers } from '@paperline/core/es/search';
import { buildRecord } from '@paperline/identity';
import { ChangeFeed, parseCursor } from '@paperline/core/pipeline';
import { exportPapers, papersWrittenBetween, type ExportDeps, type ExportManifest } from '@paperline/ops';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, uniqueNames } from '../helpers/env.js';
import { readParquetFile } from '../helpers/parquet.js';
import { parquetMetadata } from 'hyparquet';

const names = uniqueNames('export');
const es = new Client({ node: ELASTICSEARCH_URL });
const deps: ExportDeps = { es, cfg: { index: names.index } };
let dir: string;

type Doc = Record<string, unknown>;

const arxiv = (id: string, extra: Partial<PaperCandidate> = {}): PaperCandidate => ({
  source: 'arxiv',
  url: `https://arxiv.org/abs/${id}`,
  fetchedAt: '2025-01-02T03:04:05.678Z',
  parserVersion: 'arxiv-2',
  arxivId: id,
  arxivVersion: 1,
  title: `Paper ${id}`,
  abstract: `The abstract of ${id}.`,
  authors: ['Ada Lovelace', 'Alan Turing'],
  authorCount: 2,
  publishedAt: '2024-12-30T00:00:00.000Z',
  categories: ['cs.LG'],
  links: { abs: `https://arxiv.org/abs/${id}`, pdf: `https://arxiv.org/pdf/${id}` },
  ...extra,
});

const hf = (id: string | undefined, extra: Partial<PaperCandidate> = {}): PaperCandidate => ({
  source: 'hf',
  url: id ? `https://huggingface.co/papers/${id}` : 'https://huggingface.co/papers/date/2025-03-01',
  fetchedAt: '2025-01-03T00:00:00.000Z',
  parserVersion: 'hf-2',
  ...(id ? { arxivId: id } : {}),
  title: `Paper ${id ?? 'without an id'}`,
  authors: ['Grace Hopper'],
  authorCount: 1,
  upvotes: 7,
  keywords: ['transformers'],
  ...extra,
});

/** Stored papers as the deduplicator builds them: id, the sightings, updatedAt. */
const PAPERS: Array<[string, PaperCandidate[], string]> = [
  [
    'arxiv:2402.13572',
    [
      arxiv('2402.13572', {
        arxivVersion: 2,
        doi: '10.1000/jmlr.2024.1',
        versions: [
          { version: 1, submittedAt: '2024-02-21T06:00:00.000Z', sizeKb: 512 },
          { version: 2, submittedAt: '2024-03-01T10:30:00.250Z' },
        ],
        license: 'http://creativecommons.org/licenses/by/4.0/',
        journalRef: 'ICML 2024',
        comments: '12 pages, 3 figures',
      }),
      hf('2402.13572', {
        githubRepo: 'https://github.com/example/algoformer',
        codeUrls: ['https://github.com/example/algoformer'],
        githubStars: 345,
        organization: { name: 'facebook', fullname: 'AI at Meta' },
        aiSummary: 'A looped transformer variant.',
        linkedModelCount: 3,
        linkedDatasetCount: 0,
        linkedSpaceCount: 1,
        links: { hf: 'https://huggingface.co/papers/2402.13572', project: 'https://example.org/algoformer' },
      }),
    ],
    '2025-01-10T00:00:00.000Z',
  ],
  [
    'arxiv:2403.00001',
    [arxiv('2403.00001', { title: 'Diffusion models for tables', withdrawn: true })],
    '2025-02-01T00:00:00.000Z',
  ],
  [
    'title:diffusionwithoutid',
    [hf(undefined, { title: 'Sampling quickly', abstract: 'Faster diffusion sampling.' })],
    '2025-03-01T00:00:00.000Z',
  ],
  ['arxiv:2404.00002', [arxiv('2404.00002')], '2025-03-15T12:00:00.000Z'],
  [
    'arxiv:2405.00003',
    [arxiv('2405.00003', { title: 'Diffusion transformers' })],
    '2025-04-01T00:00:00.000Z',
  ],
  ['arxiv:2405.00004', [arxiv('2405.00004')], '2025-04-02T00:00:00.000Z'],
  ['arxiv:2405.00005', [arxiv('2405.00005')], '2025-04-03T00:00:00.000Z'],
];

/** A unit-length 384-d vector, as the embedder stores one. */
const VECTOR = Array.from({ length: 384 }, (_, i) => (i % 2 ? -1 : 1) / Math.sqrt(384) + i * 1e-7);

function storedDoc(id: string, sightings: PaperCandidate[], updatedAt: string): Doc {
  const doc: Doc = buildRecord(id, sightings, { firstSeenAt: '2025-01-05T00:00:00.000Z', updatedAt });
  if (id === 'arxiv:2404.00002') doc.embedding = { vector: VECTOR, textHash: 'd'.repeat(64) };
  return doc;
}

async function write(docs: Array<{ id: string; version: number; doc: Doc }>): Promise<void> {
  const outcomes = await bulkWrite(es, names.index, docs);
  expect(outcomes.every((o) => o.result === 'written')).toBe(true);
  await es.indices.refresh({ index: names.index });
}

/** The papers in the index now, as an export without vectors must hold them, by id. */
async function indexed(opts: { withVectors?: boolean } = {}): Promise<Doc[]> {
  const res = await es.search<Doc>({
    index: names.index,
    size: 100,
    sort: [{ id: 'asc' }],
    _source: {
      excludes: opts.withVectors ? HIDDEN_FIELDS.filter((f) => f !== VECTOR_FIELD) : HIDDEN_FIELDS,
      // Elasticsearch 9 leaves vectors out of `_source` unless asked.
      exclude_vectors: !opts.withVectors,
    },
  });
  return res.hits.hits.map((h) => h._source!);
}

const readJsonl = async (path: string): Promise<Doc[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Doc);

const readManifest = async (out: string): Promise<ExportManifest> =>
  JSON.parse(await readFile(`${out}.manifest.json`, 'utf8')) as ExportManifest;

const sha256Of = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperline-export-'));
  await ensurePapersIndex(es, names.index);
  await write(PAPERS.map(([id, s, at]) => ({ id, version: 1, doc: storedDoc(id, s, at) })));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  await cleanup(redis, es, names);
  redis.disconnect();
  await es.close();
});

describe('export as JSON Lines', () => {
  it('writes every paper as the API returns it, one per line, and a manifest that describes the file', async () => {
    const out = join(dir, 'all.jsonl');
    const manifest = await exportPapers(
      { ...deps, now: () => new Date('2025-05-01T00:00:00.000Z') },
      { format: 'jsonl', out, pageSize: 3 },
    );
    const lines = await readJsonl(out);
    expect(lines).toEqual(await indexed());
    expect(lines).toHaveLength(PAPERS.length);
    for (const line of lines) {
      expect(line).not.toHaveProperty('titleFingerprint');
      expect((line.sources as Doc[]).every((s) => !('record' in s))).toBe(true);
    }
    expect(lines.find((l) => l.id === 'arxiv:2404.00002')!.embedding).toEqual({ textHash: 'd'.repeat(64) });

    expect(await readManifest(out)).toEqual(manifest);
    expect(manifest).toEqual({
      manifestVersion: 1,
      file: 'all.jsonl',
      format: 'jsonl',
      recordSchemaVersion: papersTemplate().version,
      exportedAt: '2025-05-01T00:00:00.000Z',
      index: names.index,
      filters: {},
      withVectors: false,
      total: PAPERS.length,
      count: PAPERS.length,
      bytes: (await readFile(out)).length,
      sha256: await sha256Of(out),
    });
    expect((await readdir(dir)).filter((f) => f.startsWith('all.')).sort()).toEqual([
      'all.jsonl',
      'all.jsonl.manifest.json',
    ]);
  });

  it('--with-vectors keeps each paper’s embedding vector', async () => {
    const out = join(dir, 'vectors.jsonl');
    const manifest = await exportPapers(deps, { format: 'jsonl', out, withVectors: true });
    expect(manifest.withVectors).toBe(true);
    const lines = await readJsonl(out);
    expect(lines).toEqual(await indexed({ withVectors: true }));
    // Elasticsearch keeps vectors as 32-bit floats.
    const vector = (lines.find((l) => l.id === 'arxiv:2404.00002')!.embedding as Doc).vector as number[];
    expect(vector).toHaveLength(VECTOR.length);
    expect(Math.max(...vector.map((x, i) => Math.abs(x - VECTOR[i]!)))).toBeLessThan(1e-7);
  });
});

describe('export as Parquet, read back with parquet-wasm (arrow-rs)', () => {
  let read: Awaited<ReturnType<typeof readParquetFile>>;
  let manifest: ExportManifest;
  const out = () => join(dir, 'all.parquet');

  beforeAll(async () => {
    manifest = await exportPapers(deps, { format: 'parquet', out: out(), withVectors: true, pageSize: 2 });
    read = await readParquetFile(out());
  });

  it('has typed columns: strings, 32-bit ints, UTC millisecond timestamps, lists, structs', () => {
    const ts = 'Timestamp<MILLISECOND, UTC>';
    expect(read.types).toMatchObject({
      id: 'Utf8',
      arxivVersion: 'Int32',
      authors: 'List<Utf8>',
      authorCount: 'Int32',
      publishedAt: ts,
      links: 'Struct<{abs:Utf8, pdf:Utf8, hf:Utf8, project:Utf8}>',
      versions: `List<Struct<{version:Int32, submittedAt:${ts}, sizeKb:Int32}>>`,
      organization: 'Struct<{name:Utf8, fullname:Utf8}>',
      sources: `List<Struct<{source:Utf8, url:Utf8, fetchedAt:${ts}, parserVersion:Utf8}>>`,
      withdrawn: 'Bool',
      firstSeenAt: ts,
      updatedAt: ts,
      embedding: 'Struct<{textHash:Utf8, vector:List<Float32>}>',
    });
    expect(Object.keys(read.types)).toEqual(Object.keys(PaperRecordSchema.shape));
  });

  it('holds every paper in Elasticsearch, field for field', async () => {
    expect(read.rows).toEqual((await indexed({ withVectors: true })).map(expectedRow));
    expect(manifest).toMatchObject({
      format: 'parquet',
      total: PAPERS.length,
      count: PAPERS.length,
      withVectors: true,
      sha256: await sha256Of(out()),
    });
  });
});

describe('filters', () => {
  it('--since keeps the papers updated at or after it', async () => {
    const out = join(dir, 'since.jsonl');
    const manifest = await exportPapers(deps, { format: 'jsonl', out, since: '2025-03-15T12:00:00Z' });
    expect((await readJsonl(out)).map((l) => l.id)).toEqual([
      'arxiv:2404.00002',
      'arxiv:2405.00003',
      'arxiv:2405.00004',
      'arxiv:2405.00005',
    ]);
    expect(manifest).toMatchObject({ count: 4, total: 4, filters: { since: '2025-03-15T12:00:00.000Z' } });
  });

  it('--query selects what the keyword search finds, with --since on top', async () => {
    const search = await searchPapers(
      es,
      names.index,
      SearchParamsSchema.parse({ q: 'diffusion', size: 100 }),
    );
    const found = search.hits.map((h) => h.id).sort();
    expect(found).toEqual(['arxiv:2403.00001', 'arxiv:2405.00003', 'title:diffusionwithoutid']);

    const out = join(dir, 'query.parquet');
    await exportPapers(deps, { format: 'parquet', out, query: 'diffusion' });
    expect((await readParquetFile(out)).rows.map((r) => r.id)).toEqual(found);

    const both = join(dir, 'both.jsonl');
    const manifest = await exportPapers(deps, {
      format: 'jsonl',
      out: both,
      query: 'diffusion',
      since: '2025-03-01',
    });
    expect((await readJsonl(both)).map((l) => l.id)).toEqual([
      'arxiv:2405.00003',
      'title:diffusionwithoutid',
    ]);
    expect(manifest.filters).toEqual({ since: '2025-03-01T00:00:00.000Z', query: 'diffusion' });
  });

  it('an empty selection is a valid empty file of either format', async () => {
    const jsonl = join(dir, 'none.jsonl');
    expect(await exportPapers(deps, { format: 'jsonl', out: jsonl, since: '2030-01-01' })).toMatchObject({
      count: 0,
      total: 0,
    });
    expect(await readFile(jsonl, 'utf8')).toBe('');

    const out = join(dir, 'none.parquet');
    const manifest = await exportPapers(deps, { format: 'parquet', out, since: '2030-01-01' });
    expect(manifest).toMatchObject({ count: 0, total: 0 });
    // A file without row groups; parquet-wasm 0.8 (arrow-rs 57.0) refuses those (fixed in arrow-rs
    // 57.1: apache/arrow-rs#8826), so hyparquet reads this one.
    const bytes = await readFile(out);
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    expect(meta.num_rows).toBe(0n);
    expect(meta.schema.slice(1).filter((e) => e.name === 'updatedAt')).toEqual([
      expect.objectContaining({ type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' }),
    ]);
    expect(meta.schema[0]).toMatchObject({ num_children: Object.keys(PaperRecordSchema.shape).length });
  });
});

describe('the change feed cursor', () => {
  it('is asked before the snapshot is taken and recorded as given', async () => {
    const events: string[] = [];
    const watched = new Proxy(es, {
      get(target, prop, receiver) {
        if (prop === 'openPointInTime')
          return (...args: Parameters<Client['openPointInTime']>) => {
            events.push('snapshot');
            return target.openPointInTime(...args);
          };
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const out = join(dir, 'cursor.jsonl');
    const manifest = await exportPapers(
      {
        ...deps,
        es: watched,
        currentCursor: async () => {
          events.push('cursor');
          return 'feed-000042';
        },
      },
      { format: 'jsonl', out },
    );
    expect(events).toEqual(['cursor', 'snapshot']);
    expect(manifest.cursor).toBe('feed-000042');
    expect((await readManifest(out)).cursor).toBe('feed-000042');
  });

  it('is absent when the feed gives none', async () => {
    const out = join(dir, 'nocursor.jsonl');
    const manifest = await exportPapers(
      { ...deps, currentCursor: async () => undefined },
      { format: 'jsonl', out },
    );
    expect(manifest).not.toHaveProperty('cursor');
    expect(await readManifest(out)).not.toHaveProperty('cursor');
  });
});

describe('--since a change-feed cursor', () => {
  const redis = new Redis(REDIS_URL);
  const feed = new ChangeFeed(redis, names.prefix);
  const withFeed: ExportDeps = {
    ...deps,
    currentCursor: () => feed.head(),
    writtenBetween: (after, until) => papersWrittenBetween(feed, after, until),
  };
  afterAll(() => redis.disconnect());

  it('keeps the papers written after the cursor (a manifest’s), and records where the feed was', async () => {
    await feed.append([{ id: 'arxiv:2405.00004', op: 'upsert', version: 1 }]);
    const from = await feed.head();
    await feed.append([
      { id: 'arxiv:2405.00003', op: 'upsert', version: 2 },
      { id: 'arxiv:2405.00005', op: 'upsert', version: 2 },
      { id: 'arxiv:2405.00005', op: 'withdrawn', version: 3, reason: 'withdrawn on arxiv' },
      { id: 'arxiv:2499.99999', op: 'purged', version: 1, reason: 'purged' },
    ]);
    const out = join(dir, 'since-cursor.jsonl');
    const manifest = await exportPapers(withFeed, { format: 'jsonl', out, since: from });
    expect((await readJsonl(out)).map((l) => l.id)).toEqual(['arxiv:2405.00003', 'arxiv:2405.00005']);
    expect(manifest).toMatchObject({
      count: 2,
      total: 2,
      filters: { since: from },
      cursor: await feed.head(),
    });

    // From the feed's beginning: every paper it wrote, each once.
    const all = join(dir, 'since-beginning.jsonl');
    await exportPapers(withFeed, { format: 'jsonl', out: all, since: '0' });
    expect((await readJsonl(all)).map((l) => l.id)).toEqual([
      'arxiv:2405.00003',
      'arxiv:2405.00004',
      'arxiv:2405.00005',
    ]);

    // Nothing written since the feed's head: an empty file.
    const none = await exportPapers(withFeed, {
      format: 'jsonl',
      out: join(dir, 'since-head.jsonl'),
      since: await feed.head(),
    });
    expect(none).toMatchObject({ count: 0, total: 0 });
  });

  it('a cursor this feed never gave out fails naming it; without a feed, a cursor is EXPORT_INVALID', async () => {
    const out = join(dir, 'bad-cursor.jsonl');
    const { epoch } = parseCursor(await feed.head());
    const ahead = await exportPapers(withFeed, {
      format: 'jsonl',
      out,
      since: `${epoch}:99999999999999-0`,
    }).catch((e: unknown) => e);
    expect(ahead).toMatchObject({ code: 'FEED_CURSOR_INVALID' });
    const noFeed = await exportPapers(deps, { format: 'jsonl', out, since: '0' }).catch((e: unknown) => e);
    expect(noFeed).toMatchObject({ code: 'EXPORT_INVALID', message: expect.stringMatching(/^--since: /) });
    expect(await readdir(dir)).not.toContain('bad-cursor.jsonl');
  });
});

describe('failures leave nothing behind', () => {
  const sub = () => mkdtemp(join(dir, 'fail-'));

  it('a bad flag is EXPORT_INVALID naming it, before anything is opened or written', async () => {
    const d = await sub();
    await expect(
      exportPapers(deps, { format: 'jsonl', out: join(d, 'x.jsonl'), since: 'last week' }),
    ).rejects.toMatchObject({ code: 'EXPORT_INVALID', context: { option: '--since' } });
    await expect(exportPapers(deps, { format: 'xml', out: join(d, 'x.jsonl') })).rejects.toMatchObject({
      code: 'EXPORT_INVALID',
      context: { option: '--format' },
    });
    await expect(
      exportPapers(deps, { format: 'jsonl', out: join(d, 'no-such-dir', 'x.jsonl') }),
    ).rejects.toMatchObject({ code: 'EXPORT_INVALID', context: { option: '--out' } });
    expect(await readdir(d)).toEqual([]);
  });

  it('an alias that does not exist is EXPORT_FAILED naming it', async () => {
    const d = await sub();
    await expect(
      exportPapers(
        { es, cfg: { index: `${names.index}-absent` } },
        { format: 'jsonl', out: join(d, 'x.jsonl') },
      ),
    ).rejects.toMatchObject({
      code: 'EXPORT_FAILED',
      message: expect.stringContaining(`${names.index}-absent`),
    });
    expect(await readdir(d)).toEqual([]);
  });

  it('an export interrupted between pages leaves the previous file as it was and no partial file', async () => {
    const d = await sub();
    const out = join(d, 'x.parquet');
    await writeFile(out, 'the previous export');
    const aborter = new AbortController();
    await expect(
      exportPapers(
        deps,
        { format: 'parquet', out, pageSize: 2 },
        { signal: aborter.signal, onProgress: (p) => p.written >= 2 && aborter.abort() },
      ),
    ).rejects.toMatchObject({
      code: 'EXPORT_FAILED',
      message: expect.stringContaining('interrupted after 2 of 7'),
    });
    expect(await readdir(d)).toEqual(['x.parquet']);
    expect(await readFile(out, 'utf8')).toBe('the previous export');
  });
});

describe('a consistent snapshot', () => {
  it('writes during the export (a new paper, a change, a deletion) do not tear it', async () => {
    const before = await indexed();
    let searches = 0;
    // The real client; before the export's second page, a crawl writes.
    const crawlingMeanwhile = new Proxy(es, {
      get(target, prop, receiver) {
        if (prop === 'search')
          return async (...args: Parameters<Client['search']>) => {
            if (++searches === 2) await crawlWrites();
            return target.search(...args);
          };
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const out = join(dir, 'during.jsonl');
    const manifest = await exportPapers(
      { ...deps, es: crawlingMeanwhile },
      { format: 'jsonl', out, pageSize: 2 },
    );

    expect(searches).toBeGreaterThan(2);
    const after = await indexed();
    expect(after.map((d) => d.id)).toContain('arxiv:2499.99999');
    expect(after.map((d) => d.id)).not.toContain('arxiv:2405.00004');
    expect(after.find((d) => d.id === 'arxiv:2405.00005')!.title).toBe('Changed during the export');

    const lines = await readJsonl(out);
    expect(lines).toEqual(before);
    expect(manifest).toMatchObject({ total: PAPERS.length, count: PAPERS.length });
  });

  it('a stored paper Parquet cannot hold fails the export (INVALID_RECORD) and leaves nothing', async () => {
    await write([
      {
        id: 'arxiv:2500.00001',
        version: 1,
        doc: { ...storedDoc(...PAPERS[3]!), id: 'arxiv:2500.00001', title: undefined },
      },
    ]);
    const d = await mkdtemp(join(dir, 'fail-'));
    const out = join(d, 'x.parquet');
    await expect(exportPapers(deps, { format: 'parquet', out })).rejects.toMatchObject({
      code: 'INVALID_RECORD',
      message: expect.stringContaining('paper arxiv:2500.00001: title is missing'),
    });
    expect(await readdir(d)).toEqual([]);
  });
});

/** What a crawl does meanwhile: a new paper, a newer version of one, one merged away (deleted). */
async function crawlWrites(): Promise<void> {
  const [, , changedAt] = PAPERS[6]!;
  await write([
    {
      id: 'arxiv:2499.99999',
      version: 1,
      doc: storedDoc('arxiv:2499.99999', [arxiv('2499.99999')], changedAt),
    },
    {
      id: 'arxiv:2405.00005',
      version: 2,
      doc: storedDoc(
        'arxiv:2405.00005',
        [arxiv('2405.00005', { title: 'Changed during the export' })],
        changedAt,
      ),
    },
  ]);
  await es.delete({ index: names.index, id: 'arxiv:2405.00004', refresh: true });
}

/** A stored paper as the Parquet reader must give it back: every column, nulls for absent values. */
function expectedRow(doc: Doc): Doc {
  const ms = (v: unknown) => (v === undefined ? null : Date.parse(v as string));
  const or = (v: unknown) => (v === undefined ? null : v);
  const links = (doc.links ?? {}) as Doc;
  const org = doc.organization as Doc | undefined;
  const emb = doc.embedding as { textHash: string; vector?: number[] } | undefined;
  return {
    id: doc.id,
    arxivId: or(doc.arxivId),
    arxivVersion: or(doc.arxivVersion),
    doi: or(doc.doi),
    title: doc.title,
    abstract: or(doc.abstract),
    authors: doc.authors,
    authorCount: doc.authorCount,
    publishedAt: ms(doc.publishedAt),
    categories: doc.categories,
    keywords: doc.keywords,
    upvotes: or(doc.upvotes),
    codeUrls: doc.codeUrls,
    links: { abs: or(links.abs), pdf: or(links.pdf), hf: or(links.hf), project: or(links.project) },
    versions:
      (doc.versions as Doc[] | undefined)?.map((v) => ({
        version: v.version,
        submittedAt: ms(v.submittedAt),
        sizeKb: or(v.sizeKb),
      })) ?? null,
    license: or(doc.license),
    journalRef: or(doc.journalRef),
    comments: or(doc.comments),
    githubRepo: or(doc.githubRepo),
    githubStars: or(doc.githubStars),
    organization: org ? { name: org.name, fullname: or(org.fullname) } : null,
    aiSummary: or(doc.aiSummary),
    linkedModelCount: or(doc.linkedModelCount),
    linkedDatasetCount: or(doc.linkedDatasetCount),
    linkedSpaceCount: or(doc.linkedSpaceCount),
    sources: (doc.sources as Doc[]).map((s) => ({
      source: s.source,
      url: s.url,
      fetchedAt: ms(s.fetchedAt),
      parserVersion: s.parserVersion,
    })),
    withdrawn: doc.withdrawn,
    firstSeenAt: ms(doc.firstSeenAt),
    updatedAt: ms(doc.updatedAt),
    contentHash: doc.contentHash,
    parserVersion: doc.parserVersion,
    embedding: emb ? { textHash: emb.textHash, vector: emb.vector?.map(Math.fround) ?? null } : null,
  };
}
