import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The `paperline` command as installed (the compiled CLI); the e2e and fault suites build it first. */
export const PAPERLINE = fileURLToPath(new URL('../../node_modules/.bin/paperline', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `paperline <args>` as a user would (a separate process), and collects its output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 240_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(PAPERLINE, args, {
      env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`paperline ${args.join(' ')} timed out after ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `paperline workers` (every kind, or `only`) in the background, with `extra` options. */
export function startWorkersProcess(
  env: NodeJS.ProcessEnv,
  only?: string,
  extra: string[] = [],
): ChildProcess {
  const args = ['workers', ...(only ? ['--only', only] : []), ...extra];
  const child = spawn(PAPERLINE, args, {
    env,
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  return child;
}

/** Kills a process group (the workers supervisor and its children). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Stops a workers supervisor gracefully (SIGTERM to its group) and waits for it to exit. */
export async function stopWorkers(child: ChildProcess): Promise<void> {
  killGroup(child, 'SIGTERM');
  await exited(child);
}

/** The last line of stdout parsed as JSON (the `--json` contract). */
export function lastJson<T>(out: string): T {
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}
