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
