import { PermanentError } from '@paperline/contracts';
// Before onnxruntime-node: ONNX Runtime reads its telemetry switch once, when it starts.
import './no-telemetry.js';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { EmbedInputError } from './errors.js';
import { MODEL_FILES, readModelFile, resolveModelDir } from './model.js';
import { perTextQuantization } from './per-text-quantization.js';
import { l2Normalize, meanPool } from './pooling.js';
import { BertTokenizer, MODEL_MAX_TOKENS } from './tokenizer.js';

/** Options of {@link Embedder.load}. */
export interface EmbedderOptions {
  /**
   * Directory holding the model files.
   * @defaultValue `PAPERLINE_MODEL_DIR`, else `~/.cache/paperline/models/all-minilm-l6-v2-q` (see {@link resolveModelDir})
   */
  modelDir?: string;
  /**
   * Threads one inference uses (ONNX Runtime's intra-op threads).
   * @defaultValue 2
   */
  threads?: number;
  /**
   * Tokens the model sees per text, `[CLS]` and `[SEP]` included; the rest of a longer text is cut
   * off. 256 is what all-MiniLM-L6-v2 was trained with (sentence-transformers' `max_seq_length`).
   * @defaultValue 256
   */
  maxTokens?: number;
  /**
   * Texts one inference takes at most (padded to the longest). Above 1 the model runs with its
   * activations quantized per text ({@link perTextQuantization}), so a text gets the same vector in
   * any batch as alone; at 1 it runs exactly as published.
   * @defaultValue 1
   */
  batch?: number;
}

/** Number of dimensions of every vector. */
export const EMBEDDING_DIMENSIONS = 384;

function checkedInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PermanentError(
      'CONFIG_INVALID',
      `${name} must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
  return value;
}

/**
 * all-MiniLM-L6-v2 sentence embeddings (quantized ONNX, 384 dimensions) computed in this process:
 * WordPiece tokens (truncated), the transformer on ONNX Runtime's CPU, mean pooling over the
 * attention mask, L2 normalisation. Load it once per process and reuse it; {@link close} frees it.
 *
 * Texts run through the model {@link EmbedderOptions.batch} at a time, grouped by token count so
 * that little is padded. The published model quantizes its activations with one scale per input
 * tensor, which would let texts batched together change each other's vectors; batches therefore run
 * a rewrite of it that quantizes each text on its own ({@link perTextQuantization}).
 */
export class Embedder {
  /** Number of dimensions of every vector. */
  readonly dimensions = EMBEDDING_DIMENSIONS;
  private closed = false;

  private constructor(
    private readonly session: InferenceSession,
    private readonly tokenizer: BertTokenizer,
    /** Tokens the model sees per text, `[CLS]` and `[SEP]` included. */
    readonly maxTokens: number,
    /** Texts one inference takes at most. */
    readonly batch: number,
  ) {}

  /**
   * Reads and checks the model files, then starts an inference session. Throws a `ModelError`
   * (`MODEL_MISSING`, `MODEL_INVALID`) naming the file and how to fetch it when a file is absent or
   * is not the published one, and a `CONFIG_INVALID` error for out-of-range options.
   */
  static async load(options: EmbedderOptions = {}): Promise<Embedder> {
    const threads = checkedInteger('threads', options.threads ?? 2, 1, 256);
    const maxTokens = checkedInteger('maxTokens', options.maxTokens ?? 256, 3, MODEL_MAX_TOKENS);
    const batch = checkedInteger('batch', options.batch ?? 1, 1, 256);
    const dir = resolveModelDir(options.modelDir);
    const published = await readModelFile(dir, MODEL_FILES.onnx);
    const onnx = batch > 1 ? perTextQuantization(published) : published;
    const tokenizerJson = await readModelFile(dir, MODEL_FILES.tokenizer);
    const session = await InferenceSession.create(onnx, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // Threads spinning between operators burn CPU that other processes need: on the shared 2-core
      // machine, 2 spinning threads embedded 11–23 abstracts/s and 2 waiting ones 33–39 (README).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
    return new Embedder(session, BertTokenizer.fromJson(tokenizerJson.toString('utf8')), maxTokens, batch);
  }

  /**
   * One unit-length vector of {@link dimensions} values per text, in order. Every text must be a
   * string with at least one token (not empty, not only whitespace or control characters);
   * otherwise an `EmbedInputError` (`EMBED_INPUT_INVALID`) names the first bad one and nothing is
   * embedded.
   */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (this.closed) throw new Error('this Embedder is closed');
    const inputs = texts.map((text, index) => this.tokenize(text, index));
    // Shortest first, so that each batch pads its texts as little as possible.
    const order = inputs.map((_, i) => i).sort((a, b) => inputs[a]!.length - inputs[b]!.length);
    const vectors: Float32Array[] = new Array<Float32Array>(inputs.length);
    for (let start = 0; start < order.length; start += this.batch) {
      const group = order.slice(start, start + this.batch);
      const out = await this.run(group.map((i) => inputs[i]!));
      group.forEach((i, k) => (vectors[i] = out[k]!));
    }
    return vectors;
  }

  /** Frees the inference session; the embedder cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }

  private tokenize(text: unknown, index: number): number[] {
    if (typeof text !== 'string') throw new EmbedInputError(index, `is ${typeof text}, not a string`);
    const ids = this.tokenizer.encode(text, this.maxTokens);
    if (ids.length <= 2) {
      throw new EmbedInputError(
        index,
        text === '' ? 'is empty' : 'has no tokens (only whitespace or control characters)',
      );
    }
    return ids;
  }

  /** One inference over texts padded to the longest; one vector per text, pooled over its own tokens. */
  private async run(batch: ReadonlyArray<readonly number[]>): Promise<Float32Array[]> {
    const width = Math.max(...batch.map((ids) => ids.length));
    const dims = [batch.length, width];
    const ids = new BigInt64Array(batch.length * width); // padding: token 0 ([PAD]), mask 0
    const mask = new BigInt64Array(batch.length * width);
    batch.forEach((text, row) => {
      text.forEach((id, t) => (ids[row * width + t] = BigInt(id)));
      mask.fill(1n, row * width, row * width + text.length);
    });
    const output = await this.session.run({
      input_ids: new Tensor('int64', ids, dims),
      attention_mask: new Tensor('int64', mask, dims),
      token_type_ids: new Tensor('int64', new BigInt64Array(ids.length), dims), // one segment: all 0
    });
    const hidden = output.last_hidden_state;
    if (hidden === undefined) throw new Error('the model returned no last_hidden_state');
    const data = hidden.data as Float32Array;
    const rows = width * this.dimensions;
    return batch.map((_, row) =>
      l2Normalize(
        meanPool(
          data.subarray(row * rows, (row + 1) * rows),
          mask.subarray(row * width, (row + 1) * width),
          this.dimensions,
        ),
      ),
    );
  }
}
