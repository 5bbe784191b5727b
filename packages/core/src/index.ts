/**
 * `@paperline/core` is imported by concern, each from its own entry point, whose index.ts
 * documents its surface:
 *
 * - `@paperline/core/config`: `loadConfig`, the configuration; `readSecret`.
 * - `@paperline/core/process`: the redacting logger, graceful shutdown, worker Node flags.
 * - `@paperline/core/http`: the hardened HTTP client.
 * - `@paperline/core/redis`: connections, `RedisKeys`, `LuaScript`.
 * - `@paperline/core/es`: the Elasticsearch client, indices, raw archive, papers, reindexing.
 * - `@paperline/core/es/reader` and `@paperline/core/es/search`: reading and searching papers
 *   without loading the Elasticsearch client (the CLI's quick `search` and `get`).
 * - `@paperline/core/metrics`: the metric catalog, recording helpers, reading and folding.
 * - `@paperline/core/pipeline`: stages, the runner and runtime, queues, crawls, schedules, and the
 *   stores stages share through Redis (politeness, robots, paper cache).
 *
 * This root exports nothing, so that each import names the concern it depends on and loads only
 * that (the Elasticsearch client alone takes about 0.45 s to load).
 */
export {};
