import type { FastifyPluginAsync } from 'fastify';

/** Probes for readiness: each answers true when its service does, within a couple of seconds. */
export interface ReadinessChecks {
  redis: () => Promise<boolean>;
  elasticsearch: () => Promise<boolean>;
}

/** Resolves false when `check` throws or takes longer than `ms`. */
export async function within(check: () => Promise<boolean>, ms = 2500): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz` (the process is up) and `/readyz` (Redis and Elasticsearch answer). */
export const healthRoutes: FastifyPluginAsync<{ checks: ReadinessChecks }> = async (app, { checks }) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const [redis, elasticsearch] = await Promise.all([within(checks.redis), within(checks.elasticsearch)]);
    const failed = [...(redis ? [] : ['redis']), ...(elasticsearch ? [] : ['elasticsearch'])];
    return reply.code(failed.length ? 503 : 200).send({
      status: failed.length ? 'unavailable' : 'ready',
      checks: { redis: redis ? 'ok' : 'failed', elasticsearch: elasticsearch ? 'ok' : 'failed' },
      ...(failed.length ? { failed } : {}),
    });
  });
};
