/**
 * `@paperline/core/redis`: Redis as Paperline uses it.
 *
 * - `createRedis(target, role)`: the one factory of connections — a single server, a Redis
 *   Cluster or Sentinel's primary (`RedisClient`); workers wait for Redis, the API fails a
 *   command soon, producers fail fast. `redactUrl` masks a password for messages;
 *   `unlinkMatching` removes a key family (every primary of a cluster scanned).
 * - `RedisKeys`: the one builder of every key Paperline writes, under a prefix, with the hash
 *   tags that keep each script's keys in one slot.
 * - `groupBySlot`, `pipelinePerKey`, `slotOf`: many keys touched at once, split by slot on a
 *   cluster.
 * - `LuaScript`: a script from `packages/core/lua/`, run by its SHA.
 *
 * The stores built on these (crawl books, paper cache, politeness, robots) are in `/pipeline`.
 */
export {
  createRedis,
  isCluster,
  redactUrl,
  unlinkMatching,
  type RedisClient,
  type RedisRole,
  type RedisTarget,
} from './redis.js';
export { groupBySlot, pipelinePerKey, slotOf } from './slots.js';
export { RedisKeys } from './keys.js';
export { LuaScript } from './scripts.js';
