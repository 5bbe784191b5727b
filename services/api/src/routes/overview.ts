import { createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Overview } from '../overview.js';
import { renderOverviewPage } from '../views/overview-page.js';
import { OVERVIEW_SCRIPT } from '../views/overview-script.js';

const sha = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

/** Only this page's own inline script and style may run; data is fetched from this origin. */
const CSP = [
  "default-src 'none'",
  "connect-src 'self'",
  "img-src 'self' data:",
  `script-src ${sha(OVERVIEW_SCRIPT)}`,
  // Bar heights and widths are inline style attributes: styles may be inline, scripts may not.
  "style-src 'unsafe-inline'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** `GET /` (the overview page) and `GET /api/overview` (the same as JSON). */
export const overviewRoutes: FastifyPluginAsync<{ overview: () => Promise<Overview> }> = async (
  app,
  { overview },
) => {
  app.get('/api/overview', async (_req, reply) => {
    return reply.header('cache-control', 'no-store').send(await overview());
  });

  app.get('/', async (_req, reply) => {
    const html = renderOverviewPage(await overview());
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-security-policy', CSP)
      .send(html);
  });
};
