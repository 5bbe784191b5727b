/**
 * The four stage workers, one child process per kind, each started from the worker runtime's
 * entry point exactly as `paperline workers` forks them (node on the compiled JavaScript, which
 * `pnpm bench` builds first), so that /proc shows one process per stage. An IPC channel is kept
 * open: the workers' shutdown hook exits them when this process goes away, however it dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKER_KINDS, type WorkerKind } from '@paperline/contracts';
import { workerEnv, workerExecArgv } from '@paperline/core/process';
import { GC_TRACE_FLAG } from './gc.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKERS_ENTRY = fileURLToPath(import.meta.resolve('@paperline/workers/main'));

/** The node flags every worker runs with: the product's own worker flags. */
export const workerNodeArgs = (): string[] => workerExecArgv([]);

/** glibc's malloc settings every worker runs with: the product's worker environment's. */
export const workerMalloc = (env: NodeJS.ProcessEnv = process.env): Record<string, string> =>
  Object.fromEntries(
    Object.entries(workerEnv(env)).filter(
      (e): e is [string, string] => e[0].startsWith('MALLOC_') && e[1] !== undefined,
    ),
  );

export interface WorkerSet {
  /** By process name: the kind in the first group, `<kind>#<g>` in group g > 1. */
  children: Map<string, ChildProcess>;
  pids(): Map<string, number>;
  /** SIGTERM (graceful: active jobs finish, the indexer flushes), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  env: NodeJS.ProcessEnv;
  /** Write V8 CPU profiles of these workers into `dir/<kind>/` (written when they exit). */
  profile?: { kinds: WorkerKind[]; dir: string };
  /** Run the workers with {@link GC_TRACE_FLAG}: each collection becomes an output line. */
  gcTrace?: boolean;
  /** Receives each worker's output lines (they log JSON with pino at the configured level). */
  onLine: (name: string, line: string) => void;
  /** Whole sets of stage processes to start, as that many machines would run them. @defaultValue 1 */
  groups?: number;
  /** Each group's {@link CHAINED_KINDS} in one process (named `pipeline`), which chains their stages. */
  chain?: boolean;
}

/** The kinds one process runs when the bench chains the stages (`--chain`). */
export const CHAINED_KINDS: readonly WorkerKind[] = ['fetcher', 'parser', 'deduplicator', 'indexer'];

/** The processes of one group: one per kind, or the chained kinds together and the rest alone. */
function groupProcesses(chain: boolean): Array<{ name: string; kinds: readonly WorkerKind[] }> {
  if (!chain) return WORKER_KINDS.map((kind) => ({ name: kind, kinds: [kind] }));
  const alone = WORKER_KINDS.filter((k) => !CHAINED_KINDS.includes(k));
  return [
    { name: 'pipeline', kinds: CHAINED_KINDS },
    ...alone.map((kind) => ({ name: kind, kinds: [kind] })),
  ];
}

/** The process name of a worker in group `g` (1-based): its name itself in the first. */
const processName = (name: string, g: number): string => (g === 1 ? name : `${name}#${g}`);

/** The kind a process name stands for (`fetcher#2` → `fetcher`). */
export const kindOf = (name: string): string => name.split('#')[0]!;

/** Per-kind figures of per-process ones: the kinds' processes in every group combined. */
export function byKind(perProcess: Record<string, number>, combine: (a: number, b: number) => number) {
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(perProcess)) {
    const kind = kindOf(name);
    out[kind] = kind in out ? combine(out[kind]!, v) : v;
  }
  return out;
}

export const exited = (c: ChildProcess): Promise<void> =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise((r) => c.once('exit', () => r()));

/**
 * One worker process running `kinds` (named `name`: its profile directory and the first argument
 * of its output lines, handed to `opts.onLine`).
 */
export function startWorker(
  kinds: readonly WorkerKind[],
  opts: StartOptions,
  name: string = kinds.join('+'),
): ChildProcess {
  const prof = kinds.some((k) => opts.profile?.kinds.includes(k))
    ? ['--cpu-prof', '--cpu-prof-dir', join(opts.profile!.dir, name)]
    : [];
  const gc = opts.gcTrace ? [GC_TRACE_FLAG] : [];
  const child = spawn(
    process.execPath,
    [...workerNodeArgs(), ...gc, ...prof, WORKERS_ENTRY, kinds.join(',')],
    {
      cwd: ROOT,
      env: workerEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  let buf = '';
  const onData = (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) !== -1) {
      opts.onLine(name, buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return child;
}

export function startWorkers(opts: StartOptions): WorkerSet {
  const children = new Map<string, ChildProcess>();
  for (let g = 1; g <= (opts.groups ?? 1); g++) {
    for (const proc of groupProcesses(opts.chain ?? false)) {
      const name = processName(proc.name, g);
      children.set(name, startWorker(proc.kinds, opts, name));
    }
  }
  return {
    children,
    pids: () => {
      const m = new Map<string, number>();
      for (const [k, c] of children) if (c.pid && c.exitCode === null) m.set(k, c.pid);
      return m;
    },
    async stop(graceMs = 20_000) {
      const all = [...children.values()];
      for (const c of all) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
      const timer = setTimeout(() => {
        for (const c of all) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }, graceMs);
      await Promise.all(all.map(exited));
      clearTimeout(timer);
    },
  };
}
