import { setTimeout as sleep } from 'node:timers/promises';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError } from './errors.js';
import type { ServiceStatus } from './options.js';
import { probeRedis, type Probe } from './probe.js';
import { managedPid, run, stopProcess, tailFile, which } from './proc.js';
import { redisBindAddresses, type ServiceTarget } from './url.js';

/** Files of a Redis we start on `port`: `<stackDir>/redis-<port>/{redis.pid,redis.log}`. */
export function redisPaths(
  stackDir: string,
  port: number,
): { dir: string; pidFile: string; logFile: string } {
  const dir = join(stackDir, `redis-${port}`);
  return { dir, pidFile: join(dir, 'redis.pid'), logFile: join(dir, 'redis.log') };
}

/** A service's status together with the raw probe result. */
export interface Inspection {
  status: ServiceStatus;
  probe: Probe;
}

/** Probes Redis and looks for our pid file; changes nothing. */
export async function inspectRedis(t: ServiceTarget, stackDir: string): Promise<Inspection> {
  const [probe, own] = await Promise.all([
    probeRedis(t),
    managedPid(redisPaths(stackDir, t.port).pidFile, 'redis-server'),
  ]);
  const details = [
    probe.state === 'up' ? undefined : probe.detail,
    own.stale !== undefined ? `stale pid file (pid ${own.stale} is gone)` : undefined,
  ].filter((d): d is string => d !== undefined);
  const status: ServiceStatus = {
    url: t.displayUrl,
    up: probe.state === 'up',
    managed: own.pid !== undefined,
    ...(own.pid !== undefined ? { pid: own.pid } : {}),
    ...(probe.state === 'up' && probe.version !== undefined ? { version: probe.version } : {}),
    ...(details.length > 0 ? { detail: details.join('; ') } : {}),
  };
  return { status, probe };
}

/** Runs `redis-server --daemonize yes` without persistence on the target's port, files in `p.dir`. */
async function launchRedis(
  server: string,
  t: ServiceTarget,
  p: ReturnType<typeof redisPaths>,
): Promise<void> {
  await mkdir(p.dir, { recursive: true });
  await rm(p.pidFile, { force: true });
  const args = [
    '--daemonize',
    'yes',
    '--port',
    String(t.port),
    '--bind',
    ...redisBindAddresses(t),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    p.dir,
    '--pidfile',
    p.pidFile,
    '--logfile',
    p.logFile,
    ...(t.password !== undefined ? ['--requirepass', t.password] : []),
  ];
  const res = await run(server, args, { timeoutMs: 30_000 });
  if (res.code !== 0) {
    throw new StackError(
      `redis-server did not start on port ${t.port}: ${res.output.trim() || (await tailFile(p.logFile))}`,
    );
  }
}

/** Starts `redis-server` on the target's loopback port, without persistence, and waits for `PONG`. */
export async function startRedis(
  t: ServiceTarget,
  stackDir: string,
  timeoutMs: number,
  log: (msg: string) => void,
): Promise<ServiceStatus> {
  if (t.tls) {
    throw new StackError(`cannot start a TLS Redis for ${t.displayUrl}; use redis:// for the local stack`);
  }
  const server = await which('redis-server');
  if (server === undefined) {
    throw new StackError(
      `nothing answers at ${t.displayUrl} and redis-server is not on PATH to start one; ` +
        `install Redis 7 (e.g. \`apt-get install redis-server\`) or point REDIS_URL at a running Redis`,
    );
  }
  const p = redisPaths(stackDir, t.port);
  const started = Date.now();
  const already = await managedPid(p.pidFile, 'redis-server');
  if (already.pid !== undefined) {
    log(`redis: waiting for the instance already starting (pid ${already.pid})…`);
  } else {
    log(`redis: starting on port ${t.port}…`);
    await launchRedis(server, t, p);
  }
  const deadline = Date.now() + Math.min(timeoutMs, 30_000);
  let probe = await probeRedis(t);
  while (probe.state !== 'up' && Date.now() < deadline) {
    await sleep(100);
    probe = await probeRedis(t);
  }
  const own = await managedPid(p.pidFile, 'redis-server');
  if (probe.state !== 'up' || own.pid === undefined) {
    throw new StackError(
      `redis-server on port ${t.port} did not answer PING (${probe.state === 'up' ? 'no pid file' : probe.detail}); log ${p.logFile}:\n${await tailFile(p.logFile)}`,
    );
  }
  log(`redis: started (pid ${own.pid}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return {
    url: t.displayUrl,
    up: true,
    managed: true,
    pid: own.pid,
    ...(probe.version !== undefined ? { version: probe.version } : {}),
  };
}

/** Stops the Redis on the target's port only if our pid file names it; otherwise leaves it alone. */
export async function stopRedis(
  t: ServiceTarget,
  stackDir: string,
  log: (msg: string) => void,
): Promise<void> {
  const p = redisPaths(stackDir, t.port);
  const own = await managedPid(p.pidFile, 'redis-server');
  if (own.pid === undefined) {
    if (own.stale !== undefined) await rm(p.pidFile, { force: true });
    return;
  }
  const how = await stopProcess(own.pid, 30_000);
  await rm(p.pidFile, { force: true });
  log(`redis: stopped (pid ${own.pid}${how === 'killed' ? ', killed after 30 s' : ''})`);
}
