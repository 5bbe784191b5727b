import { chmod, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError } from './errors.js';
import { withLock } from './lock.js';
import { isRoot } from './options.js';

/** What {@link withStackLock} needs of the options. */
export interface StackDirOptions {
  stackDir: string;
  timeoutMs: number;
  log: (msg: string) => void;
}

/** True when the stack directory exists (when it does not, nothing was ever started there). */
export async function stackDirExists(dir: string): Promise<boolean> {
  return stat(dir).then(
    () => true,
    () => false,
  );
}

async function ensureStackDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    // The Elasticsearch user must be able to traverse it (mkdtemp-style dirs are 0700).
    if (isRoot()) await chmod(dir, 0o755);
  } catch (cause) {
    throw new StackError(
      `cannot create the stack directory ${dir}; set PAPERLINE_STACK_DIR to a writable directory`,
      { cause },
    );
  }
}

/**
 * Runs `fn` with the stack directory created and its lock file (`stack.lock`) held, so that two
 * processes (a test setup and a terminal) never start or stop the same services at once, nor unpack
 * the same install. `waitingFor` ends the line logged while another process holds the lock.
 */
export async function withStackLock<T>(
  o: StackDirOptions,
  waitingFor: string,
  fn: () => Promise<T>,
): Promise<T> {
  await ensureStackDir(o.stackDir);
  return withLock(join(o.stackDir, 'stack.lock'), fn, {
    timeoutMs: o.timeoutMs,
    onWait: (pid) => o.log(`stack: waiting for another paperline process (pid ${pid ?? '?'}) ${waitingFor}…`),
  });
}
