/**
 * Serves the snapshot site for manual use:
 * `node packages/snapshot-site/dist/serve.js [--port 4567] [--arxiv-port 4568] [--host 127.0.0.1] [--days 2024-03-18,2024-03-19]`.
 * Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startSnapshotSite } from './server.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4567' },
    'arxiv-port': { type: 'string', default: '4568' },
    host: { type: 'string' },
    days: { type: 'string' },
  },
});

/** The value of `--{name}` as a port number; exits with status 2 when it is not one. */
function port(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`--${name} must be an integer between 0 and 65535, got "${raw}"\n`);
    process.exit(2);
  }
  return n;
}

const site = await startSnapshotSite({
  port: port('port', values.port),
  arxivPort: port('arxiv-port', values['arxiv-port']),
  ...(values.host === undefined ? {} : { host: values.host }),
  ...(values.days === undefined ? {} : { days: values.days.split(',').map((d) => d.trim()) }),
});
process.stdout.write(
  `HF snapshot site on ${site.url} (days ${site.days.join(', ')}), arXiv stand-in on ${site.arxivBaseUrl}\n` +
    `HF_BASE_URL=${site.url}\nARXIV_BASE_URL=${site.arxivBaseUrl}\nARXIV_API_URL=${site.arxivApiUrl}\n`,
);
const stop = (): void => {
  void site.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
