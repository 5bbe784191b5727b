import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PaperlineError } from '@paperline/contracts';

/** The API's entry point (it also runs alone, e.g. in docker-compose). */
export function apiEntry(): string {
  return fileURLToPath(import.meta.resolve('@paperline/api/main'));
}

/**
 * `serve [--port N] [--host H]`: runs the HTTP side (overview, dashboard, search API, metrics)
 * in a child process until SIGINT/SIGTERM, and exits with its exit code. The child refuses to
 * start (exit 2, with the reason on stderr) on a non-loopback host without PAPERLINE_API_TOKEN.
 */
export async function serveCommand(opts: { port?: string; host?: string }): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (opts.port !== undefined) {
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new PaperlineError(
        'CONFIG_INVALID',
        `--port must be an integer from 0 to 65535, got '${opts.port}'`,
        'permanent',
        {
          stage: 'cli',
        },
      );
    }
    env.PAPERLINE_API_PORT = String(port);
  }
  if (opts.host !== undefined) env.PAPERLINE_API_HOST = opts.host;
  const child = fork(apiEntry(), [], {
    env,
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const forward = (signal: NodeJS.Signals) => {
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
