import { setTimeout as sleep } from 'node:timers/promises';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError } from './errors.js';
import { ES_USER, chownTree, ensureEsInstall, ensureServiceUser } from './install.js';
import { javaMajor, resolveJdk } from './jdk.js';
import { ensureEsZip } from './maven.js';
import {
  CLIENT_MAJOR,
  DEFAULT_ES_VERSION,
  isRoot,
  type ResolvedStackOptions,
  type ServiceStatus,
} from './options.js';
import { isPortInUse, probeElasticsearch } from './probe.js';
import { managedPid, readPidFile, run, stopProcess, tailFile } from './proc.js';
import type { Inspection } from './redis.js';
import { esNetworkHost, esTransportPorts, type ServiceTarget } from './url.js';

/** Marker in the command line of the Elasticsearch JVM (guards against recycled pids). */
const ES_MARKER = 'org.elasticsearch';

/** Files of an Elasticsearch we start on `port`: `<stackDir>/es-<port>/{data,logs,tmp,elasticsearch.pid}`. */
export function esPaths(stackDir: string, port: number) {
  const dir = join(stackDir, `es-${port}`);
  return {
    dir,
    data: join(dir, 'data'),
    logs: join(dir, 'logs'),
    tmp: join(dir, 'tmp'),
    pidFile: join(dir, 'elasticsearch.pid'),
    launcherLog: join(dir, 'launcher.log'),
    serverLog: join(dir, 'logs', 'paperline.log'),
  };
}

/** Throws unless `version`'s major is {@link CLIENT_MAJOR}. */
export function assertClientCompatible(version: string, where: string): void {
  const major = javaMajor(version);
  if (major !== CLIENT_MAJOR) {
    throw new StackError(
      `${where} is Elasticsearch ${version}, but Paperline's client speaks ${CLIENT_MAJOR}.x; ` +
        `use an Elasticsearch ${CLIENT_MAJOR}.x (e.g. PAPERLINE_ES_VERSION=${DEFAULT_ES_VERSION})`,
      { context: { version } },
    );
  }
}

