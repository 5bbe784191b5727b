import { describe, expect, it } from 'vitest';
import type { PurgeReport } from '@paperline/ops';
import { changeLine } from './changes.js';
import { purgeSummary } from './purge.js';

const at = '2026-03-31T12:00:00.000Z';

describe('changes, as lines', () => {
  it("shows an upsert's current title, a tombstone's reason, and an upsert whose document went", () => {
    expect(
      changeLine({
        cursor: '17:1796535962540-0',
        at,
        id: 'arxiv:1',
        op: 'upsert',
        version: 9,
        record: { title: 'Loops' },
      }),
    ).toBe(`17:1796535962540-0  ${at}  upsert     arxiv:1  Loops`);
    expect(
      changeLine({
        cursor: '17:1796535962540-1',
        at,
        id: 'arxiv:2',
        op: 'withdrawn',
        version: 9,
        reason: 'withdrawn on arxiv',
      }),
    ).toBe(`17:1796535962540-1  ${at}  withdrawn  arxiv:2  withdrawn on arxiv`);
    expect(
      changeLine({ cursor: '17:1796535962541-0', at, id: 'arxiv:3', op: 'upsert', version: 9, record: null }),
    ).toBe(`17:1796535962541-0  ${at}  upsert     arxiv:3  (no document any more)`);
    const long = changeLine({
      cursor: '17:1796535962542-0',
      at,
      id: 'arxiv:4',
      op: 'upsert',
      version: 1,
      record: { title: 'x'.repeat(90) },
    });
    expect(long.endsWith(`${'x'.repeat(79)}…`)).toBe(true);
  });
});

describe('purge, in words', () => {
  const report: PurgeReport = {
    dryRun: true,
    cutoff: at,
    matched: 23,
    purged: 0,
    changed: 0,
    gone: 0,
    sample: Array.from({ length: 23 }, (_, i) => `arxiv:${i}`),
  };

  it('a dry run lists the first 20 it would purge and says how to really purge', () => {
    const lines = purgeSummary(report).split('\n');
    expect(lines[0]).toBe(
      `dry run: 23 withdrawn papers not updated since ${at} would be purged (run with --yes to delete them)`,
    );
    expect(lines.slice(1, 21)).toEqual(report.sample.slice(0, 20).map((id) => `  ${id}`));
    expect(lines[21]).toBe('  … and 3 more');
  });

  it('a purge reports what went, what was kept because it changed, and what was already gone', () => {
    expect(purgeSummary({ ...report, dryRun: false, purged: 21, changed: 1, gone: 1 })).toBe(
      `purged 21 withdrawn papers not updated since ${at}, each with a purged entry in the change feed; 1 written again since they were found (kept); 1 already gone`,
    );
  });
});
