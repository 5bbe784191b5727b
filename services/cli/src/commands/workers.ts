import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PermanentError, WORKER_KINDS, parseServiceKinds, type ServiceKind } from '@paperline/contracts';
import { workerEnv, workerExecArgv } from '@paperline/core/process';

/** The worker runtime's entry point; it runs the kinds named in its first argument. */
export const WORKERS_ENTRY = fileURLToPath(import.meta.resolve('@paperline/workers/main'));

export interface WorkerGroup {
  /**
   * By process: its kinds joined with `+` (`fetcher+parser+deduplicator+indexer` when chained),
   * `#2`, `#3`… after the name for further copies (`--processes`).
   */
  children: Map<string, ChildProcess>;
  /** SIGTERM to all, resolved when all have exited. */
  stop(): Promise<void>;
  /** Resolves when every child has exited. */
  exited: Promise<void>;
}

/** The stages of one page's main line, which a process running them together chains. */
const CHAINED_KINDS: readonly ServiceKind[] = ['fetcher', 'parser', 'deduplicator', 'indexer'];

/**
 * The processes that run `kinds`: one each, or with `chain` the chosen kinds of the main line
 * (fetcher, parser, deduplicator, indexer) together in one, which hands a page from stage to stage
 * in memory, and the others one each. Stage workers get `copies` processes each (one per core,
 * say); the scheduler and the webhook deliverer always one.
 */
export function workerProcesses(kinds: readonly ServiceKind[], chain: boolean, copies = 1): ServiceKind[][] {
  const together = chain ? kinds.filter((k) => CHAINED_KINDS.includes(k)) : [];
  const alone = kinds.filter((k) => !together.includes(k)).map((k) => [k]);
  const groups = together.length > 0 ? [together, ...alone] : alone;
  const isStages = (g: ServiceKind[]) => g.every((k) => (WORKER_KINDS as readonly string[]).includes(k));
  return groups.flatMap((g) => (isStages(g) ? Array.from({ length: copies }, () => g) : [g]));
}

/** `--processes`: how many processes of each stage worker, a whole number from 1 to 64. */
export function parseProcesses(value: string | undefined): number {
  if (value === undefined) return 1;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 64) {
    throw new PermanentError(
      'INVALID_PAYLOAD',
      `--processes must be a whole number from 1 to 64, got '${value}'`,
      {
        stage: 'cli',
        context: { option: 'processes' },
      },
    );
  }
  return Number(value);
}

/**
 * Starts the chosen workers, one child process per kind, or the main line's kinds together with
 * `chain` (processes share nothing but Redis and Elasticsearch, exactly as on separate machines).
 * Children exit by themselves if this supervisor dies, so a crash never leaves orphans.
 */
export function startWorkers(
  kinds: ServiceKind[],
  env: NodeJS.ProcessEnv = process.env,
  opts: { chain?: boolean; processes?: number } = {},
): WorkerGroup {
  const children = new Map<string, ChildProcess>();
  /** Processes started per name so far: the second is `<name>#2`. */
  const copies = new Map<string, number>();
  const exits: Promise<void>[] = [];
  for (const group of workerProcesses(kinds, opts.chain ?? false, opts.processes ?? 1)) {
    const child = fork(WORKERS_ENTRY, [group.join(',')], {
      env: workerEnv(env),
      execArgv: workerExecArgv(),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const name = group.join('+');
    const copy = (copies.get(name) ?? 0) + 1;
    copies.set(name, copy);
    children.set(copy === 1 ? name : `${name}#${copy}`, child);
    exits.push(new Promise((resolve) => child.once('exit', () => resolve())));
  }
  const exited = Promise.all(exits).then(() => undefined);
  return {
    children,
    exited,
    async stop() {
      for (const c of children.values()) if (c.exitCode === null) c.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * `workers [--only …] [--chain] [--processes N]`: runs until SIGINT/SIGTERM, then shuts every
 * worker down gracefully.
 */
export async function workersCommand(opts: {
  only?: string;
  chain?: boolean;
  processes?: string;
}): Promise<number> {
  const kinds = parseServiceKinds(opts.only);
  const processes = parseProcesses(opts.processes);
  const group = startWorkers(kinds, process.env, { chain: opts.chain ?? false, processes });
  process.stderr.write(
    `workers: ${[...group.children].map(([name, c]) => `${name} (pid ${c.pid})`).join(', ')}\n`,
  );
  let stopping = false;
  let unexpected = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void group.stop();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  for (const [kind, child] of group.children) {
    child.once('exit', (code, signal) => {
      if (!stopping) {
        unexpected = true;
        process.stderr.write(`workers: ${kind} exited (${signal ?? code}); stopping the others\n`);
        stop();
      }
    });
  }
  await group.exited;
  return unexpected ? 1 : 0;
}
