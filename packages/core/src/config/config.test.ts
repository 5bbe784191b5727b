import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { PaperlineError } from '@paperline/contracts';
import { EnvSchema, FILE_SECRETS, loadConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'paperline-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A secret file as Docker and Kubernetes mount them (trailing newline included). */
function secretFile(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** The password a Redis client made from the configured URL authenticates with. */
function passwordUsed(redisUrl: string): string | undefined {
  const client = new Redis(redisUrl, { lazyConnect: true });
  try {
    return client.options.password;
  } finally {
    client.disconnect();
  }
}

function configError(env: NodeJS.ProcessEnv): PaperlineError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof PaperlineError) return err;
    throw err;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('REDIS_PASSWORD and REDIS_PASSWORD_FILE', () => {
  const password = 'p@ss:w/rd%41 #é';

  it('puts the password from the file into the Redis URL every connection is made from', () => {
    const cfg = loadConfig({
      REDIS_URL: 'redis://10.0.0.5:6380/2',
      REDIS_PASSWORD_FILE: secretFile('redis-password', `${password}\n`),
    });
    expect(passwordUsed(cfg.redisUrl)).toBe(password);
    const u = new URL(cfg.redisUrl);
    expect([u.hostname, u.port, u.pathname]).toEqual(['10.0.0.5', '6380', '/2']);
  });

  it('takes REDIS_PASSWORD from the environment, which wins over the file', () => {
    const cfg = loadConfig({
      REDIS_PASSWORD: 'from-env-0123',
      REDIS_PASSWORD_FILE: secretFile('ignored', 'from-file-0123'),
    });
    expect(passwordUsed(cfg.redisUrl)).toBe('from-env-0123');
  });

  it('leaves a URL without REDIS_PASSWORD as it is, password included', () => {
    expect(loadConfig({}).redisUrl).toBe('redis://127.0.0.1:6379');
    expect(passwordUsed(loadConfig({ REDIS_URL: 'redis://:in-url@127.0.0.1:6379' }).redisUrl)).toBe('in-url');
    expect(
      passwordUsed(
        loadConfig({ REDIS_URL: 'redis://:same@127.0.0.1:6379', REDIS_PASSWORD: 'same' }).redisUrl,
      ),
    ).toBe('same');
  });

  it('refuses two different passwords with CONFIG_INVALID naming both variables', () => {
    const err = configError({ REDIS_URL: 'redis://:one@127.0.0.1:6379', REDIS_PASSWORD: 'two' });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/REDIS_URL.*REDIS_PASSWORD/);
    expect(err.message).not.toContain('two');
  });

  it('names the variable and the file when the secret file cannot be read', () => {
    const missing = join(dir, 'no-such-file');
    const err = configError({ REDIS_PASSWORD_FILE: missing });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(`REDIS_PASSWORD_FILE: cannot read ${missing} (ENOENT)`);
  });
});

describe('job time limits', () => {
  it('default per stage, fetch left to its stage; each one set by PAPERLINE_<STAGE>_JOB_TIMEOUT_MS', () => {
    expect(loadConfig({}).jobTimeoutMs).toEqual({
      parse: 30_000,
      dedupe: 60_000,
      index: 120_000,
      embed: 60_000,
    });
    const cfg = loadConfig({
      PAPERLINE_FETCH_JOB_TIMEOUT_MS: '90000',
      PAPERLINE_INDEX_JOB_TIMEOUT_MS: '5000',
    });
    expect(cfg.jobTimeoutMs).toEqual({
      fetch: 90_000,
      parse: 30_000,
      dedupe: 60_000,
      index: 5000,
      embed: 60_000,
    });
  });

  it('refuses a limit out of range with CONFIG_INVALID naming the variable', () => {
    const err = configError({ PAPERLINE_PARSE_JOB_TIMEOUT_MS: '10' });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('PAPERLINE_PARSE_JOB_TIMEOUT_MS');
  });
});

describe('Elasticsearch nodes and index layout', () => {
  it('takes one node or several, and one replica as soon as a second node joins by default', () => {
    expect(loadConfig({}).elasticsearch.nodes).toEqual(['http://127.0.0.1:9200']);
    expect(loadConfig({}).indexLayout).toEqual({ replicas: '0-1' });
    const cfg = loadConfig({
      ELASTICSEARCH_URL: 'http://es1:9200, http://es2:9200',
      PAPERLINE_INDEX_SHARDS: '3',
      PAPERLINE_INDEX_REPLICAS: '1',
    });
    expect(cfg.elasticsearch.nodes).toEqual(['http://es1:9200', 'http://es2:9200']);
    expect(cfg.indexLayout).toEqual({ shards: 3, replicas: '1' });
  });

  it('refuses a node that is not a URL, and a replica setting that is neither a count nor a range', () => {
    const nodes = configError({ ELASTICSEARCH_URL: 'http://es1:9200,es2' });
    expect(nodes.message).toMatch(/ELASTICSEARCH_URL: ELASTICSEARCH_URL must be an absolute URL/);
    expect(configError({ PAPERLINE_INDEX_REPLICAS: 'two' }).message).toContain('PAPERLINE_INDEX_REPLICAS');
    expect(configError({ PAPERLINE_INDEX_SHARDS: '0' }).message).toContain('PAPERLINE_INDEX_SHARDS');
  });
});

