/**
 * `@paperline/core/process`: what a Paperline process (a service, a worker, the CLI) runs with.
 *
 * - `createLogger(opts)` → `Logger`: pino, with every configured secret and URL password masked
 *   as each line is written.
 * - `installShutdown(log, close)`: closes once on SIGINT/SIGTERM, then exits.
 * - `workerExecArgv()`, `workerEnv(env)`: the Node flags and the environment (glibc's malloc
 *   settings) a stage worker's child process starts with.
 */
export { createLogger, type Logger } from './logger.js';
export { installShutdown } from './shutdown.js';
export { WORKER_MALLOC_ENV, workerEnv, workerExecArgv } from './node-flags.js';
