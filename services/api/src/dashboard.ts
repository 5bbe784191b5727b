import type { FastifyPluginAsync } from 'fastify';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { requireActionAuth, requireToken } from './auth.js';

/** Where the queue dashboard is mounted. */
export const DASHBOARD_PATH = '/dashboard';

/** A `<link>` to another origin (bull-board's page links a Google Fonts stylesheet). */
const REMOTE_LINK = /<link\b[^>]*\bhref="(?:https?:)?\/\/[^"]*"[^>]*>\s*/gi;

/**
 * bull-board's page without its links to other origins: an operator's browser loads only what
 * this server serves. Its stylesheet falls back to system fonts (`system-ui`, `ui-monospace`).
 */
function withoutRemoteLinks(html: string): string {
  return html.replace(REMOTE_LINK, '');
}

export interface DashboardOptions {
  /** The queues shown from the start (the four stages). */
  queues: readonly Queue[];
  /** Called once with a function that adds a queue appearing later (e.g. `schedule`). */
  subscribe?: (add: (queue: Queue) => void) => void;
  /** With a token, the dashboard needs it and may act; without, it is read-only. */
  token?: string;
}

/**
 * bull-board for Paperline's queues at `/dashboard/`, served with local assets only. When a token
 * is set every dashboard request needs it, and the board may retry, clean and remove jobs;
 * without a token the board is read-only and its state-changing routes answer 403.
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
  app.addHook('onSend', async (_request, reply, payload) =>
    typeof payload === 'string' && String(reply.getHeader('content-type')).startsWith('text/html')
      ? withoutRemoteLinks(payload)
      : payload,
  );
  await app.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
};
