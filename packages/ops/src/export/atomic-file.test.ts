import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtomicFile } from './atomic-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperline-atomic-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('AtomicFile', () => {
  it('is written under .partial, hashed as written, and appears under its name only when committed', async () => {
    const path = join(dir, 'out.jsonl');
    const file = await AtomicFile.create(path);
    await file.write('{"a":1}\n');
    await file.write(new TextEncoder().encode('{"b":2}\n'));
    expect(await readdir(dir)).toEqual(['out.jsonl.partial']);
    const digest = await file.finish();
    await file.commit();
    const bytes = await readFile(path);
    expect(bytes.toString()).toBe('{"a":1}\n{"b":2}\n');
    expect(digest).toEqual({ bytes: 16, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect(await readdir(dir)).toEqual(['out.jsonl']);
  });

  it('discarded, leaves the previous file under the name untouched and no partial file', async () => {
    const path = join(dir, 'out.jsonl');
    await writeFile(path, 'previous export\n');
    const file = await AtomicFile.create(path);
    await file.write('half of a new one');
    await file.discard();
    expect(await readdir(dir)).toEqual(['out.jsonl']);
    expect(await readFile(path, 'utf8')).toBe('previous export\n');
  });

  it.each([
    ['in a directory that does not exist', (d: string) => join(d, 'missing', 'out.jsonl'), 'ENOENT'],
    ['under a file', (d: string) => join(d, 'plain-file', 'out.jsonl'), 'ENOTDIR'],
    ['that is a directory', (d: string) => d, 'is a directory'],
  ])('refuses a path %s with EXPORT_INVALID naming --out', async (_what, pathIn, why) => {
    await writeFile(join(dir, 'plain-file'), 'x');
    await expect(AtomicFile.create(pathIn(dir))).rejects.toMatchObject({
      code: 'EXPORT_INVALID',
      context: { option: '--out' },
      message: expect.stringContaining(why),
    });
    expect((await readdir(dir)).sort()).toEqual(['plain-file']);
  });
});