/** Probes Elasticsearch and looks for our pid file; changes nothing. */
export async function inspectElasticsearch(t: ServiceTarget, stackDir: string): Promise<Inspection> {
  const [probe, own] = await Promise.all([
    probeElasticsearch(t),
    managedPid(esPaths(stackDir, t.port).pidFile, ES_MARKER),
  ]);
  const version = probe.state === 'up' ? probe.version : undefined;
  const mismatch =
    version !== undefined && javaMajor(version) !== CLIENT_MAJOR
      ? `major differs from the client's ${CLIENT_MAJOR}.x`
      : undefined;
  const details = [
    probe.detail,
    mismatch,
    own.stale !== undefined ? `stale pid file (pid ${own.stale} is gone)` : undefined,
  ].filter((d): d is string => d !== undefined);
  const status: ServiceStatus = {
    url: t.displayUrl,
    up: probe.state === 'up',
    managed: own.pid !== undefined,
    ...(own.pid !== undefined ? { pid: own.pid } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(details.length > 0 ? { detail: details.join('; ') } : {}),
  };
  return { status, probe };
}

/**
 * Starts Elasticsearch `o.esVersion` on the target's loopback port: zip from Maven Central, unpacked
 * once into the stack directory, run daemonized (as {@link ES_USER} when we are root) and waited for
 * until the cluster is yellow or green. Call with the stack lock held.
 */
export async function startElasticsearch(t: ServiceTarget, o: ResolvedStackOptions): Promise<ServiceStatus> {
  if (t.tls) {
    throw new StackError(
      `cannot start an HTTPS Elasticsearch for ${t.displayUrl}; use http:// for the local stack`,
    );
  }
  assertClientCompatible(o.esVersion, 'the configured version (PAPERLINE_ES_VERSION)');
  const p = esPaths(o.stackDir, t.port);
  const own = await managedPid(p.pidFile, ES_MARKER);
  if (own.pid !== undefined) {
    // Ours, still starting (an earlier stack up was interrupted): wait for it rather than start a second one.
    const since = Date.now();
    o.log(`elasticsearch: waiting for the instance already starting (pid ${own.pid})…`);
    const status = await waitForHealthy(t, p, since, o.timeoutMs);
    o.log(`elasticsearch: ready (pid ${own.pid}) after ${((Date.now() - since) / 1000).toFixed(1)} s`);
    return status;
  }
  if (await isPortInUse(t)) {
    throw new StackError(
      `port ${t.port} on ${t.host} is taken by something that is not a healthy Elasticsearch`,
    );
  }
  const jdk = await resolveJdk(o.esVersion, o.javaHome);
  const root = isRoot();
  const owner = root ? ES_USER : undefined;
  if (owner !== undefined) await ensureServiceUser(owner);
  const installDir = await ensureEsInstall({
    stackDir: o.stackDir,
    version: o.esVersion,
    zip: () => ensureEsZip(o.esVersion, o.log),
    javaHome: jdk.home,
    owner,
    log: o.log,
  });
  for (const d of [p.data, p.logs, p.tmp]) await mkdir(d, { recursive: true });
  await rm(p.pidFile, { force: true });
  if (owner !== undefined) {
    await chownTree(owner, [p.dir]); // Elasticsearch writes its pid file there
    await chmod(p.dir, 0o755);
    const reach = await run('runuser', [
      '-u',
      owner,
      '--',
      'test',
      '-x',
      join(installDir, 'bin', 'elasticsearch'),
    ]);
    if (reach.code !== 0) {
      throw new StackError(
        `user ${owner} cannot reach ${installDir} (a parent directory is not world-searchable); ` +
          `set PAPERLINE_STACK_DIR to a directory outside private homes, e.g. /var/lib/paperline/stack`,
      );
    }
  }

  const started = Date.now();
  o.log(`elasticsearch: starting ${o.esVersion} on port ${t.port} with Java ${jdk.version} (${jdk.home})…`);
  const env = [
    `ES_JAVA_HOME=${jdk.home}`,
    `ES_JAVA_OPTS=-Xms${o.heapMin} -Xmx${o.heapMax}`,
    `ES_TMPDIR=${p.tmp}`,
    `ES_PATH_CONF=${join(installDir, 'config')}`,
  ];
  const args = [
    join(installDir, 'bin', 'elasticsearch'),
    '-d',
    '-p',
    p.pidFile,
    '-Ediscovery.type=single-node',
    '-Expack.security.enabled=false',
    '-Ecluster.routing.allocation.disk.threshold_enabled=false',
    '-Ecluster.name=paperline',
    `-Enode.name=paperline-${t.port}`,
    `-Enetwork.host=${esNetworkHost(t)}`,
    `-Ehttp.port=${t.port}`,
    `-Etransport.port=${esTransportPorts(t.port)}`,
    `-Epath.data=${p.data}`,
    `-Epath.logs=${p.logs}`,
  ];
  const [cmd, cmdArgs] =
    owner !== undefined
      ? ['runuser', ['-u', owner, '--', 'env', ...env, ...args]]
      : ['env', [...env, ...args]];
  const launcher = await run(cmd, cmdArgs, {
    cwd: installDir,
    outputFile: p.launcherLog,
    timeoutMs: o.timeoutMs,
  });
  if (launcher.code !== 0) {
    throw new StackError(
      `Elasticsearch did not start on port ${t.port} (launcher exit ${launcher.code ?? launcher.signal}); ` +
        `full log in ${p.serverLog}. ${p.launcherLog} ends with:\n${await tailFile(p.launcherLog, 15)}`,
    );
  }
  const status = await waitForHealthy(t, p, started, o.timeoutMs);
  if (status.version !== undefined) assertClientCompatible(status.version, `the started ${t.displayUrl}`);
  o.log(
    `elasticsearch: started (pid ${status.pid ?? '?'}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return status;
}

async function waitForHealthy(
  t: ServiceTarget,
  p: ReturnType<typeof esPaths>,
  started: number,
  timeoutMs: number,
): Promise<ServiceStatus> {
  const deadline = started + timeoutMs;
  for (;;) {
    const probe = await probeElasticsearch(t);
    const own = await managedPid(p.pidFile, ES_MARKER);
    if (probe.state === 'up') {
      return {
        url: t.displayUrl,
        up: true,
        managed: own.pid !== undefined,
        ...(own.pid !== undefined ? { pid: own.pid } : {}),
        ...(probe.version !== undefined ? { version: probe.version } : {}),
        ...(probe.detail !== undefined ? { detail: probe.detail } : {}),
      };
    }
    const pid = own.pid ?? (await readPidFile(p.pidFile));
    if (own.stale !== undefined || (pid === undefined && Date.now() - started > 30_000)) {
      throw new StackError(
        `Elasticsearch on port ${t.port} exited during start-up (${probe.detail}); ${p.serverLog}:\n${await tailFile(p.serverLog, 30)}`,
      );
    }
    if (Date.now() >= deadline) {
      throw new StackError(
        `Elasticsearch on port ${t.port} was not healthy within ${timeoutMs} ms (${probe.detail}); it is left running ` +
          `(stop it with \`pnpm paperline stack down\`). ${p.serverLog}:\n${await tailFile(p.serverLog)}`,
      );
    }
    await sleep(500);
  }
}

/** Stops the Elasticsearch on the target's port only if our pid file names it (SIGTERM, SIGKILL after 30 s). */
export async function stopElasticsearch(
  t: ServiceTarget,
  stackDir: string,
  log: (msg: string) => void,
): Promise<void> {
  const p = esPaths(stackDir, t.port);
  const own = await managedPid(p.pidFile, ES_MARKER);
  if (own.pid === undefined) {
    if (own.stale !== undefined) await rm(p.pidFile, { force: true });
    return;
  }
  log(`elasticsearch: stopping (pid ${own.pid})…`);
  const started = Date.now();
  const how = await stopProcess(own.pid, 30_000);
  await rm(p.pidFile, { force: true });
  const took = ((Date.now() - started) / 1000).toFixed(1);
  log(
    `elasticsearch: stopped (pid ${own.pid}) in ${took} s${how === 'killed' ? ' (killed after 30 s)' : ''}`,
  );
}