describe('the change feed', () => {
  it('keeps about a million entries unless PAPERLINE_FEED_MAX_ENTRIES says otherwise', () => {
    expect(loadConfig({}).feedMaxEntries).toBe(1_000_000);
    expect(loadConfig({ PAPERLINE_FEED_MAX_ENTRIES: '50000' }).feedMaxEntries).toBe(50_000);
  });
  it('refuses a length under 1000 with CONFIG_INVALID naming the variable', () => {
    const err = configError({ PAPERLINE_FEED_MAX_ENTRIES: '10' });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('PAPERLINE_FEED_MAX_ENTRIES');
  });
});

describe('the configuration reference', () => {
  it('docs/operations.md names every variable loadConfig reads', () => {
    const doc = readFileSync(
      fileURLToPath(new URL('../../../../docs/operations.md', import.meta.url)),
      'utf8',
    );
    const read = [...Object.keys(EnvSchema.shape), ...FILE_SECRETS.map((name) => `${name}_FILE`)];
    expect(read.filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('Redis Cluster and Sentinel', () => {
  it('is standalone unless REDIS_CLUSTER_NODES or REDIS_SENTINELS is set', () => {
    expect(loadConfig({}).redisTopology).toEqual({ kind: 'standalone' });
  });

  it('reads REDIS_CLUSTER_NODES as the cluster seed nodes, IPv6 in brackets', () => {
    const cfg = loadConfig({
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b.internal:7001,[::1]:7002',
      REDIS_URL: 'rediss://:pw@ignored:6379',
    });
    expect(cfg.redisTopology).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-b.internal', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
    expect(cfg.redisUrl).toBe('rediss://:pw@ignored:6379');
  });

  it('reads REDIS_SENTINELS with REDIS_SENTINEL_NAME', () => {
    const cfg = loadConfig({
      REDIS_SENTINELS: '127.0.0.1:26379,127.0.0.1:26380',
      REDIS_SENTINEL_NAME: 'main',
    });
    expect(cfg.redisTopology).toEqual({
      kind: 'sentinel',
      name: 'main',
      sentinels: [
        { host: '127.0.0.1', port: 26379 },
        { host: '127.0.0.1', port: 26380 },
      ],
    });
  });

  it("takes the sentinels' own password from REDIS_SENTINEL_PASSWORD or its _FILE, never into REDIS_URL", () => {
    const file = join(dir, 'sentinel-password');
    writeFileSync(file, 's3ntinel\n');
    const cfg = loadConfig({
      REDIS_SENTINELS: '127.0.0.1:26379',
      REDIS_SENTINEL_NAME: 'main',
      REDIS_SENTINEL_PASSWORD_FILE: file,
    });
    expect(cfg.redisTopology).toMatchObject({ kind: 'sentinel', sentinelPassword: 's3ntinel' });
    expect(cfg.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(configError({ REDIS_SENTINEL_PASSWORD: 'x' }).message).toMatch(
      /REDIS_SENTINEL_PASSWORD is set without REDIS_SENTINELS/,
    );
  });

  it.each([
    [{ REDIS_CLUSTER_NODES: '10.0.0.1' }, /REDIS_CLUSTER_NODES: '10\.0\.0\.1' is not host:port/],
    [{ REDIS_CLUSTER_NODES: '10.0.0.1:70000' }, /REDIS_CLUSTER_NODES: '10\.0\.0\.1:70000'/],
    [{ REDIS_CLUSTER_NODES: ' , ' }, /REDIS_CLUSTER_NODES must list at least one host:port/],
    [{ REDIS_SENTINELS: '127.0.0.1:26379' }, /REDIS_SENTINELS needs REDIS_SENTINEL_NAME/],
    [{ REDIS_SENTINEL_NAME: 'main' }, /REDIS_SENTINEL_NAME is set without REDIS_SENTINELS/],
    [
      { REDIS_CLUSTER_NODES: 'a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'm' },
      /REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set/,
    ],
    [{ REDIS_CLUSTER_NODES: 'a:7000', REDIS_URL: 'redis://a:7000/3' }, /REDIS_URL selects database 3/],
    [
      { REDIS_CLUSTER_NODES: 'a:7000', PAPERLINE_QUEUE_PREFIX: '{paperline}' },
      /PAPERLINE_QUEUE_PREFIX '\{paperline\}' holds a \{hash tag\}/,
    ],
  ])('refuses %j with CONFIG_INVALID naming the variable', (env, message) => {
    const err = configError(env);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(message);
  });

  it('keeps a {hash tag} prefix on a single server, where slots do not matter', () => {
    expect(loadConfig({ PAPERLINE_QUEUE_PREFIX: '{paperline}' }).queuePrefix).toBe('{paperline}');
  });
});
