/**
 * `--gc`: V8's own account of each worker's garbage collections. The workers run with
 * `--trace-gc-nvp`, which prints one line of name=value pairs per collection; the bench adds them
 * up per process kind over a phase. Unlike CPU time, the bytes a scavenge copies (what survived it
 * in the young generation, and what it promoted to the old one) do not depend on how fast the
 * machine is that day: they show what a change to the workers' allocations does, run against run.
 */

/** What a kind's processes' collections added up to over a phase. */
export interface GcTotals {
  scavenges: number;
  /** Bytes allocated in the young generation between scavenges. */
  allocatedBytes: number;
  /** Bytes each scavenge copied within the young generation, and those it promoted. */
  survivedBytes: number;
  promotedBytes: number;
  /** The main thread's pauses for scavenges, and the helper threads' time in them. */
  scavengePauseMs: number;
  scavengeHelperMs: number;
  /** Collections of the whole heap (mark-compact), and their pauses. */
  fullCollections: number;
  fullPauseMs: number;
}

/** The Node flag that makes a worker print its collections. */
export const GC_TRACE_FLAG = '--trace-gc-nvp';

const ZERO: GcTotals = {
  scavenges: 0,
  allocatedBytes: 0,
  survivedBytes: 0,
  promotedBytes: 0,
  scavengePauseMs: 0,
  scavengeHelperMs: 0,
  fullCollections: 0,
  fullPauseMs: 0,
};

/** The name=value pairs of one `--trace-gc-nvp` line, or null for any other line. */
export function parseGcLine(line: string): Map<string, string> | null {
  if (!/\sgc=\w+\s/.test(` ${line} `)) return null;
  return new Map([...line.matchAll(/([\w.]+)=([^\s]+)/g)].map((m) => [m[1]!, m[2]!]));
}

function added(t: GcTotals, f: Map<string, string>): GcTotals {
  const n = (k: string) => Number.parseFloat(f.get(k) ?? '0') || 0;
  if (f.get('gc') === 's')
    return {
      ...t,
      scavenges: t.scavenges + 1,
      allocatedBytes: t.allocatedBytes + n('allocated'),
      survivedBytes: t.survivedBytes + n('new_space_survived'),
      promotedBytes: t.promotedBytes + n('promoted'),
      scavengePauseMs: t.scavengePauseMs + n('pause'),
      scavengeHelperMs: t.scavengeHelperMs + n('background.scavenge.parallel'),
    };
  return { ...t, fullCollections: t.fullCollections + 1, fullPauseMs: t.fullPauseMs + n('pause') };
}

function minus(a: GcTotals, b: GcTotals): GcTotals {
  return Object.fromEntries(
    Object.entries(a).map(([k, v]) => [k, v - b[k as keyof GcTotals]]),
  ) as unknown as GcTotals;
}

/** Each process kind's collections, from its workers' output lines, over a window. */
export class GcTally {
  private totals = new Map<string, GcTotals>();
  private marked = new Map<string, GcTotals>();

  /** Takes a worker's output line; returns whether it was a collection's (not to be printed). */
  take(kind: string, line: string): boolean {
    const fields = parseGcLine(line);
    if (!fields) return false;
    this.totals.set(kind, added(this.totals.get(kind) ?? ZERO, fields));
    return true;
  }

  /** Starts a window. */
  mark(): void {
    this.marked = new Map(this.totals);
  }

  /** What each kind collected since {@link mark}. */
  read(): Record<string, GcTotals> {
    return Object.fromEntries(
      [...this.totals].map(([kind, t]) => [kind, minus(t, this.marked.get(kind) ?? ZERO)]),
    );
  }
}

/** A kind's collections per page crawled: the figures of the result file and the summary. */
export interface GcPerPage {
  scavenges: number;
  allocatedKb: number;
  survivedKb: number;
  promotedKb: number;
  scavengePauseMs: number;
  scavengeHelperMs: number;
  fullCollections: number;
  fullPauseMs: number;
}

/** Totals per page. */
export function gcPerPage(totals: GcTotals, pages: number): GcPerPage {
  const per = (v: number, unit = 1) => Math.round((v / unit / pages) * 1000) / 1000;
  return {
    scavenges: per(totals.scavenges),
    allocatedKb: per(totals.allocatedBytes, 1024),
    survivedKb: per(totals.survivedBytes, 1024),
    promotedKb: per(totals.promotedBytes, 1024),
    scavengePauseMs: per(totals.scavengePauseMs),
    scavengeHelperMs: per(totals.scavengeHelperMs),
    fullCollections: per(totals.fullCollections),
    fullPauseMs: per(totals.fullPauseMs),
  };
}
