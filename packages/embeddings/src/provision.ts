/**
 * Fetches the embedding model into its cache directory (`PAPERLINE_MODEL_DIR`, else
 * `~/.cache/paperline/models/all-minilm-l6-v2-q`) when it is not there yet, with the classpath of
 * the reference the tests compare against. Run by infra/scripts/setup.sh:
 * `pnpm exec tsx packages/embeddings/src/provision.ts`. Exits 2 with `error [CODE]: …` on failure.
 */
import { isPaperlineError } from '@paperline/contracts';
import { provisionModel } from './install.js';
import { resolveModelDir } from './model.js';

const say = (msg: string): boolean => process.stderr.write(`${msg}\n`);
const dir = resolveModelDir();
try {
  const started = Date.now();
  const outcome = await provisionModel(dir, say);
  if (outcome === 'fetched')
    say(`embeddings: model in ${dir} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
} catch (err) {
  say(isPaperlineError(err) ? `error [${err.code}]: ${err.message}` : `error: ${String(err)}`);
  process.exitCode = 2;
}
