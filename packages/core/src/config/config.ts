import { z } from 'zod';
import { PaperlineError } from '@paperline/contracts';
import { normalizeAllowHosts } from '../http/guard.js';
import { SECRET_VARS, readSecret } from './secrets.js';
import { resolveTopology, type RedisTopology } from './redis-topology.js';

const url = (name: string) =>
  z.string().refine((v) => URL.canParse(v), { message: `${name} must be an absolute URL` });

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Environment variables Paperline reads, with their defaults (docs/operations.md#configuration). */
export const EnvSchema = z.object({
  REDIS_URL: url('REDIS_URL').default('redis://127.0.0.1:6379'),
  /** Put into REDIS_URL for every connection; REDIS_URL may carry it itself instead. */
  REDIS_PASSWORD: z.string().optional(),
  /** Redis Cluster: `host:port,…` of some of its nodes (REDIS_URL then gives credentials and TLS). */
  REDIS_CLUSTER_NODES: z.string().optional(),
  /** Sentinel: `host:port,…` of the sentinels, with REDIS_SENTINEL_NAME, the monitored primary. */
  REDIS_SENTINELS: z.string().optional(),
  REDIS_SENTINEL_NAME: z.string().optional(),
  /** The sentinels' own password, when they require one (REDIS_PASSWORD is the primary's). */
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  /** One node, or several separated by commas: requests go round them and pass a node that is down. */
  ELASTICSEARCH_URL: z
    .string()
    .default('http://127.0.0.1:9200')
    .transform((v) => v.split(',').map((u) => u.trim()))
    .refine((nodes) => nodes.every((u) => URL.canParse(u)), {
      message: 'ELASTICSEARCH_URL must be an absolute URL, or several separated by commas',
    }),
  /** Primary shards of a new papers or archive index (a reindex applies a change). */
  PAPERLINE_INDEX_SHARDS: int(1, 1024).optional(),
  /**
   * Replicas of the papers and archive indices: a number, or a range Elasticsearch keeps to as
   * nodes come and go (`0-1`: one replica as soon as a second data node joins).
   */
  PAPERLINE_INDEX_REPLICAS: z
    .string()
    .regex(/^\d+(-(\d+|all))?$/, 'PAPERLINE_INDEX_REPLICAS must be a number or a range such as 0-1 or 0-all')
    .default('0-1'),
  ELASTICSEARCH_API_KEY: z.string().optional(),
  ELASTICSEARCH_USERNAME: z.string().optional(),
  ELASTICSEARCH_PASSWORD: z.string().optional(),
  ELASTICSEARCH_CA_FILE: z.string().optional(),
  PAPERLINE_INDEX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'PAPERLINE_INDEX must be a lowercase index name')
    .default('papers'),
  PAPERLINE_ARCHIVE_INDEX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'PAPERLINE_ARCHIVE_INDEX must be a lowercase index name')
    .default('paperline-pages'),
  PAPERLINE_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_{}:-]+$/, 'PAPERLINE_QUEUE_PREFIX may hold letters, digits, _ - : { }')
    .default('paperline'),
  HF_BASE_URL: url('HF_BASE_URL').default('https://huggingface.co'),
  ARXIV_BASE_URL: url('ARXIV_BASE_URL').default('https://arxiv.org'),
  ARXIV_API_URL: url('ARXIV_API_URL').default('https://export.arxiv.org/api/query'),
  ARXIV_OAI_URL: url('ARXIV_OAI_URL').default('https://oaipmh.arxiv.org/oai'),
  PAPERLINE_ALLOW_HOSTS: z.string().default(''),
  PAPERLINE_USER_AGENT: z
    .string()
    .min(1)
    .default('Paperline/0.1 (+https://github.com/paperline/paperline; mailto:paperline@example.org)'),
  PAPERLINE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Minimum gap between two requests to one host, shared by all fetchers. */
  PAPERLINE_HOST_INTERVAL_MS: int(0, 600_000).default(1000),
  /** arXiv asks for one request per 3 s. */
  PAPERLINE_ARXIV_INTERVAL_MS: int(0, 600_000).default(3000),
  PAPERLINE_FETCH_ATTEMPTS: int(1, 50).default(4),
  /**
   * Fetcher HTTP limits (docs/operations.md#fetching): connect, first byte, idle gap in the body,
   * whole fetch.
   */
  PAPERLINE_FETCH_CONNECT_TIMEOUT_MS: int(100, 600_000).default(10_000),
  PAPERLINE_FETCH_HEADERS_TIMEOUT_MS: int(100, 600_000).default(15_000),
  PAPERLINE_FETCH_BODY_TIMEOUT_MS: int(100, 600_000).default(15_000),
  PAPERLINE_FETCH_TOTAL_TIMEOUT_MS: int(100, 3_600_000).default(45_000),
  /** Largest response body, enforced while streaming. */
  PAPERLINE_FETCH_MAX_BYTES: int(1024, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
  PAPERLINE_FETCH_MAX_REDIRECTS: int(0, 50).default(5),
  PAPERLINE_FETCH_CONCURRENCY: int(1, 512).default(8),
  PAPERLINE_PARSE_CONCURRENCY: int(1, 512).default(8),
  /** 16: the deduplicator's jobs each hold a page's candidates and records; 32 cost RSS, not speed. */
  PAPERLINE_DEDUPE_CONCURRENCY: int(1, 512).default(16),
  /** 16, as for dedupe: each index job holds a page's documents until its bulk request is answered. */
  PAPERLINE_INDEX_CONCURRENCY: int(1, 512).default(16),
  /**
   * Embed jobs one embedder process runs at once; their texts share the model through one batcher
   * (one inference at a time, each using two threads), so jobs wait on Redis and Elasticsearch
   * while another's text is embedded.
   */
  PAPERLINE_EMBED_CONCURRENCY: int(1, 64).default(1),
  /**
   * Texts of concurrent embed jobs one inference takes at most (a batch also leaves after a short
   * wait); above 1 the model quantizes each text of a batch on its own, so vectors do not depend
   * on the batch. 1 by default: on the 2-core reference machine batches cost more CPU per paper
   * than one text at a time (bench/README.md, `--embed`).
   */
  PAPERLINE_EMBED_BATCH: int(1, 256).default(1),
  /** Documents per bulk request; a flush also happens after PAPERLINE_BULK_WAIT_MS. */
  PAPERLINE_BULK_SIZE: int(1, 10_000).default(1000),
  PAPERLINE_BULK_WAIT_MS: int(0, 60_000).default(250),
  /**
   * While any indexer writes faster than this many documents a second (a backfill, a reprocess),
   * the index refreshes every PAPERLINE_BACKFILL_REFRESH_INTERVAL instead of its template's 1 s;
   * the normal interval and a refresh come back as soon as every indexer's writes stop. 0 turns
   * this off.
   */
  PAPERLINE_BACKFILL_DOCS_PER_SEC: int(0, 10_000_000).default(1000),
  /**
   * Jobs waiting across the stage queues at or above which the indexer's writes count as a
   * backfill whatever their rate (a crawl of thousands of pages is paced by fetching). 0: off.
   */
  PAPERLINE_BACKFILL_BACKLOG: int(0, 10_000_000).default(1000),
  PAPERLINE_BACKFILL_REFRESH_INTERVAL: z
    .string()
    .regex(/^\d+(ms|s|m)$/, 'an Elasticsearch time value such as 10s')
    .default('10s'),
  /**
   * How long one run of a job of each stage may take before it fails with JOB_TIMEOUT (and is
   * retried). Unset for fetch: the fetch stage derives it from the HTTP timeouts.
   */
  PAPERLINE_FETCH_JOB_TIMEOUT_MS: int(1000, 3_600_000).optional(),
  PAPERLINE_PARSE_JOB_TIMEOUT_MS: int(1000, 3_600_000).default(30_000),
  PAPERLINE_DEDUPE_JOB_TIMEOUT_MS: int(1000, 3_600_000).default(60_000),
  PAPERLINE_INDEX_JOB_TIMEOUT_MS: int(1000, 3_600_000).default(120_000),
  PAPERLINE_EMBED_JOB_TIMEOUT_MS: int(1000, 3_600_000).default(60_000),
  /** Maximum waiting jobs in a stage before its producers pause (backpressure). */
  PAPERLINE_MAX_BACKLOG: int(10, 10_000_000).default(2000),
  /** A job whose worker died is taken over after about this long (BullMQ lock duration). */
  PAPERLINE_LOCK_MS: int(1000, 600_000).default(30_000),
  PAPERLINE_FAILED_RETENTION_DAYS: int(1, 365).default(14),
  /** The change feed keeps about this many entries; a consumer further behind starts from an export. */
  PAPERLINE_FEED_MAX_ENTRIES: int(1000, 1_000_000_000).default(1_000_000),
  /** Where schedules are kept (JSON); a missing file means the default schedules. */
  PAPERLINE_SCHEDULES_FILE: z.string().min(1).default('paperline.schedules.json'),
  /** The webhooks config file (JSON, docs/webhooks.md); unset: no webhooks. */
  PAPERLINE_WEBHOOKS: z.string().default(''),
  /** Attempts of one webhook batch delivery before it is parked as a failed `deliver` job. */
  PAPERLINE_WEBHOOK_ATTEMPTS: int(1, 100).default(8),
  /** The first retry's delay (doubling, with jitter) of a failed webhook delivery. */
  PAPERLINE_WEBHOOK_BACKOFF_MS: int(1, 3_600_000).default(5000),
  /** How long one webhook POST may take (connect, headers and body) before it counts as failed. */
  PAPERLINE_WEBHOOK_TIMEOUT_MS: int(50, 600_000).default(10_000),
  /** Look up each new paper's arXiv record through the export API (id_list batches). */
  PAPERLINE_ENRICH: z
    .enum(['0', '1', 'true', 'false'])
    .default('1')
    .transform((v) => v === '1' || v === 'true'),
  /**
   * Compute each paper's sentence embedding (the embed stage) when its title or abstract changed;
   * 0 turns the stage off (no embed jobs, no model loaded).
   */
  PAPERLINE_EMBED: z
    .enum(['0', '1', 'true', 'false'])
    .default('1')
    .transform((v) => v === '1' || v === 'true'),
  /**
   * Where one process runs consecutive stages (fetch → parse → dedupe → index), a job runs the
   * stage after it in place instead of through its queue (stage chaining); 0 queues every job.
   */
  PAPERLINE_CHAIN_STAGES: z
    .enum(['0', '1', 'true', 'false'])
    .default('1')
    .transform((v) => v === '1' || v === 'true'),
});

