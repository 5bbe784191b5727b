/**
 * The result file: one JSON object per run (the same object `--json` prints), written to
 * `bench/results/<UTC date-time>-<short commit>.json` with `--record`, to the system temp directory
 * otherwise. Its schema is defined here once: the bench builds it, the table generator reads it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';

/** The committed results, read by `pnpm bench:tables`. */
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
/** Where runs without `--record` (the CI smoke, trials) leave their file. */
export const SCRATCH_DIR = join(tmpdir(), 'paperline-bench-results');

const numbers = z.record(z.string(), z.number());
const count = z.object({ found: z.number(), total: z.number() });
const indexSettings = z.object({
  replicas: z.number(),
  refreshInterval: z.string(),
  /** One explicit refresh when the load is done (Elastic's bulk-load advice). */
  refreshAtEnd: z.boolean(),
  /** The pipeline's indexer: another interval while it writes faster than `docsPerSecond`. */
  backfill: z.object({ docsPerSecond: z.number(), refreshInterval: z.string() }).optional(),
});
const trial = z.record(z.string(), z.number());
/** One pass of `--recrawl` (`parsedPages` absent in older files). */
const recrawlPass = z.object({
  pages: z.number(),
  notModified: z.number(),
  parsedPages: z.number().optional(),
  unchangedPapers: z.number(),
  durationSeconds: z.number(),
  pagesPerSecond: z.number(),
  cpuMsPerPage: numbers,
});

