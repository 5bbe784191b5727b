import { StackError } from './errors.js';
import {
  assertClientCompatible,
  inspectElasticsearch,
  startElasticsearch,
  stopElasticsearch,
} from './elasticsearch.js';
import {
  resolveStackOptions,
  type ResolvedStackOptions,
  type StackOptions,
  type StackStatus,
} from './options.js';
import { inspectRedis, startRedis, stopRedis, type Inspection } from './redis.js';
import { stackDirExists, withStackLock } from './stack-dir.js';
import { parseElasticsearchUrl, parseRedisUrl, type ServiceTarget } from './url.js';

interface Targets {
  redis: ServiceTarget;
  elasticsearch: ServiceTarget;
}

function targets(o: ResolvedStackOptions): Targets {
  return {
    redis: { ...parseRedisUrl(o.redisUrl), lookup: o.lookup },
    elasticsearch: { ...parseElasticsearchUrl(o.elasticsearchUrl), lookup: o.lookup },
  };
}

async function inspect(
  t: Targets,
  stackDir: string,
): Promise<{ redis: Inspection; elasticsearch: Inspection }> {
  const [redis, elasticsearch] = await Promise.all([
    inspectRedis(t.redis, stackDir),
    inspectElasticsearch(t.elasticsearch, stackDir),
  ]);
  return { redis, elasticsearch };
}

/** Throws when a service answers but cannot be used, or is down and not ours to start. */
function assertStartable(name: 'redis' | 'elasticsearch', t: ServiceTarget, i: Inspection): void {
  // An instance we started that does not answer yet is still starting: the start path waits for it.
  if (i.probe.state === 'unusable' && !i.status.managed) {
    throw new StackError(`${name}: ${t.displayUrl} answers but is not usable: ${i.probe.detail}`, {
      context: { url: t.displayUrl },
    });
  }
  if (i.probe.state === 'down' && !t.loopback) {
    throw new StackError(
      `${name}: nothing usable answers at ${t.displayUrl} (${i.probe.detail}); only loopback services ` +
        `(localhost, 127.0.0.1, ::1) are started automatically, so start it yourself or fix the URL`,
      { context: { url: t.displayUrl } },
    );
  }
}

function describeRunning(name: string, i: Inspection): string {
  const s = i.status;
  const who = s.managed ? `started by paperline, pid ${s.pid ?? '?'}` : 'already running';
  return `${name}: using ${s.url} (${who}${s.version !== undefined ? `, ${s.version}` : ''})`;
}

/**
 * Brings the local stack up: uses Redis and Elasticsearch at the configured URLs when they answer,
 * otherwise starts local ones on those (loopback) ports. Idempotent; concurrent callers (a test
 * setup and a CLI) are serialised by a lock file in the stack directory, so only one starts them.
 */
export async function stackUp(opts: StackOptions): Promise<StackStatus> {
  const o = resolveStackOptions(opts);
  const t = targets(o);
  let now = await inspect(t, o.stackDir);
  const checkVersion = (): void => {
    const v = now.elasticsearch.status.version;
    if (now.elasticsearch.status.up && v !== undefined) assertClientCompatible(v, t.elasticsearch.displayUrl);
  };
  checkVersion();
  if (now.redis.status.up && now.elasticsearch.status.up) {
    o.log(describeRunning('redis', now.redis));
    o.log(describeRunning('elasticsearch', now.elasticsearch));
    return { redis: now.redis.status, elasticsearch: now.elasticsearch.status };
  }
  assertStartable('redis', t.redis, now.redis);
  assertStartable('elasticsearch', t.elasticsearch, now.elasticsearch);
  return withStackLock(o, 'that is starting the stack', async () => {
    now = await inspect(t, o.stackDir); // another process may have started them meanwhile
    checkVersion();
    let redis = now.redis.status;
    if (redis.up) o.log(describeRunning('redis', now.redis));
    else {
      assertStartable('redis', t.redis, now.redis);
      redis = await startRedis(t.redis, o.stackDir, o.timeoutMs, o.log);
    }
    let elasticsearch = now.elasticsearch.status;
    if (elasticsearch.up) o.log(describeRunning('elasticsearch', now.elasticsearch));
    else {
      assertStartable('elasticsearch', t.elasticsearch, now.elasticsearch);
      elasticsearch = await startElasticsearch(t.elasticsearch, o);
    }
    return { redis, elasticsearch };
  });
}

/**
 * Stops what {@link stackUp} started (services whose pid file is ours); leaves services started by
 * anyone else alone. Idempotent.
 */
export async function stackDown(opts: StackOptions): Promise<StackStatus> {
  const o = resolveStackOptions(opts);
  const t = targets(o);
  const stop = async (): Promise<StackStatus> => {
    const before = await inspect(t, o.stackDir);
    for (const [name, i] of [
      ['redis', before.redis],
      ['elasticsearch', before.elasticsearch],
    ] as const) {
      if (!i.status.managed) {
        o.log(
          i.status.up
            ? `${name}: leaving ${i.status.url} alone (not started by paperline)`
            : `${name}: not running`,
        );
      }
    }
    await Promise.all([
      stopRedis(t.redis, o.stackDir, o.log),
      stopElasticsearch(t.elasticsearch, o.stackDir, o.log),
    ]);
    const after = await inspect(t, o.stackDir);
    return { redis: after.redis.status, elasticsearch: after.elasticsearch.status };
  };
  // No stack dir means we never started anything there: nothing to lock, only to report.
  if (!(await stackDirExists(o.stackDir))) return stop();
  return withStackLock(o, 'to finish', stop);
}

/** Reports both services (up, started by us, pid, version) without changing anything. */
export async function stackStatus(opts: StackOptions): Promise<StackStatus> {
  const o = resolveStackOptions(opts);
  const now = await inspect(targets(o), o.stackDir);
  return { redis: now.redis.status, elasticsearch: now.elasticsearch.status };
}
