import { stackUp } from '@paperline/stack';

/**
 * Once per test run: make sure Redis and Elasticsearch answer (starting local ones if needed).
 * Never per test.
 */
export default async function setup(): Promise<void> {
  const s = await stackUp({
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    elasticsearchUrl: process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200',
    log: (m) => process.stderr.write(`[stack] ${m}\n`),
  });
  if (!s.redis.up || !s.elasticsearch.up) throw new Error(`test stack not healthy: ${JSON.stringify(s)}`);
}
