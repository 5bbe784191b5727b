/**
 * `@paperline/core/process`: what a Paperline process (a service, a worker, the CLI) runs with.
 *
 * - `createLogger(opts)` → `Logger`: pino, with every configured secret and URL password masked
 *   as each line is written.
 * - `installShutdown(log, close)`: closes once on SIGINT/SIGTERM, then exits.
 * - `workerExecArgv()`: the Node flags a stage worker's child process starts with.
 */
export { createLogger, type Logger } from './logger.js';
export { installShutdown } from './shutdown.js';
export { workerExecArgv } from './node-flags.js';
