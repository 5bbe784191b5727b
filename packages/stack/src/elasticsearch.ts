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

/** What starting and stopping Elasticsearch nodes needs of the stack options. */
export type EsRunOptions = Pick<
  ResolvedStackOptions,
  'stackDir' | 'esVersion' | 'javaHome' | 'heapMin' | 'heapMax' | 'timeoutMs' | 'log'
>;

/** Files of one Elasticsearch node we start, all under `dir`: `{data,logs,tmp,elasticsearch.pid}`. */
export function esNodePaths(dir: string) {
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

export type EsNodePaths = ReturnType<typeof esNodePaths>;

/** Files of the single-node Elasticsearch of `stack up` on `port`: `<stackDir>/es-<port>/`. */
export function esPaths(stackDir: string, port: number): EsNodePaths {
  return esNodePaths(join(stackDir, `es-${port}`));
}

/** Our Elasticsearch named by a pid file, when alive (a recycled pid is not mistaken for it). */
export function managedEsPid(p: EsNodePaths): Promise<{ pid?: number; stale?: number }> {
  return managedPid(p.pidFile, ES_MARKER);
}

/** One Elasticsearch node to launch: where it listens, its files, and how it finds its cluster. */
export interface EsNodeSpec {
  target: ServiceTarget;
  /** `node.name`. */
  name: string;
  clusterName: string;
  paths: EsNodePaths;
  /** `transport.port`: one port, or a range the node takes the first free port of. */
  transportPort: string;
  /** How it finds the others: `discovery.type=single-node`, or seed hosts and initial master nodes. */
  discovery: Readonly<Record<string, string>>;
}

/** The `-E` settings a node is started with. */
export function esNodeSettings(node: EsNodeSpec): string[] {
  const settings: Record<string, string> = {
    'xpack.security.enabled': 'false',
    'cluster.routing.allocation.disk.threshold_enabled': 'false',
    'cluster.name': node.clusterName,
    'node.name': node.name,
    'network.host': esNetworkHost(node.target),
    'http.port': String(node.target.port),
    'transport.port': node.transportPort,
    'path.data': node.paths.data,
    'path.logs': node.paths.logs,
    ...node.discovery,
  };
  return Object.entries(settings).map(([k, v]) => `-E${k}=${v}`);
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
  const [probe, own] = await Promise.all([probeElasticsearch(t), managedEsPid(esPaths(stackDir, t.port))]);
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

/** The unpacked Elasticsearch, the JDK that runs it and the user it runs as: shared by every node. */
export interface EsRuntime {
  installDir: string;
  jdk: { home: string; version: string };
  /** {@link ES_USER} when we are root, else `undefined` (run as ourselves). */
  owner: string | undefined;
}

/**
 * Makes Elasticsearch `o.esVersion` runnable: zip from Maven Central, unpacked once into the stack
 * directory, a JDK for it, and (as root) the service user, who must be able to reach the install.
 * Call with the stack lock held.
 */
export async function prepareEsRuntime(o: EsRunOptions): Promise<EsRuntime> {
  assertClientCompatible(o.esVersion, 'the configured version (PAPERLINE_ES_VERSION)');
  const jdk = await resolveJdk(o.esVersion, o.javaHome);
  const owner = isRoot() ? ES_USER : undefined;
  if (owner !== undefined) await ensureServiceUser(owner);
  const installDir = await ensureEsInstall({
    stackDir: o.stackDir,
    version: o.esVersion,
    zip: () => ensureEsZip(o.esVersion, o.log),
    javaHome: jdk.home,
    owner,
    log: o.log,
  });
  if (owner !== undefined) {
    const bin = join(installDir, 'bin', 'elasticsearch');
    if ((await run('runuser', ['-u', owner, '--', 'test', '-x', bin])).code !== 0) {
      throw new StackError(
        `user ${owner} cannot reach ${installDir} (a parent directory is not world-searchable); ` +
          `set PAPERLINE_STACK_DIR to a directory outside private homes, e.g. /var/lib/paperline/stack`,
      );
    }
  }
  return { installDir, jdk, owner };
}

/**
 * Launches one node daemonized (`bin/elasticsearch -d -p <pid file>`) with its own data, logs and
 * pid file. Resolves when the launcher has returned: the node runs, but may not have joined a
 * cluster yet. Call with the stack lock held.
 */
export async function launchEsNode(rt: EsRuntime, node: EsNodeSpec, o: EsRunOptions): Promise<void> {
  const p = node.paths;
  for (const d of [p.data, p.logs, p.tmp]) await mkdir(d, { recursive: true });
  await rm(p.pidFile, { force: true });
  if (rt.owner !== undefined) {
    await chownTree(rt.owner, [p.dir]); // Elasticsearch writes its pid file there
    await chmod(p.dir, 0o755);
  }
  const env = [
    `ES_JAVA_HOME=${rt.jdk.home}`,
    `ES_JAVA_OPTS=-Xms${o.heapMin} -Xmx${o.heapMax}`,
    `ES_TMPDIR=${p.tmp}`,
    `ES_PATH_CONF=${join(rt.installDir, 'config')}`,
  ];
  const args = [join(rt.installDir, 'bin', 'elasticsearch'), '-d', '-p', p.pidFile, ...esNodeSettings(node)];
  const [cmd, cmdArgs] =
    rt.owner !== undefined
      ? ['runuser', ['-u', rt.owner, '--', 'env', ...env, ...args]]
      : ['env', [...env, ...args]];
  const launcher = await run(cmd, cmdArgs, {
    cwd: rt.installDir,
    outputFile: p.launcherLog,
    timeoutMs: o.timeoutMs,
  });
  if (launcher.code !== 0) {
    throw new StackError(
      `Elasticsearch ${node.name} did not start on port ${node.target.port} (launcher exit ` +
        `${launcher.code ?? launcher.signal}); full log in ${p.serverLog}. ${p.launcherLog} ends with:\n` +
        (await tailFile(p.launcherLog, 15)),
    );
  }
}

/** The error for a node whose process is gone before it became healthy, with its log's tail. */
export async function exitedDuringStartup(port: number, p: EsNodePaths, detail: string): Promise<StackError> {
  return new StackError(
    `Elasticsearch on port ${port} exited during start-up (${detail}); ${p.serverLog}:\n${await tailFile(p.serverLog, 30)}`,
  );
}

/**
 * Starts a single-node Elasticsearch `o.esVersion` on the target's loopback port and waits until
 * the cluster is yellow or green. Call with the stack lock held.
 */
export async function startElasticsearch(t: ServiceTarget, o: EsRunOptions): Promise<ServiceStatus> {
  if (t.tls) {
    throw new StackError(
      `cannot start an HTTPS Elasticsearch for ${t.displayUrl}; use http:// for the local stack`,
    );
  }
  assertClientCompatible(o.esVersion, 'the configured version (PAPERLINE_ES_VERSION)');
  const p = esPaths(o.stackDir, t.port);
  const own = await managedEsPid(p);
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
  const rt = await prepareEsRuntime(o);
  const started = Date.now();
  o.log(
    `elasticsearch: starting ${o.esVersion} on port ${t.port} with Java ${rt.jdk.version} (${rt.jdk.home})…`,
  );
  await launchEsNode(
    rt,
    {
      target: t,
      name: `paperline-${t.port}`,
      clusterName: 'paperline',
      paths: p,
      transportPort: esTransportPorts(t.port),
      discovery: { 'discovery.type': 'single-node' },
    },
    o,
  );
  const status = await waitForHealthy(t, p, started, o.timeoutMs);
  if (status.version !== undefined) assertClientCompatible(status.version, `the started ${t.displayUrl}`);
  o.log(
    `elasticsearch: started (pid ${status.pid ?? '?'}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return status;
}

async function waitForHealthy(
  t: ServiceTarget,
  p: EsNodePaths,
  started: number,
  timeoutMs: number,
): Promise<ServiceStatus> {
  const deadline = started + timeoutMs;
  for (;;) {
    const probe = await probeElasticsearch(t);
    const own = await managedEsPid(p);
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
      throw await exitedDuringStartup(t.port, p, probe.detail);
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

/** Stops the node our pid file names, if any (SIGTERM, SIGKILL after 30 s); removes a stale pid file. */
export async function stopEsNode(p: EsNodePaths, label: string, log: (msg: string) => void): Promise<void> {
  const own = await managedEsPid(p);
  if (own.pid === undefined) {
    if (own.stale !== undefined) await rm(p.pidFile, { force: true });
    return;
  }
  log(`${label}: stopping (pid ${own.pid})…`);
  const started = Date.now();
  const how = await stopProcess(own.pid, 30_000);
  await rm(p.pidFile, { force: true });
  const took = ((Date.now() - started) / 1000).toFixed(1);
  log(`${label}: stopped (pid ${own.pid}) in ${took} s${how === 'killed' ? ' (killed after 30 s)' : ''}`);
}

/** Stops the Elasticsearch on the target's port only if our pid file names it. */
export function stopElasticsearch(
  t: ServiceTarget,
  stackDir: string,
  log: (msg: string) => void,
): Promise<void> {
  return stopEsNode(esPaths(stackDir, t.port), 'elasticsearch', log);
}
