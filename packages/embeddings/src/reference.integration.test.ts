import { readFileSync } from 'node:fs';
import './no-telemetry.js';
import { env } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { Embedder } from './embedder.js';
import { MODEL_FILES, readModelFile, resolveModelDir } from './model.js';
import { runReference, type ReferenceVectors } from './reference.js';
import { BertTokenizer } from './tokenizer.js';

/** 20 varied texts: short, long (over 256 tokens), several scripts, emoji, maths, code. */
const TEXTS: string[] = JSON.parse(
  readFileSync(new URL('./fixtures/reference-texts.json', import.meta.url), 'utf8'),
) as string[];

const cosine = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
};

let reference: ReferenceVectors;
let ours256: Float32Array[];
let ours128: Float32Array[];
/** All 20 texts in one batch (per-text quantization). */
let batched256: Float32Array[];
let tokenCounts: number[];

beforeAll(async () => {
  const modelDir = resolveModelDir();
  // langchain4j on the JDK, from the classpath set-up resolved: offline, no Maven at test time.
  reference = await runReference(TEXTS, modelDir);
  const embedder = await Embedder.load({ modelDir });
  const at128 = await Embedder.load({ modelDir, maxTokens: 128 });
  const inBatches = await Embedder.load({ modelDir, batch: TEXTS.length });
  try {
    ours256 = await embedder.embed(TEXTS);
    ours128 = await at128.embed(TEXTS);
    batched256 = await inBatches.embed(TEXTS);
  } finally {
    await embedder.close();
    await at128.close();
    await inBatches.close();
  }
  const tokenizer = BertTokenizer.fromJson((await readModelFile(modelDir, MODEL_FILES.tokenizer)).toString());
  tokenCounts = TEXTS.map((t) => tokenizer.pieces(t).length + 2);
}, 360_000);

describe('vectors against the langchain4j reference', () => {
  it('covers texts past both truncation points', () => {
    expect(TEXTS).toHaveLength(20);
    expect(tokenCounts.filter((n) => n > 256).length).toBeGreaterThanOrEqual(2);
    expect(tokenCounts.filter((n) => n > 128 && n <= 256).length).toBeGreaterThanOrEqual(1);
    expect(reference.allMiniLmL6V2Q).toHaveLength(TEXTS.length);
    expect(reference.maxTokens256).toHaveLength(TEXTS.length);
  });

  it('matches AllMiniLmL6V2QuantizedEmbeddingModel as shipped (128 tokens) within cosine 0.999', () => {
    TEXTS.forEach((text, i) => {
      expect(
        cosine(ours128[i]!, reference.allMiniLmL6V2Q[i]!),
        `text ${i} (${tokenCounts[i]} tokens): ${text.slice(0, 60)}…; reference on onnxruntime ${reference.onnxruntime}, Paperline on ${env.versions.node}`,
      ).toBeGreaterThanOrEqual(0.999);
    });
  });

  it('matches langchain4j at 256 tokens, Paperline’s default, within cosine 0.999', () => {
    TEXTS.forEach((text, i) => {
      expect(
        cosine(ours256[i]!, reference.maxTokens256[i]!),
        `text ${i} (${tokenCounts[i]} tokens): ${text.slice(0, 60)}…; reference on onnxruntime ${reference.onnxruntime}, Paperline on ${env.versions.node}`,
      ).toBeGreaterThanOrEqual(0.999);
    });
  });

  it('matches it as well with all 20 texts in one padded batch', () => {
    TEXTS.forEach((text, i) => {
      expect(
        cosine(batched256[i]!, reference.maxTokens256[i]!),
        `text ${i} (${tokenCounts[i]} tokens): ${text.slice(0, 60)}…`,
      ).toBeGreaterThanOrEqual(0.999);
      expect(cosine(batched256[i]!, ours256[i]!), `text ${i} batched vs alone`).toBeGreaterThanOrEqual(
        0.99999,
      );
    });
  });

  it('gives unit vectors of 384 values, like the reference', () => {
    for (const v of [...ours256, ...ours128, ...reference.maxTokens256, ...reference.allMiniLmL6V2Q]) {
      expect(v).toHaveLength(384);
      expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    }
  });
});
