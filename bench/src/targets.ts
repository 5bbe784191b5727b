/** The goals a bench run is checked against, and the check. */

/**
 * The goals each run is checked against: the performance issue's (N = 2000), and the ratio to the
 * ceiling from before it. `cpuMsPerPaper` is the pipeline's total (workers, Elasticsearch, Redis),
 * `peakRssMb` the largest worker's, `reprocessRatio` the reprocess's papers/s ÷ the crawl's.
 */
export const TARGETS = {
  ratioToCeiling: 0.8,
  ratioToPeer: 1.5,
  p99Ms: 1500,
  cpuMsPerPaper: 0.45,
  peakRssMb: 300,
  reprocessRatio: 3,
} as const;

/** The targets that are upper bounds (the others are lower bounds). */
export const AT_MOST_TARGETS: ReadonlySet<string> = new Set(['p99Ms', 'cpuMsPerPaper', 'peakRssMb']);

export type TargetName = keyof typeof TARGETS;
export type TargetResult = { target: number; value: number | null; met: boolean | null };

/** One target's result: null when the run did not measure it. */
export function checkTarget(name: TargetName, value: number | null): TargetResult {
  const target = TARGETS[name];
  if (value === null) return { target, value: null, met: null };
  return { target, value, met: AT_MOST_TARGETS.has(name) ? value <= target : value >= target };
}
