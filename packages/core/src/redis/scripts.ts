import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from './redis.js';

/**
 * Paperline's Lua scripts, one per file, each with its KEYS and ARGV described at its top. The
 * directory is `packages/core/lua/`, found relative to this module: this file sits two levels below
 * the package root both as source (`src/redis/scripts.ts`, run by tsx) and compiled
 * (`dist/redis/scripts.js`), so `../../lua/` is the same directory from either.
 */
const LUA_DIR = new URL('../../lua/', import.meta.url);

/** A Lua script run by its SHA, loaded into Redis on first use (and again after a Redis restart). */
export class LuaScript {
  readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** The script `packages/core/lua/<name>.lua`, read once, when this is called (at module load). */
  static file(name: string): LuaScript {
    const url = new URL(`${name}.lua`, LUA_DIR);
    try {
      return new LuaScript(readFileSync(url, 'utf8'));
    } catch (err) {
      throw new Error(
        `Lua script '${name}' could not be read from ${fileURLToPath(url)}: packages/core/lua/ must be shipped beside the package's src/ or dist/ (${String(err)})`,
        { cause: err },
      );
    }
  }

  async run(redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT')) {
        return redis.eval(this.source, keys.length, ...keys, ...args);
      }
      throw err;
    }
  }
}