type Env = z.infer<typeof EnvSchema>;

/** How the papers and archive indices spread over an Elasticsearch cluster. */
export interface IndexLayout {
  /** Primary shards of a new index; the template's own (1) when unset. */
  shards?: number;
  /** A replica count (`1`) or a range Elasticsearch follows as nodes join and leave (`0-1`). */
  replicas: string;
}

/** Configuration shared by every Paperline process. */
export interface PaperlineConfig {
  /** REDIS_URL, with REDIS_PASSWORD put in when that is set: a secret, never logged. */
  redisUrl: string;
  /** Standalone (REDIS_URL), Redis Cluster (REDIS_CLUSTER_NODES) or Sentinel (REDIS_SENTINELS). */
  redisTopology: RedisTopology;
  elasticsearch: {
    /** The nodes to send requests to (`ELASTICSEARCH_URL`, comma-separated). */
    nodes: string[];
    apiKey?: string;
    username?: string;
    password?: string;
    caFile?: string;
  };
  /** Shards and replicas of the papers and archive indices. */
  indexLayout: IndexLayout;
  index: string;
  archiveIndex: string;
  queuePrefix: string;
  bases: { hfBaseUrl: string; arxivBaseUrl: string; arxivApiUrl: string; oaiBaseUrl: string };
  /** Where private addresses may be reached (`scheme://host:port`): the base URLs and PAPERLINE_ALLOW_HOSTS. */
  allowHosts: string[];
  userAgent: string;
  logLevel: Env['PAPERLINE_LOG_LEVEL'];
  hostIntervalMs: number;
  arxivIntervalMs: number;
  fetchAttempts: number;
  /** Limits of the fetcher's HTTP client (see `HttpClientOptions`). */
  fetch: {
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    totalTimeoutMs: number;
    maxBodyBytes: number;
    maxRedirects: number;
  };
  concurrency: { fetch: number; parse: number; dedupe: number; index: number; embed: number };
  /** Time limit of one run of a job, per stage; fetch's, when unset, is the fetch stage's own default. */
  jobTimeoutMs: { fetch?: number; parse: number; dedupe: number; index: number; embed: number };
  bulk: { size: number; waitMs: number };
  /** Texts one inference of the embedder takes at most. */
  embedBatch: number;
  backfill: { docsPerSecond: number; backlog: number; refreshInterval: string };
  maxBacklog: number;
  failedRetentionSeconds: number;
  /** The change feed's length (about): `ChangeFeed`'s `maxEntries`. */
  feedMaxEntries: number;
  lockMs: number;
  schedulesFile: string;
  /** Webhook delivery: the endpoints' config file ('' for none), attempts, backoff and timeout. */
  webhooks: { file: string; attempts: number; backoffMs: number; timeoutMs: number };
  enrich: boolean;
  /** Whether a process that runs consecutive stages chains them (see `LocalStages`). */
  chainStages: boolean;
  /** Whether papers get sentence embeddings (the embed stage runs). */
  embed: boolean;
}

