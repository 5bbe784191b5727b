/**
 * `@paperline/core/config`: the configuration, read once from the environment.
 *
 * - `loadConfig(env)` → `PaperlineConfig`: every `PAPERLINE_*` variable validated, or a
 *   `CONFIG_INVALID` error naming the variable (the reference is docs/operations.md).
 * - `readSecret(env, name)`: a secret from `<NAME>`, else from the file `<NAME>_FILE` names.
 *
 * Light on purpose: it loads neither a client nor the logger, so the CLI's quick commands use it.
 */
export { loadConfig, type PaperlineConfig } from './config.js';
export { readSecret } from './secrets.js';
