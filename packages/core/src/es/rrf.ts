/** The rank constant of reciprocal rank fusion (Cormack et al. 2009; Elasticsearch's default too). */
export const RRF_K = 60;

/**
 * Reciprocal rank fusion: each id scores the sum, over the ranked lists it appears in, of
 * 1 / (k + its 1-based rank there); the fused list is by that score, descending. Ties keep the
 * order in which ids were first met (the earlier list, then the higher rank). An id twice in one
 * list counts at its best rank.
 */
export function reciprocalRankFusion(
  lists: ReadonlyArray<readonly string[]>,
  k = RRF_K,
): Array<{ id: string; score: number }> {
  if (!(k > 0)) throw new RangeError(`the RRF rank constant must be positive, got ${k}`);
  const scores = new Map<string, number>();
  for (const list of lists) {
    const seen = new Set<string>();
    list.forEach((id, i) => {
      if (seen.has(id)) return;
      seen.add(id);
      scores.set(id, (scores.get(id) ?? 0) + 1 / (k + i + 1));
    });
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}
