import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshot } from '@paperline/snapshot-site';
import { Embedder } from './embedder.js';
import { EmbedInputError, ModelError } from './errors.js';
import { MODEL_FILES, resolveModelDir } from './model.js';

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
const LONG =
  'Sentence encoders map a text to a single vector so that texts with similar meaning land close together. '.repeat(
    20,
  );

let embedder: Embedder;
const scratch: string[] = [];
beforeAll(async () => {
  embedder = await Embedder.load(); // from set-up's cache: fails naming set-up when it is absent
}, 60_000);
afterAll(async () => {
  await embedder?.close();
  await Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true })));
});

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperline-embeddings-'));
  scratch.push(dir);
  return dir;
}

describe('Embedder.embed', () => {
  it('gives one 384-value unit vector per text, in order, the same every time', async () => {
    const [cat, stocks, catAgain] = await embedder.embed([
      'A cat sits on the mat.',
      'Stock markets fell sharply today.',
      'A cat sits on the mat.',
    ]);
    for (const v of [cat!, stocks!]) {
      expect(v).toHaveLength(384);
      expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 5);
    }
    expect(catAgain).toEqual(cat);
    expect(dot(cat!, stocks!)).toBeLessThan(0.5);
    expect(embedder.dimensions).toBe(384);
  });

  it('puts a paraphrase nearer than an unrelated text', async () => {
    const [cat, kitten, stocks] = await embedder.embed([
      'A cat sits on the mat.',
      'A kitten is sitting on a rug.',
      'Stock markets fell sharply today.',
    ]);
    expect(dot(cat!, kitten!)).toBeGreaterThan(dot(cat!, stocks!) + 0.3);
  });

  it('sees only the first maxTokens tokens of a text', async () => {
    const [long, longEnding, short, shortEnding] = await embedder.embed([
      LONG,
      `${LONG} Volcanoes erupt.`,
      'Sentence encoders map a text to a vector.',
      'Sentence encoders map a text to a vector. Volcanoes erupt.',
    ]);
    expect(longEnding).toEqual(long);
    expect(dot(short!, shortEnding!)).toBeLessThan(0.99);
  });

  it('returns nothing for no texts', async () => {
    expect(await embedder.embed([])).toEqual([]);
  });

  it.each([
    ['', 'text 1 is empty'],
    [' \n\t ', 'text 1 has no tokens'],
    [42 as unknown as string, 'text 1 is number, not a string'],
  ])('refuses %j as text 1 with EMBED_INPUT_INVALID', async (bad, message) => {
    const refused = await embedder.embed(['fine', bad]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EmbedInputError);
    expect(refused).toMatchObject({ code: 'EMBED_INPUT_INVALID', context: { index: 1 } });
    expect((refused as Error).message).toContain(message);
  });
});

describe('batches', () => {
  /** Texts of very different lengths in one batch: 3 to 256 tokens, so most of it is padding. */
  const TEXTS = [
    'a',
    'Attention is all you need',
    LONG,
    'Ein Satz auf Deutsch über neuronale Netze.',
    ...loadSnapshot()
      .days.flatMap((day) => day.entries)
      .slice(0, 12)
      .map((e) => `${e.title}\n${e.summary}`),
  ];

  it('give every text the vector it gets alone (cosine ≥ 0.99999; measured 0.99999999)', async () => {
    const batched = await Embedder.load({ batch: 16 });
    try {
      const together = await batched.embed(TEXTS);
      const alone = await Promise.all(TEXTS.map(async (t) => (await embedder.embed([t]))[0]!));
      expect(together).toHaveLength(TEXTS.length);
      for (const [i, v] of together.entries()) expect(dot(v, alone[i]!)).toBeGreaterThanOrEqual(0.99999);
      // In any batch, in any order: the same vectors again.
      const reversed = await batched.embed([...TEXTS].reverse());
      for (const [i, v] of reversed.reverse().entries())
        expect(dot(v, together[i]!)).toBeGreaterThanOrEqual(0.99999);
    } finally {
      await batched.close();
    }
  }, 60_000);

  it('of more texts than fit run as several', async () => {
    const small = await Embedder.load({ batch: 3, threads: 1 });
    try {
      const vectors = await small.embed(TEXTS.slice(0, 7));
      const alone = await embedder.embed(TEXTS.slice(0, 7));
      for (const [i, v] of vectors.entries()) expect(dot(v, alone[i]!)).toBeGreaterThanOrEqual(0.99999);
      expect(small.batch).toBe(3);
    } finally {
      await small.close();
    }
  }, 60_000);
});

describe('Embedder.load', () => {
  it('refuses a directory without the model, naming the file and the set-up command', async () => {
    const dir = await scratchDir();
    const refused = await Embedder.load({ modelDir: dir }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ModelError);
    const file = join(dir, MODEL_FILES.onnx.name);
    expect(refused).toMatchObject({ code: 'MODEL_MISSING', context: { file } });
    expect((refused as Error).message).toContain(`${file} is missing`);
    expect((refused as Error).message).toContain('bash infra/scripts/setup.sh');
  });

  it.each([MODEL_FILES.onnx, MODEL_FILES.tokenizer])('refuses a corrupt $name', async (corrupt) => {
    const dir = await scratchDir();
    for (const file of Object.values(MODEL_FILES)) {
      const source = join(resolveModelDir(), file.name);
      const target = join(dir, file.name);
      if (file === corrupt) await writeFile(target, (await readFile(source)).subarray(0, 4096));
      else await copyFile(source, target);
    }
    const refused = await Embedder.load({ modelDir: dir }).catch((e: unknown) => e);
    const file = join(dir, corrupt.name);
    expect(refused).toMatchObject({ code: 'MODEL_INVALID', context: { file } });
    expect((refused as Error).message).toContain(`${file} is not the published ${corrupt.name}`);
    expect((refused as Error).message).toContain('bash infra/scripts/setup.sh');
  });

  it.each([
    { threads: 0 },
    { threads: 1.5 },
    { maxTokens: 2 },
    { maxTokens: 513 },
    { batch: 0 },
    { batch: 257 },
  ])('refuses %j with CONFIG_INVALID', async (options) => {
    await expect(Embedder.load(options)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('truncates where told to', async () => {
    const short = await Embedder.load({ maxTokens: 16, threads: 1 });
    try {
      const [a, b] = await short.embed([
        'one two three four five six seven eight nine ten eleven twelve thirteen fourteen',
        'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen',
      ]);
      expect(b).toEqual(a);
      expect(short.maxTokens).toBe(16);
    } finally {
      await short.close();
    }
  });

  it('gives an embedder that refuses work once closed', async () => {
    const closing = await Embedder.load();
    await closing.close();
    await expect(closing.embed(['text'])).rejects.toThrow('closed');
  });
});
