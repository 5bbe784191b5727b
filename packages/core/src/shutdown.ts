import type { Logger } from './logger.js';

/**
 * Runs `close` once on SIGINT/SIGTERM, then exits 0 (1 if closing failed). A second signal
 * while closing exits at once.
 */
export function installShutdown(log: Logger, close: () => Promise<void>): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    closing = true;
    log.info({ signal }, 'shutting down: finishing active jobs');
    close().then(
      () => {
        log.info('shut down cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A supervisor that dies (even by SIGKILL) closes our IPC channel: don't linger as an orphan.
  if (process.send) process.on('disconnect', () => onSignal('SIGTERM'));
}
