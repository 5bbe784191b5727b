import { isPaperlineError } from '@paperline/contracts';
import { loadConfig } from '@paperline/core/config';
import { createLogger, installShutdown } from '@paperline/core/process';
import { createRedis, redactUrl } from '@paperline/core/redis';
import { createEsClient } from '@paperline/core/es';
import { CrawlStore, closeQueues, createQueues } from '@paperline/core/pipeline';
import { Embedder } from '@paperline/embeddings';
import { buildApp } from './app.js';
import { loadApiOptions, type ApiOptions } from './config.js';
import { QueueSet } from './queue-set.js';
import { createAppDeps } from './sources.js';

let options: ApiOptions;
let cfg: ReturnType<typeof loadConfig>;
try {
  cfg = loadConfig();
  options = loadApiOptions();
} catch (err) {
  const code = isPaperlineError(err) ? err.code : 'CONFIG_INVALID';
  process.stderr.write(`error [${code}]: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}

const log = createLogger({ level: cfg.logLevel, name: 'api' });
// A server keeps reconnecting to Redis, but lets a command fail (readyz → 503) while it is away.
const redis = createRedis(cfg, 'server');
redis.on('error', (err) =>
  log.warn({ err: err.message, redis: redactUrl(cfg.redisUrl) }, 'redis connection error'),
);
const es = createEsClient(cfg.elasticsearch, { requestTimeoutMs: 10_000 });
const queues = createQueues(redis, cfg.queuePrefix, cfg);
const crawls = new CrawlStore(redis, cfg.queuePrefix, { failureTtlSeconds: cfg.failedRetentionSeconds });
const queueSet = new QueueSet(queues, redis, cfg.queuePrefix);
await queueSet.start();

// The model embeds queries (semantic and hybrid search, similar papers), loaded once.
const embedder = await Embedder.load({ threads: 1 }).catch((err: unknown) => {
  log.warn(
    { err: err instanceof Error ? err.message : String(err) },
    'no embedding model: keyword search only',
  );
  return err instanceof Error ? err : new Error(String(err));
});
const app = buildApp(
  createAppDeps(
    {
      redis,
      es,
      queues,
      queueSet,
      crawls,
      embedder:
        embedder instanceof Embedder
          ? { embed: async (text) => (await embedder.embed([text]))[0]! }
          : { error: embedder },
    },
    cfg,
    options,
    log,
  ),
);
const address = await app.listen({ port: options.port, host: options.host });
log.info(
  { address, prefix: cfg.queuePrefix, index: cfg.index, auth: Boolean(options.token) },
  'api listening',
);
process.stderr.write(
  `serve: listening on ${address} (overview /, dashboard /dashboard/, metrics /metrics)\n`,
);

installShutdown(log, async () => {
  await app.close();
  await queueSet.close();
  await closeQueues(queues);
  await es.close();
  if (embedder instanceof Embedder) await embedder.close();
  redis.disconnect();
});
