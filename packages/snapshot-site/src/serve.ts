/**
 * Serves the snapshot site for manual use:
 * `tsx packages/snapshot-site/src/serve.ts [--port 4567] [--host 127.0.0.1] [--days 2024-03-18,2024-03-19]`.
 * Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startSnapshotSite } from './server.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '4567' }, host: { type: 'string' }, days: { type: 'string' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be an integer between 0 and 65535, got "${values.port}"\n`);
  process.exit(2);
}
const site = await startSnapshotSite({
  port,
  ...(values.host === undefined ? {} : { host: values.host }),
  ...(values.days === undefined ? {} : { days: values.days.split(',').map((d) => d.trim()) }),
});
process.stdout.write(
  `HF snapshot site on ${site.url} (days ${site.days.join(', ')})\nHF_BASE_URL=${site.url}\n`,
);
const stop = (): void => {
  void site.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
