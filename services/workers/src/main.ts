/**
 * The worker runtime's entry point: `main.ts <kind>[,<kind>…]` runs those stages (and/or the
 * scheduler, the webhook deliverer) in this process until SIGINT/SIGTERM, then stops taking jobs, lets active ones
 * finish, releases each stage's resources (e.g. the indexer flushes) and closes the clients.
 * `paperline workers` forks one such process per kind; docker-compose runs one per service.
 */
import { parseServiceKinds } from '@paperline/contracts';
import { installShutdown } from '@paperline/core/process';
import { createRuntime, startStages, type AnyStageDefinition } from '@paperline/core/pipeline';
import { startScheduler } from '@paperline/scheduler';
import { stageRegistry } from './registry.js';
import { startWebhooks } from './webhooks.js';

const kinds = parseServiceKinds(process.argv[2]);
const registry = stageRegistry();
const rt = createRuntime(kinds.join('+'));
const running: Array<{ stop(): Promise<void> }> = [];
const stages: AnyStageDefinition[] = [];
for (const kind of kinds) {
  if (kind === 'scheduler') running.push(await startScheduler(rt));
  if (kind === 'webhooks') running.push(await startWebhooks(rt));
  for (const def of registry.values()) {
    if (def.worker !== kind) continue;
    if (def.enabled?.(rt.cfg) ?? true) stages.push(def);
    else rt.log.info({ queue: def.queue }, 'stage turned off by configuration: not started');
  }
}
running.push(...(await startStages(rt, stages)));
installShutdown(rt.log, async () => {
  await Promise.all(running.map((r) => r.stop()));
  await rt.close();
});
