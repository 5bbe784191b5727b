import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { RedisKeys, unlinkMatching, type RedisClient } from '@paperline/core/redis';
import type { Client } from '@elastic/elasticsearch';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const ELASTICSEARCH_URL = process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';

/** A unique queue prefix and index/archive names for one test file, so files never share state. */
export function uniqueNames(tag: string): { prefix: string; index: string; archive: string } {
  const id = `${tag}-${randomBytes(3).toString('hex')}`.toLowerCase();
  return { prefix: `t-${id}`, index: `t-${id}-papers`, archive: `t-${id}-pages` };
}

/** Environment for processes under test (workers, CLI) pointing at the real services. */
export function testEnv(
  names: { prefix: string; index: string; archive: string },
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    REDIS_URL,
    ELASTICSEARCH_URL,
    PAPERLINE_QUEUE_PREFIX: names.prefix,
    PAPERLINE_INDEX: names.index,
    PAPERLINE_ARCHIVE_INDEX: names.archive,
    PAPERLINE_HOST_INTERVAL_MS: '0',
    PAPERLINE_LOG_LEVEL: 'warn',
    PAPERLINE_SCHEDULES_FILE: fileURLToPath(new URL('../fixtures/no-schedules.json', import.meta.url)),
    PAPERLINE_ENRICH: '0',
    // Embeddings are tested where they matter (crawl and API e2e, the embed and relevance
    // integration tests); elsewhere worker groups run without an embedder.
    PAPERLINE_EMBED: '0',
    ...extra,
  };
}

/** Removes everything a test file created in Redis and Elasticsearch. */
export async function cleanup(
  redis: RedisClient,
  es: Client,
  names: { prefix: string; index: string; archive: string },
): Promise<void> {
  await unlinkMatching(redis, new RedisKeys(names.prefix).everything);
  // Wildcard deletes are refused (action.destructive_requires_name): resolve names first.
  const found = await es.indices
    .get({
      index: [`${names.index}-v*`, names.archive, `${names.archive}-urls`],
      ignore_unavailable: true,
      allow_no_indices: true,
    })
    .catch(() => ({}));
  const indices = Object.keys(found);
  if (indices.length) await es.indices.delete({ index: indices, ignore_unavailable: true });
  await es.indices.deleteIndexTemplate({ name: `${names.index}-template` }).catch(() => undefined);
  await es.indices.deleteIndexTemplate({ name: `${names.archive}-template` }).catch(() => undefined);
}
