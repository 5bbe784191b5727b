import { describe, expect, it } from 'vitest';
import type { ExportManifest } from '@paperline/ops';
import { exportDoneLine, exportProgressLine } from './export.js';

describe('export progress', () => {
  it('shows done/total, the rate and the time left', () => {
    expect(exportProgressLine({ written: 2_500, total: 10_000 }, 5)).toBe(
      '  2,500/10,000 papers · 500 papers/s · ETA 15s',
    );
  });

  it('has no ETA before anything is written', () => {
    expect(exportProgressLine({ written: 0, total: 10_000 }, 0)).toBe(
      '  0/10,000 papers · 0 papers/s · ETA ?',
    );
  });

  it('ends with what was written where', () => {
    const m = { count: 1234, format: 'parquet', bytes: 2_345_678 } as ExportManifest;
    expect(exportDoneLine(m, 'out/papers.parquet', 3.21)).toBe(
      'exported 1,234 papers (parquet, 2.3 MB) to out/papers.parquet in 3.2s; manifest out/papers.parquet.manifest.json',
    );
  });
});
