import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseServiceKinds, type ServiceKind } from '@paperline/contracts';
import { workerExecArgv } from '@paperline/core/process';

/** The worker runtime's entry point; it runs the kinds named in its first argument. */
export const WORKERS_ENTRY = fileURLToPath(import.meta.resolve('@paperline/workers/main'));

export interface WorkerGroup {
  children: Map<ServiceKind, ChildProcess>;
  /** SIGTERM to all, resolved when all have exited. */
  stop(): Promise<void>;
  /** Resolves when every child has exited. */
  exited: Promise<void>;
}

/**
 * Starts the chosen workers, one child process each (they share nothing but Redis and
 * Elasticsearch, exactly as on separate machines). Children exit by themselves if this
 * supervisor dies, so a crash never leaves orphans.
 */
export function startWorkers(kinds: ServiceKind[], env: NodeJS.ProcessEnv = process.env): WorkerGroup {
  const children = new Map<ServiceKind, ChildProcess>();
  const exits: Promise<void>[] = [];
  for (const kind of kinds) {
    const child = fork(WORKERS_ENTRY, [kind], {
      env,
      execArgv: workerExecArgv(),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.set(kind, child);
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

/** `workers [--only …]`: runs until SIGINT/SIGTERM, then shuts every worker down gracefully. */
export async function workersCommand(opts: { only?: string }): Promise<number> {
  const kinds = parseServiceKinds(opts.only);
  const group = startWorkers(kinds);
  process.stderr.write(
    `workers: ${kinds.join(', ')} (pids ${[...group.children.values()].map((c) => c.pid).join(', ')})\n`,
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