const configError = (message: string) =>
  new PaperlineError('CONFIG_INVALID', message, 'permanent', { stage: 'config' });

/** Secrets that may come from a file named by `NAME_FILE` (Docker/K8s secrets) instead of `NAME`. */
export const FILE_SECRETS = SECRET_VARS;

/** `NAME_FILE` variables point at files holding secrets; `NAME` itself wins when both are set. */
function resolveFileSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of SECRET_VARS) {
    try {
      const value = readSecret(env, name);
      if (value !== undefined) out[name] = value;
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? String(err);
      throw configError(`${name}_FILE: cannot read ${env[`${name}_FILE`]} (${why})`);
    }
  }
  return out;
}

/**
 * REDIS_URL with REDIS_PASSWORD put in, so that every connection made from the URL (workers,
 * CLI, API, the local stack) authenticates. A URL that carries another password is refused.
 */
function redisUrlWithPassword(redisUrl: string, password: string | undefined): string {
  if (!password) return redisUrl;
  const u = new URL(redisUrl);
  if (u.password && decodeURIComponent(u.password) !== password) {
    throw configError('REDIS_URL carries a password and REDIS_PASSWORD(_FILE) another: give only one');
  }
  u.password = encodeURIComponent(password);
  return u.href;
}

const stripSlash = (u: string) => u.replace(/\/+$/, '');

