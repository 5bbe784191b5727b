/**
 * `@paperline/embeddings`: all-MiniLM-L6-v2 sentence embeddings (quantized ONNX, 384 dimensions)
 * computed on this machine, with no network at run time. The model arrives at set-up
 * (`provision.ts`, from Maven Central); {@link Embedder} loads it once per process.
 */
export { Embedder, EMBEDDING_DIMENSIONS, type EmbedderOptions } from './embedder.js';
export { EmbedInputError, ModelError } from './errors.js';
export { MODEL_FILES, resolveModelDir } from './model.js';
export { perTextQuantization } from './per-text-quantization.js';
