import type { Logger } from './logger.js';

/**
 * Runs `close` once on SIGINT/SIGTERM, then exits 0 (1 if closing failed). The same signal again,
 * a second or more later (a user pressing Ctrl-C twice), exits at once. A signal arriving from
 * both the terminal and the supervisor at the same moment is one request, not two.
 */
export function installShutdown(log: Logger, close: () => Promise<void>): void {
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (first) {
      if (signal === first.signal && Date.now() - first.at > 1000) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      return;
    }
    first = { signal, at: Date.now() };
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
