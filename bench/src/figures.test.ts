import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headlinePerSize, medianRun } from './figures.js';
import { RESULTS_DIR, readResult, type BenchRecord } from './resultfile.js';

/** Three recorded runs of one commit at N = 2000 (1.26, 1.32 and 1.95 times the peer), in time order. */
const RUNS = [
  '2026-12-07T16-18-00Z-ccaec29.json',
  '2026-12-07T16-21-35Z-ccaec29.json',
  '2026-12-07T16-26-43Z-ccaec29.json',
].map((f) => readResult(join(RESULTS_DIR, f)));
/** The run before them: another commit at the same N. */
const EARLIER = readResult(join(RESULTS_DIR, '2026-12-07T14-37-44Z-e6cde0c.json'));
const withRatio = (r: BenchRecord, ratioToPeer: number): BenchRecord => ({ ...r, ratioToPeer });

describe('medianRun', () => {
  it('takes the median by ratio to the peer, whatever the order, and the lower middle of an even count', () => {
    const [a, b, c] = RUNS as [BenchRecord, BenchRecord, BenchRecord];
    expect(medianRun([c, a, b])).toBe(b);
    expect(medianRun([withRatio(a, 2), withRatio(b, 1)]).ratioToPeer).toBe(1);
    expect(medianRun([a])).toBe(a);
  });
});

describe('headlinePerSize', () => {
  it("shows, per N, the median of the latest commit's runs, not its latest run", () => {
    const rows = new Map(headlinePerSize([EARLIER, ...RUNS]));
    expect(rows.get(2000)).toEqual({ run: RUNS[1], of: 3 });
  });

  it('leaves runs of earlier commits out of the median, and a dirty run out of the headline', () => {
    const dirty = { ...withRatio(RUNS[0]!, 9), commit: { ...RUNS[0]!.commit!, dirty: true } };
    const rows = new Map(headlinePerSize([withRatio(EARLIER, 0.1), RUNS[2]!, dirty]));
    expect(rows.get(2000)).toEqual({ run: RUNS[2], of: 1 });
  });
});
