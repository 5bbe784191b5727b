import { PermanentError } from '@paperline/contracts';
import { HttpPoster } from '@paperline/core/http';
import { WebhookCursors, listWebhooks, loadWebhooks, pingEndpoint } from '@paperline/ops';
import type { CliContext } from '../context.js';
import { printJson, table } from '../output.js';

/** `paperline webhooks list [--json]`: each endpoint, its cursor, lag in feed entries, parked batches and follower. */
export async function webhooksList(ctx: CliContext, opts: { json: boolean }): Promise<number> {
  const rows = await listWebhooks({
    endpoints: loadWebhooks(ctx.cfg.webhooks.file),
    cursors: new WebhookCursors(ctx.redis, ctx.cfg.queuePrefix),
    feed: ctx.feed,
    queue: ctx.deliverQueue,
  });
  if (opts.json) {
    printJson(rows);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write('no webhook endpoints (set PAPERLINE_WEBHOOKS to a config file)\n');
    return 0;
  }
  const shown = rows.map((r) => ({
    name: r.name,
    origin: r.origin,
    cursor: r.cursor ?? '(not started)',
    lag: r.lag === null ? '-' : r.lag >= 10_000 ? '10000+' : r.lag,
    parked: r.parked,
    follower: r.follower ?? '(none)',
  }));
  process.stdout.write(`${table(shown)}\n`);
  return 0;
}

/** `paperline webhooks test <name>`: a signed ping to one endpoint now; exit 0 on a 2xx answer, 1 otherwise. */
export async function webhooksTest(ctx: CliContext, name: string): Promise<number> {
  const ep = loadWebhooks(ctx.cfg.webhooks.file).find((e) => e.name === name);
  if (!ep) {
    throw new PermanentError(
      'INVALID_PAYLOAD',
      `webhooks test: no endpoint named '${name}' in PAPERLINE_WEBHOOKS`,
      {
        stage: 'cli',
      },
    );
  }
  const poster = new HttpPoster({ allowHosts: ctx.cfg.allowHosts, timeoutMs: ctx.cfg.webhooks.timeoutMs });
  try {
    const status = await pingEndpoint(ep, poster);
    process.stdout.write(`${name}: answered ${status}\n`);
    return status >= 200 && status < 300 ? 0 : 1;
  } finally {
    await poster.close();
  }
}
