import { afterAll } from 'vitest';
import { Redis } from 'ioredis';
import { Client } from '@elastic/elasticsearch';
import { ELASTICSEARCH_URL, REDIS_URL, cleanup, uniqueNames } from './env.js';

/**
 * The real Redis and Elasticsearch for one test file, under names of its own, and an `afterAll`
 * that removes what the file made there (its keys and indices) and closes both connections.
 */
export function servicesFor(tag: string): {
  names: ReturnType<typeof uniqueNames>;
  redis: Redis;
  es: Client;
} {
  const names = uniqueNames(tag);
  const redis = new Redis(REDIS_URL);
  const es = new Client({ node: ELASTICSEARCH_URL });
  afterAll(async () => {
    await cleanup(redis, es, names);
    redis.disconnect();
    await es.close();
  });
  return { names, redis, es };
}
