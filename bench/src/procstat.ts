/**
 * Per-process CPU and memory from /proc (Linux): CPU = utime + stime of /proc/<pid>/stat (clock
 * ticks, 100 per second here), RSS = VmRSS of /proc/<pid>/status sampled every 250 ms (the peak
 * is the largest sample), plus the kernel's own high-water mark VmHWM.
 */
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // `getconf CLK_TCK` on Linux x86-64/arm64

/** What a process has used so far, from /proc/<pid>/stat. */
export interface ProcCounters {
  /** user + system */
  cpuSeconds: number;
  systemSeconds: number;
  /** Page faults served without I/O: on this project's VMs each costs about 10 µs of system time. */
  minorFaults: number;
}

/** A process's counters so far; null when it is gone. */
export function procCounters(pid: number): ProcCounters | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state): minflt is field 10, utime field 14, stime field 15.
    const systemSeconds = Number(rest[12]) / TICKS_PER_SECOND;
    return {
      cpuSeconds: Number(rest[11]) / TICKS_PER_SECOND + systemSeconds,
      systemSeconds,
      minorFaults: Number(rest[7]),
    };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far; null when it is gone. */
export const cpuSeconds = (pid: number): number | null => procCounters(pid)?.cpuSeconds ?? null;

function statusKb(pid: number, key: string): number | null {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export const rssMb = (pid: number): number | null => {
  const kb = statusKb(pid, 'VmRSS');
  return kb === null ? null : kb / 1024;
};
export const hwmMb = (pid: number): number | null => {
  const kb = statusKb(pid, 'VmHWM');
  return kb === null ? null : kb / 1024;
};

/** Samples the RSS of named processes every `intervalMs`; windows give the peak per name. */
export class RssSampler {
  private readonly peaks = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  /** RSS (MB) of each process every 20th sample (5 s), since the last `take()`: plateau or growth? */
  timeline: Array<Record<string, number>> = [];

  constructor(
    private readonly pids: () => Map<string, number>,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const point: Record<string, number> = {};
    for (const [name, pid] of this.pids()) {
      const mb = rssMb(pid);
      if (mb !== null && mb > (this.peaks.get(name) ?? 0)) this.peaks.set(name, mb);
      if (mb !== null) point[name] = Math.round(mb);
    }
    if (this.ticks++ % 20 === 0) this.timeline.push(point);
  }

  /** Peaks since the last reset, and starts a new window. */
  take(): Record<string, number> {
    this.sample();
    const out = Object.fromEntries(this.peaks);
    this.peaks.clear();
    this.timeline = [];
    this.ticks = 0;
    return out;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** CPU seconds per named process between `mark()` and `read()`. */
export class CpuWindow {
  private start = new Map<string, ProcCounters>();
  constructor(private readonly pids: () => Map<string, number>) {}

  mark(): void {
    this.start = new Map();
    for (const [name, pid] of this.pids()) {
      const c = procCounters(pid);
      if (c !== null) this.start.set(name, c);
    }
  }

  /** Each process's CPU seconds (or another of its counters) since {@link mark}. */
  read(counter: keyof ProcCounters = 'cpuSeconds'): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pid] of this.pids()) {
      const c = procCounters(pid);
      const c0 = this.start.get(name);
      if (c !== null && c0 !== undefined) out[name] = c[counter] - c0[counter];
    }
    return out;
  }
}
