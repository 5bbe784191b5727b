import type { FastifyPluginAsync } from 'fastify';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { requireActionAuth, requireToken } from './auth.js';

/** Where the queue dashboard is mounted. */
export const DASHBOARD_PATH = '/dashboard';

export interface DashboardOptions {
  /** The queues shown from the start (the four stages). */
  queues: readonly Queue[];
  /** Called once with a function that adds a queue appearing later (e.g. `schedule`). */
  subscribe?: (add: (queue: Queue) => void) => void;
  /** With a token, the dashboard needs it and may act; without, it is read-only. */
  token?: string;
}

/**
 * bull-board for Paperline's queues at `/dashboard/`. When a token is set every dashboard request
 * needs it, and the board may retry, clean and remove jobs; without a token the board is
 * read-only and its state-changing routes answer 403.
 */
export const dashboardRoutes: FastifyPluginAsync<DashboardOptions> = async (app, opts) => {
  const readOnlyMode = !opts.token;
  const adapter = (q: Queue) => new BullMQAdapter(q, { readOnlyMode, allowRetries: !readOnlyMode });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  const board = createBullBoard({
    queues: opts.queues.map(adapter),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Paperline queues' } },
  });
  opts.subscribe?.((q) => board.addQueue(adapter(q)));

  app.addHook('onRequest', opts.token ? requireToken(opts.token) : requireActionAuth(undefined));
  await app.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
};
