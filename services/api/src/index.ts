/** `@paperline/api`: the HTTP side (overview, search API, metrics, dashboard). Run `main.ts`. */
export { buildApp, BODY_LIMIT, type AppDeps } from './app.js';
export { loadApiOptions, exposureProblem, isLoopback, type ApiOptions } from './config.js';
export { credentialsMatch } from './auth.js';
export { collectOverview, perMinute, type Overview } from './overview.js';
export { createPromRegistry, type PromSources } from './prom.js';
export { OPENAPI } from './openapi.js';
