import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { constants, openSync, closeSync } from 'node:fs';
import { access, open, readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { isErrnoException } from './errors.js';

/** Absolute path of an executable found on PATH, or `undefined`. */
export async function which(cmd: string, path: string = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, cmd);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when a process with this pid exists and is not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (!(isErrnoException(err) && err.code === 'EPERM')) return false;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/s.test(stat);
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

/** The pid written in a pid file, or `undefined` when absent or malformed. */
export async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A process's command line (arguments joined by spaces), or `undefined` when it cannot be read. */
export async function commandLine(pid: number): Promise<string | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/**
 * The pid from our pid file when that process is alive and (where `/proc` tells) its command line
 * contains `marker`, so a recycled pid is never mistaken for our service.
 */
export async function managedPid(pidFile: string, marker: string): Promise<{ pid?: number; stale?: number }> {
  const pid = await readPidFile(pidFile);
  if (pid === undefined) return {};
  if (!(await isAlive(pid))) return { stale: pid };
  const cmd = await commandLine(pid);
  return cmd === undefined || cmd.includes(marker) ? { pid } : { stale: pid };
}

/** Waits until `pid` is gone; false when it is still alive after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(200);
  }
  return true;
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves to how it ended. */
export async function stopProcess(pid: number, graceMs: number): Promise<'terminated' | 'killed' | 'gone'> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    if (isErrnoException(err) && err.code === 'ESRCH') return 'gone';
    throw err;
  }
  if (await waitForExit(pid, graceMs)) return 'terminated';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // exited meanwhile
  }
  await waitForExit(pid, 10_000);
  return 'killed';
}

/** Result of {@link run}. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, last 16 kB. */
  output: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the command after this long. @defaultValue no limit */
  timeoutMs?: number;
  /**
   * Send stdout/stderr to this file (truncated) instead of pipes and resolve on exit: for launchers that leave a
   * daemon behind which may keep inherited pipes open. Also puts the child in its own session, so a
   * Ctrl-C in the terminal does not reach the daemon.
   */
  outputFile?: string;
}

const TAIL = 16 * 1024;

/** Runs a command to completion without a shell. Never rejects for a non-zero exit; check `code`. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const fd = opts.outputFile !== undefined ? openSync(opts.outputFile, 'w') : undefined;
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: fd !== undefined ? ['ignore', fd, fd] : ['ignore', 'pipe', 'pipe'],
      detached: fd !== undefined,
    });
    if (fd !== undefined) closeSync(fd);
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-TAIL);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            output += `\n[killed after ${opts.timeoutMs} ms]`;
            child.kill('SIGKILL');
          }, opts.timeoutMs)
        : undefined;
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once(fd !== undefined ? 'exit' : 'close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** The last `lines` lines of a text file (read from its last 64 kB), or '' when it cannot be read. */
export async function tailFile(file: string, lines = 20): Promise<string> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, 64 * 1024);
      const buf = Buffer.alloc(length);
      await handle.read(buf, 0, length, size - length);
      return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}
