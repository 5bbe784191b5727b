/**
 * Node flags the stage workers run with: an 8 MB semi-space, half V8's default. A worker's peak
 * RSS is mostly its young generation and what its jobs in flight hold. With 32 MB (chosen once to
 * cut GC CPU) the deduplicator peaked at 337–372 MB in `pnpm bench` at N = 2000; with 8 MB, and 16
 * dedupe jobs at once instead of 32, every worker stayed under 280 MB, and the workers' CPU per
 * paper moved less than between two runs of the same commit (the runs are in
 * `bench/README.md`). A flag already given (in `base` or NODE_OPTIONS) wins.
 */
export function workerExecArgv(base: readonly string[] = process.execArgv): string[] {
  const given = [...base, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const out = [...base];
  if (!given.some((a) => a.startsWith('--max-semi-space-size'))) out.push('--max-semi-space-size=8');
  return out;
}

/**
 * glibc malloc settings for the stage workers. A worker frees a page's buffers (the body, its gzip,
 * the decoded blob, a bulk request: 100 KB to a few MB each) as fast as it allocates them, on the
 * main thread and on libuv's threads (zlib). With glibc's defaults those go to up to 8 arenas per
 * core and, once one such buffer has been freed, no longer to mmap (the threshold rises to its
 * size, up to 32 MB), so freed memory stays in the process: in the bench (N = 2000, chained, after
 * a reprocess) the largest worker reached 296 and 306 MB with the defaults, 273 MB with two arenas
 * and a fixed threshold. The threshold is 1 MB: at 128 KB every page's buffers were mapped,
 * faulted in and unmapped again; in a profile of the crawl a tenth of a chained worker's CPU was
 * Buffer copies and socket writes into fresh memory, and a loop of one page's allocations took
 * 4.8–5.6 ms instead of 1.3–1.5 (`bench/README.md`, 2026-12-06 from 19:28 and from 22:30).
 */
export const WORKER_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '1048576',
};

/** A stage worker's environment: `env` with {@link WORKER_MALLOC_ENV}, a variable already set winning. */
export function workerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...WORKER_MALLOC_ENV, ...env };
}
