import { describe, expect, it } from 'vitest';
import { fastestOnAverage } from './peer-calibration.js';

describe('fastestOnAverage', () => {
  it('picks the concurrency whose trials were fastest on average, not the single fastest trial', () => {
    const trials = [
      { maxConcurrency: 4, papersPerSecond: 1337 },
      { maxConcurrency: 8, papersPerSecond: 1275 },
      { maxConcurrency: 16, papersPerSecond: 1312 },
      { maxConcurrency: 16, papersPerSecond: 1650 },
      { maxConcurrency: 8, papersPerSecond: 1500 },
      { maxConcurrency: 4, papersPerSecond: 1340 },
    ];
    expect(fastestOnAverage(trials)).toBe(16);
    expect(fastestOnAverage(trials.slice(0, 3))).toBe(4);
  });
});
