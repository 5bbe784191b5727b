import { setTimeout as sleep } from 'node:timers/promises';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StackError } from './errors.js';
import { withLock } from './lock.js';

describe('withLock', () => {
  let dir: string;
  let lock: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paperline-lock-'));
    lock = join(dir, 'stack.lock');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('holds our pid while running and removes the file after', async () => {
    await withLock(
      lock,
      async () => expect((await readFile(lock, 'utf8')).trim()).toBe(String(process.pid)),
      {
        timeoutMs: 1000,
      },
    );
    await expect(readFile(lock)).rejects.toThrow(/ENOENT/);
  });

  it('serialises concurrent holders', async () => {
    const events: string[] = [];
    const section = (name: string) => async () => {
      events.push(`${name}+`);
      await sleep(50);
      events.push(`${name}-`);
    };
    await Promise.all([
      withLock(lock, section('a'), { timeoutMs: 5000, pollMs: 10 }),
      withLock(lock, section('b'), { timeoutMs: 5000, pollMs: 10 }),
    ]);
    expect([events.join(' ')]).toContainEqual(expect.stringMatching(/^(a\+ a- b\+ b-|b\+ b- a\+ a-)$/));
  });

  it('takes over a lock whose pid is gone', async () => {
    await writeFile(lock, '2147483646\n'); // no such process
    expect(await withLock(lock, async () => 'ran', { timeoutMs: 1000 })).toBe('ran');
  });

  it('takes over an old empty lock, but waits for a fresh one', async () => {
    await writeFile(lock, '');
    await expect(withLock(lock, async () => 'ran', { timeoutMs: 200, pollMs: 20 })).rejects.toBeInstanceOf(
      StackError,
    );
    expect(await withLock(lock, async () => 'ran', { timeoutMs: 1000, emptyStaleMs: 0 })).toBe('ran');
  });

  it('gives up on a live holder after the timeout, naming it', async () => {
    await writeFile(lock, `${process.pid}\n`);
    let waitedFor: number | undefined;
    const err = await withLock(lock, async () => 'ran', {
      timeoutMs: 100,
      pollMs: 20,
      onWait: (pid) => (waitedFor = pid),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StackError);
    expect((err as StackError).message).toContain(`pid ${process.pid}`);
    expect(waitedFor).toBe(process.pid);
    expect((await readFile(lock, 'utf8')).trim()).toBe(String(process.pid)); // not ours to remove
  });
});
