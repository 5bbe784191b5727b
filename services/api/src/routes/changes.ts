import type { FastifyPluginAsync } from 'fastify';
import { isPaperlineError } from '@paperline/contracts';
import type { ChangesPage } from '@paperline/ops';

/** What the change-feed route calls (ops' `readChanges`, bound to the feed and the index). */
export interface ChangesDeps {
  changes: (query: { after?: string; limit?: number }) => Promise<ChangesPage>;
}

/** The HTTP answer to each typed error of a read of the feed. */
const ERROR_REPLIES: Record<string, { status: number; error: string }> = {
  FEED_CURSOR_INVALID: { status: 400, error: 'bad_request' },
  INVALID_PAYLOAD: { status: 400, error: 'bad_request' },
  FEED_CURSOR_EXPIRED: { status: 410, error: 'cursor_expired' },
};

/**
 * `GET /api/changes?after=<cursor>&limit=N`: the change feed after a cursor, oldest first, and the
 * cursor to read on from (docs/change-feed.md). Read-only, like search.
 */
export const changesRoutes: FastifyPluginAsync<ChangesDeps> = async (app, deps) => {
  app.get('/api/changes', async (req, reply) => {
    const { after, limit } = req.query as { after?: unknown; limit?: unknown };
    if (after !== undefined && typeof after !== 'string') {
      return reply.code(400).send({ error: 'bad_request', message: 'after: give one cursor' });
    }
    try {
      return await deps.changes({
        ...(after !== undefined ? { after } : {}),
        // The rule (a whole number, 1 to 1000) is ops' own: anything else comes back typed.
        ...(limit !== undefined
          ? { limit: /^\d{1,6}$/.test(String(limit)) ? Number(limit) : Number.NaN }
          : {}),
      });
    } catch (err) {
      const known = isPaperlineError(err) ? ERROR_REPLIES[err.code] : undefined;
      if (!known) throw err;
      return reply.code(known.status).send({ error: known.error, message: (err as Error).message });
    }
  });
};
