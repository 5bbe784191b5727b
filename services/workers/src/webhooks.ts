import type { Runtime } from '@paperline/core/pipeline';
import { loadWebhooks, startWebhookService } from '@paperline/ops';

/**
 * The `webhooks` worker kind: the endpoints of `PAPERLINE_WEBHOOKS` (checked at start-up, a bad
 * file is CONFIG_INVALID), each followed under a lease and delivered through the `deliver` queue.
 * With no file configured it starts nothing.
 */
export async function startWebhooks(rt: Runtime): Promise<{ stop(): Promise<void> }> {
  const { cfg, log } = rt;
  const endpoints = loadWebhooks(cfg.webhooks.file);
  if (endpoints.length === 0) {
    log.info('no webhook endpoints configured (PAPERLINE_WEBHOOKS): webhook deliverer not started');
    return { stop: async () => undefined };
  }
  return startWebhookService({
    redis: rt.redis,
    papers: rt.es,
    alias: cfg.index,
    prefix: cfg.queuePrefix,
    feedMaxEntries: cfg.feedMaxEntries,
    endpoints,
    delivery: { ...cfg.webhooks, allowHosts: cfg.allowHosts },
    failedRetentionSeconds: cfg.failedRetentionSeconds,
    log,
  });
}
