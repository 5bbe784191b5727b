import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
} from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Queue } from 'bullmq';
import type { Registry } from 'prom-client';
import type { Logger } from '@paperline/core/process';
import type { ApiOptions } from './config.js';
import type { Overview } from './overview.js';
import { issueSession, requireToken } from './auth.js';
import { OPENAPI } from './openapi.js';
import { DASHBOARD_PATH, dashboardRoutes } from './dashboard.js';
import { healthRoutes, type ReadinessChecks } from './routes/health.js';
import { searchRoutes, type SearchDeps } from './routes/search.js';
import { overviewRoutes } from './routes/overview.js';
import { metricsRoutes } from './routes/metrics.js';
import { actionRoutes, type ActionDeps } from './routes/actions.js';
import { changesRoutes, type ChangesDeps } from './routes/changes.js';

/** Largest request body accepted (bytes). */
export const BODY_LIMIT = 64 * 1024;

/** Everything the HTTP app needs, each as narrow as its routes use it; `main.ts` wires the real ones. */
export interface AppDeps extends SearchDeps, ChangesDeps {
  options: Pick<ApiOptions, 'token' | 'protectAll' | 'rateLimitPerMinute'>;
  /** The process's root logger; none in tests. */
  log?: Logger;
  checks: ReadinessChecks;
  overview: () => Promise<Overview>;
  metrics: Registry;
  actions: ActionDeps;
  dashboard: {
    queues: readonly Queue[];
    /** Called once with a function adding a queue that appears later (e.g. `schedule`). */
    subscribe?: (add: (queue: Queue) => void) => void;
  };
}

/** True for errors meaning a backing service did not answer (mapped to 503). */
function isUnavailable(err: FastifyError): boolean {
  return [
    'ConnectionError',
    'TimeoutError',
    'NoLivingConnectionsError',
    'MaxRetriesPerRequestError',
  ].includes(err.name);
}

/**
 * Builds the HTTP app: the overview page and JSON, the search API, the change feed, `/metrics`,
 * health probes, the queue dashboard and the retry actions. Search, the change feed, metrics,
 * health and OpenAPI are public unless `protectAll`; the overview (it shows failing URLs and their
 * messages) and the dashboard need the token whenever one is set; state-changing requests need it
 * as a Bearer header (or, from the dashboard's own page, its session cookie) and are disabled
 * without one. Not listening yet: call `listen`, or `inject` in tests.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const { token, protectAll, rateLimitPerMinute } = deps.options;
  const logger: FastifyBaseLogger | undefined = deps.log;
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    // Per-request lines come from the onResponse hook below (debug, or warn on 5xx).
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 300 },
  });

  app.addHook('onResponse', async (req, reply) => {
    const level = reply.statusCode >= 500 ? 'warn' : 'debug';
    req.log[level](
      { method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.statusCode === 413)
      return reply.code(413).send({ error: 'payload_too_large', message: `body over ${BODY_LIMIT} bytes` });
    if (err.statusCode === 429) return reply.code(429).send({ error: 'rate_limited', message: err.message });
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: 'bad_request', message: err.message });
    }
    if (isUnavailable(err)) {
      req.log.warn({ err: err.message }, 'backing service unavailable');
      return reply
        .code(503)
        .send({ error: 'unavailable', message: 'Redis or Elasticsearch did not answer; try again' });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error' });
  });
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not_found' }));

  if (rateLimitPerMinute > 0) {
    void app.register(rateLimit, {
      global: true,
      max: rateLimitPerMinute,
      timeWindow: '1 minute',
      allowList: (req) => req.url === '/healthz' || req.url === '/readyz',
    });
  }

  // Read-only endpoints, behind the token only with PAPERLINE_API_PROTECT_ALL=1.
  const readOnly: FastifyPluginAsync = async (scope) => {
    if (protectAll && token) scope.addHook('onRequest', requireToken(token));
    await scope.register(healthRoutes, { checks: deps.checks });
    await scope.register(searchRoutes, {
      search: deps.search,
      getPaper: deps.getPaper,
      similar: deps.similar,
    });
    await scope.register(changesRoutes, { changes: deps.changes });
    await scope.register(metricsRoutes, { registry: deps.metrics });
    scope.get('/openapi.json', async () => OPENAPI);
  };
  // The overview names failing URLs and their error messages: behind the token like the dashboard.
  const overview: FastifyPluginAsync = async (scope) => {
    if (token) scope.addHook('onRequest', requireToken(token));
    await scope.register(overviewRoutes, { overview: deps.overview });
  };
  // A browser logged into the dashboard gets the session its own buttons act with.
  const dashboard: FastifyPluginAsync = async (scope) => {
    if (token) scope.addHook('onSend', issueSession(token, DASHBOARD_PATH));
    await scope.register(dashboardRoutes, { ...deps.dashboard, ...(token ? { token } : {}) });
  };
  void app.register(readOnly);
  void app.register(overview);
  void app.register(actionRoutes, { ...deps.actions, ...(token ? { token } : {}) });
  void app.register(dashboard);
  return app;
}
