/**
 * How the peer's calibration picks its concurrency, apart from `peer.ts` so that it can be tested
 * without loading Crawlee.
 */

/** One calibration trial: the peer at one per-process concurrency, on the site's first pages. */
export interface PeerTrial {
  maxConcurrency: number;
  papersPerSecond: number;
}

/** The concurrency whose trials made the most papers/s on average. */
export function fastestOnAverage(trials: readonly PeerTrial[]): number {
  const mean = (c: number) => {
    const of = trials.filter((t) => t.maxConcurrency === c);
    return of.reduce((n, t) => n + t.papersPerSecond, 0) / of.length;
  };
  const candidates = [...new Set(trials.map((t) => t.maxConcurrency))];
  return candidates.reduce((a, b) => (mean(b) > mean(a) ? b : a));
}