export const BenchRecordSchema = z.object({
  schema: z.literal(1),
  /** False when a contender or the latency phase did not reach every document (see `failures`). */
  ok: z.boolean(),
  failures: z.array(z.string()),
  run: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** The commit measured; `dirty` when code (packages, services, infra, bench) had uncommitted changes. */
  commit: z.object({ hash: z.string(), short: z.string(), dirty: z.boolean() }).nullable(),
  machine: z.object({
    cores: z.number(),
    availableParallelism: z.number(),
    memGb: z.number(),
    cpuModel: z.string(),
    node: z.string(),
    elasticsearch: z.string(),
    redis: z.string(),
    loadavg: z.object({ start: z.array(z.number()), end: z.array(z.number()) }),
  }),
  settings: z.object({
    args: z.record(z.string(), z.unknown()),
    /** PAPERLINE_* and MALLOC_* variables and NODE_OPTIONS set in the bench's environment (passed to the workers as is). */
    env: z.record(z.string(), z.string()),
    pipeline: z.object({
      processes: z.number(),
      /** Worker groups (`--groups`), each every stage; absent in files before the option. */
      groups: z.number().optional(),
      /** Each group's four stages in one process, chained (`--chain`); absent in files before the option. */
      chained: z.boolean().optional(),
      concurrency: numbers,
      bulk: numbers,
      maxBacklog: z.number(),
      hostIntervalMs: z.number(),
      enrich: z.boolean(),
      nodeArgs: z.array(z.string()),
      /** glibc's MALLOC_* settings the workers ran with (the product's, or the environment's); absent in files before the product set them. */
      malloc: z.record(z.string(), z.string()).optional(),
      index: indexSettings,
    }),
    ceiling: z.object({
      processes: z.number(),
      bulkSize: z.number(),
      concurrency: z.number(),
      index: indexSettings,
      calibration: z.array(trial),
    }),
    peer: z
      .object({
        processes: z.number(),
        maxConcurrency: z.number(),
        /** 'calibrated' (the fastest of `calibration`) or 'given' (--peer-concurrency). */
        concurrencyChosenBy: z.enum(['calibrated', 'given']),
        bulkSize: z.number(),
        bulkConcurrency: z.number(),
        index: indexSettings,
        calibration: z.array(trial),
      })
      .nullable(),
    latency: z
      .object({ offeredPapersPerSecond: z.number(), seconds: z.number(), pages: z.number() })
      .nullable(),
  }),
  pages: z.number(),
  /** Distinct papers of the crawled pages. */
  papers: z.number(),
  papersPerSecond: z.number(),
  ceilingPapersPerSecond: z.number(),
  peerPapersPerSecond: z.number().nullable(),
  ratioToCeiling: z.number(),
  ratioToPeer: z.number().nullable(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  /** Documents each contender (and the latency phase) made searchable, of the expected total. */
  found: z.object({ pipeline: count, ceiling: count, peer: count.nullable(), latency: count.nullable() }),
  /** CPU ms per paper of each process and service, and the totals (`pipelineTotal`, …). */
  cpuMsPerPaper: numbers,
  perStageCpuSeconds: numbers,
  perStagePeakRssMb: numbers,
  peerPeakRssMb: numbers.nullable(),
  peakRssMb: z.number(),
  durationSeconds: z.number(),
  /** `--reprocess`: the crawl's archive parsed again, every paper rewritten (absent in older files). */
  reprocess: z
    .object({
      pages: z.number(),
      papers: z.number(),
      durationSeconds: z.number(),
      papersPerSecond: z.number(),
      ratioToCrawl: z.number(),
      cpuMsPerPaper: numbers,
    })
    .nullable()
    .optional(),
  /**
   * `--recrawl`: the crawl's pages crawled again, unchanged: pages the site answered 304, pages
   * parsed, papers counted unchanged, pages/s and CPU ms per page, everything included (absent in
   * older files).
   */
  recrawl: recrawlPass.nullable().optional(),
  /** `--recrawl`'s second pass: the site answered every request with the whole page. */
  recrawlWholePages: recrawlPass.nullable().optional(),
  /**
   * `--embed`: per embedder variant (PAPERLINE_EMBED_BATCH × PAPERLINE_EMBED_CONCURRENCY), papers
   * `embed --missing` found and embedded, papers/s, the embedder's CPU ms per paper and its VmRSS
   * once loaded (`start`), after the last paper (`end`) and the largest sample (absent in older files).
   */
  embed: z
    .array(
      z.object({
        batch: z.number(),
        concurrency: z.number(),
        found: z.number(),
        papers: z.number(),
        durationSeconds: z.number(),
        papersPerSecond: z.number(),
        embedderCpuMsPerPaper: z.number(),
        embedderRssMb: z.object({ start: z.number(), end: z.number(), peak: z.number() }),
      }),
    )
    .nullable()
    .optional(),
  targets: z.record(
    z.string(),
    z.object({ target: z.number(), value: z.number().nullable(), met: z.boolean().nullable() }),
  ),
  detail: z.record(z.string(), z.unknown()),
});

export type BenchRecord = z.infer<typeof BenchRecordSchema>;

/** A result file that does not match the schema. */
export class ResultFileError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ResultFileError';
  }
}

/** `2026-11-29T08-30-12Z-84b6aae.json`: sorts by time. */
export function resultFileName(r: Pick<BenchRecord, 'startedAt' | 'commit'>): string {
  const when = r.startedAt.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `${when}-${r.commit?.short ?? 'nogit'}.json`;
}

/** Writes the record as Prettier formats JSON (the lint step checks the committed files). */
export async function writeResult(dir: string, r: BenchRecord): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, resultFileName(r));
  const options = (await resolveConfig(file)) ?? {};
  writeFileSync(file, await format(JSON.stringify(r), { ...options, parser: 'json' }));
  return file;
}

export function readResult(file: string): BenchRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ResultFileError(file, `not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const parsed = BenchRecordSchema.safeParse(raw);
  if (!parsed.success)
    throw new ResultFileError(
      file,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    );
  return parsed.data;
}

/** Every result file in `dir`, oldest first; none when the folder does not exist yet. */
export function readResults(dir: string = RESULTS_DIR): BenchRecord[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => readResult(join(dir, n)));
}
