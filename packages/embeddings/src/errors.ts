import { PermanentError } from '@paperline/contracts';

/** What to run to get the model files (set-up runs provision.ts), for error messages. */
export const HOW_TO_FETCH =
  'run `bash infra/scripts/setup.sh` (or `pnpm exec tsx packages/embeddings/src/provision.ts`) to fetch it';

/**
 * A model file is absent, unreadable or could not be fetched (`MODEL_MISSING`), or is not the
 * published one (`MODEL_INVALID`). `context.file` names the file; the message says how to get it.
 */
export class ModelError extends PermanentError {
  constructor(code: 'MODEL_MISSING' | 'MODEL_INVALID', file: string, message: string, cause?: unknown) {
    super(code, message, { context: { file }, cause });
  }
}

/** A text handed to the embedder is not a non-blank string; `context.index` says which one. */
export class EmbedInputError extends PermanentError {
  constructor(index: number, what: string) {
    super('EMBED_INPUT_INVALID', `text ${index} ${what}: nothing to embed`, { context: { index } });
  }
}
