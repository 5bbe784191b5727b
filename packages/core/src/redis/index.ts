/**
 * `@paperline/core/redis`: Redis as Paperline uses it.
 *
 * - `createRedis(url, role)`: a connection (workers wait for Redis, producers fail fast);
 *   `redactUrl` masks its password for messages; `unlinkMatching` removes a key family.
 * - `RedisKeys`: the one builder of every key Paperline writes, under a prefix.
 * - `LuaScript`: a script from `packages/core/lua/`, run by its SHA.
 *
 * The stores built on these (crawl books, paper cache, politeness, robots) are in `/pipeline`.
 */
export { createRedis, redactUrl, unlinkMatching } from './redis.js';
export { RedisKeys } from './keys.js';
export { LuaScript } from './scripts.js';
