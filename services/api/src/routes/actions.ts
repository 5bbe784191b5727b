import type { FastifyPluginAsync } from 'fastify';
import { DELIVER_QUEUE, ERROR_CODES, SCHEDULE_QUEUE, STAGES } from '@paperline/contracts';
import { requireActionAuth } from '../auth.js';

/** What the retry actions call. */
export interface ActionDeps {
  retryJob: (jobId: string) => Promise<{ jobId: string; stage: string } | null>;
  retryByCode: (code: string, stage?: string) => Promise<number>;
}

const CODES = new Set<string>([...ERROR_CODES, 'UNKNOWN']);
const QUEUES = new Set<string>([...STAGES, SCHEDULE_QUEUE, DELIVER_QUEUE]);

/**
 * State-changing actions, all behind the token (disabled when none is set):
 * `POST /api/failed/:jobId/retry` and `POST /api/failed/retry?code=…[&stage=…]`.
 */
export const actionRoutes: FastifyPluginAsync<ActionDeps & { token?: string }> = async (app, deps) => {
  app.addHook('onRequest', requireActionAuth(deps.token));

  app.post('/api/failed/retry', async (req, reply) => {
    const { code, stage } = req.query as { code?: unknown; stage?: unknown };
    if (typeof code !== 'string' || !CODES.has(code)) {
      return reply
        .code(400)
        .send({ error: 'bad_request', message: 'code: give an error code, e.g. HTTP_TIMEOUT' });
    }
    if (stage !== undefined && (typeof stage !== 'string' || !QUEUES.has(stage))) {
      return reply
        .code(400)
        .send({ error: 'bad_request', message: `stage: one of ${[...QUEUES].join(', ')}` });
    }
    const retried = await deps.retryByCode(code, stage);
    req.log.info({ code, stage, retried }, 'retried failed jobs');
    return { retried };
  });

  app.post('/api/failed/:jobId/retry', async (req, reply) => {
    const { jobId } = req.params as { jobId: string };
    const done = await deps.retryJob(jobId);
    if (!done) return reply.code(404).send({ error: 'not_found', message: `no failed job ${jobId}` });
    req.log.info(done, 'retried failed job');
    return { retried: 1, ...done };
  });
};