/**
 * Parses the environment once, at start-up. Throws a PaperlineError (CONFIG_INVALID) naming
 * every bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PaperlineConfig {
  const parsed = EnvSchema.safeParse(resolveFileSecrets(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw configError(`invalid environment:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  let redisTopology: RedisTopology;
  try {
    redisTopology = resolveTopology(e);
  } catch (err) {
    throw configError((err as Error).message);
  }
  const bases = {
    hfBaseUrl: stripSlash(e.HF_BASE_URL),
    arxivBaseUrl: stripSlash(e.ARXIV_BASE_URL),
    arxivApiUrl: e.ARXIV_API_URL,
    oaiBaseUrl: e.ARXIV_OAI_URL,
  };

  // A base URL lets private addresses be reached at its own scheme, host and port only.
  const allowHosts = normalizeAllowHosts([...Object.values(bases), ...e.PAPERLINE_ALLOW_HOSTS.split(',')]);
  return {
    redisUrl: redisUrlWithPassword(e.REDIS_URL, e.REDIS_PASSWORD),
    redisTopology,
    elasticsearch: {
      nodes: e.ELASTICSEARCH_URL,
      ...(e.ELASTICSEARCH_API_KEY ? { apiKey: e.ELASTICSEARCH_API_KEY } : {}),
      ...(e.ELASTICSEARCH_USERNAME ? { username: e.ELASTICSEARCH_USERNAME } : {}),
      ...(e.ELASTICSEARCH_PASSWORD ? { password: e.ELASTICSEARCH_PASSWORD } : {}),
      ...(e.ELASTICSEARCH_CA_FILE ? { caFile: e.ELASTICSEARCH_CA_FILE } : {}),
    },
    indexLayout: {
      ...(e.PAPERLINE_INDEX_SHARDS === undefined ? {} : { shards: e.PAPERLINE_INDEX_SHARDS }),
      replicas: e.PAPERLINE_INDEX_REPLICAS,
    },
    index: e.PAPERLINE_INDEX,
    archiveIndex: e.PAPERLINE_ARCHIVE_INDEX,
    queuePrefix: e.PAPERLINE_QUEUE_PREFIX,
    bases,
    allowHosts: [...allowHosts],
    userAgent: e.PAPERLINE_USER_AGENT,
    logLevel: e.PAPERLINE_LOG_LEVEL,
    hostIntervalMs: e.PAPERLINE_HOST_INTERVAL_MS,
    arxivIntervalMs: e.PAPERLINE_ARXIV_INTERVAL_MS,
    fetchAttempts: e.PAPERLINE_FETCH_ATTEMPTS,
    fetch: {
      connectTimeoutMs: e.PAPERLINE_FETCH_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: e.PAPERLINE_FETCH_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.PAPERLINE_FETCH_BODY_TIMEOUT_MS,
      totalTimeoutMs: e.PAPERLINE_FETCH_TOTAL_TIMEOUT_MS,
      maxBodyBytes: e.PAPERLINE_FETCH_MAX_BYTES,
      maxRedirects: e.PAPERLINE_FETCH_MAX_REDIRECTS,
    },
    concurrency: {
      fetch: e.PAPERLINE_FETCH_CONCURRENCY,
      parse: e.PAPERLINE_PARSE_CONCURRENCY,
      dedupe: e.PAPERLINE_DEDUPE_CONCURRENCY,
      index: e.PAPERLINE_INDEX_CONCURRENCY,
      embed: e.PAPERLINE_EMBED_CONCURRENCY,
    },
    jobTimeoutMs: {
      ...(e.PAPERLINE_FETCH_JOB_TIMEOUT_MS === undefined ? {} : { fetch: e.PAPERLINE_FETCH_JOB_TIMEOUT_MS }),
      parse: e.PAPERLINE_PARSE_JOB_TIMEOUT_MS,
      dedupe: e.PAPERLINE_DEDUPE_JOB_TIMEOUT_MS,
      index: e.PAPERLINE_INDEX_JOB_TIMEOUT_MS,
      embed: e.PAPERLINE_EMBED_JOB_TIMEOUT_MS,
    },
    bulk: { size: e.PAPERLINE_BULK_SIZE, waitMs: e.PAPERLINE_BULK_WAIT_MS },
    embedBatch: e.PAPERLINE_EMBED_BATCH,
    backfill: {
      docsPerSecond: e.PAPERLINE_BACKFILL_DOCS_PER_SEC,
      backlog: e.PAPERLINE_BACKFILL_BACKLOG,
      refreshInterval: e.PAPERLINE_BACKFILL_REFRESH_INTERVAL,
    },
    maxBacklog: e.PAPERLINE_MAX_BACKLOG,
    failedRetentionSeconds: e.PAPERLINE_FAILED_RETENTION_DAYS * 86_400,
    feedMaxEntries: e.PAPERLINE_FEED_MAX_ENTRIES,
    lockMs: e.PAPERLINE_LOCK_MS,
    schedulesFile: e.PAPERLINE_SCHEDULES_FILE,
    webhooks: {
      file: e.PAPERLINE_WEBHOOKS,
      attempts: e.PAPERLINE_WEBHOOK_ATTEMPTS,
      backoffMs: e.PAPERLINE_WEBHOOK_BACKOFF_MS,
      timeoutMs: e.PAPERLINE_WEBHOOK_TIMEOUT_MS,
    },
    enrich: e.PAPERLINE_ENRICH,
    embed: e.PAPERLINE_EMBED,
    chainStages: e.PAPERLINE_CHAIN_STAGES,
  };
}
