import { setTimeout as sleep } from 'node:timers/promises';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { StackError, isErrnoException } from './errors.js';
import { isAlive } from './proc.js';

/** Options of {@link withLock}. */
export interface LockOptions {
  /** Give up waiting for another holder after this long. */
  timeoutMs: number;
  /** Called once when the lock is held by another live process and we start waiting. */
  onWait?: (holderPid: number | undefined) => void;
  /** @defaultValue 250 */
  pollMs?: number;
  /** A lock file without a pid older than this is a crash leftover. @defaultValue 10000 */
  emptyStaleMs?: number;
}

async function readHolder(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isErrnoException(err) && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

/** True when the lock file's content names no live process (or is an old, empty leftover). */
async function isStale(path: string, content: string, emptyStaleMs: number): Promise<boolean> {
  const pid = Number(content.trim());
  if (Number.isInteger(pid) && pid > 0) return !(await isAlive(pid));
  try {
    return Date.now() - (await stat(path)).mtimeMs > emptyStaleMs;
  } catch {
    return false;
  }
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o644);
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (err) {
    if (isErrnoException(err) && err.code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Runs `fn` while holding an exclusive lock file (created with `O_EXCL`, holding our pid). A lock
 * whose pid is no longer alive is taken over; a live holder is waited for up to `timeoutMs`.
 * Not re-entrant: a second caller in the same process waits like any other.
 */
export async function withLock<T>(path: string, fn: () => Promise<T>, opts: LockOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let told = false;
  for (;;) {
    if (await tryCreate(path)) break;
    const content = await readHolder(path);
    if (content === undefined) continue; // released meanwhile
    if (await isStale(path, content, opts.emptyStaleMs ?? 10_000)) {
      // Remove it only if nobody replaced it since we read it.
      if ((await readHolder(path)) === content) await unlink(path).catch(() => undefined);
      continue;
    }
    const holder = Number(content.trim()) || undefined;
    if (!told) {
      opts.onWait?.(holder);
      told = true;
    }
    if (Date.now() >= deadline) {
      throw new StackError(
        `another Paperline process (pid ${holder ?? 'unknown'}) still holds ${path} after ${opts.timeoutMs} ms; ` +
          `wait for it, or delete the file if that process is gone`,
        { context: { lockFile: path } },
      );
    }
    await sleep(opts.pollMs ?? 250);
  }
  try {
    return await fn();
  } finally {
    if ((await readHolder(path))?.trim() === String(process.pid)) await unlink(path).catch(() => undefined);
  }
}
