import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError } from './errors.js';
import { run, which } from './proc.js';

/** The system user that runs Elasticsearch when we are root (Elasticsearch refuses to run as root). */
export const ES_USER = 'paperline-es';

/** Where Elasticsearch `version` is installed inside the stack directory. */
export function esInstallDir(stackDir: string, version: string): string {
  return join(stackDir, `elasticsearch-${version}`);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function mustRun(what: string, cmd: string, args: readonly string[], cwd?: string): Promise<void> {
  const res = await run(cmd, args, cwd !== undefined ? { cwd } : {});
  if (res.code !== 0) {
    throw new StackError(
      `${what} failed (\`${cmd} ${args.join(' ')}\` exit ${res.code ?? res.signal}): ${res.output.trim().slice(-800)}`,
    );
  }
}

/** Creates the system user {@link ES_USER} when missing (root only). */
export async function ensureServiceUser(user: string = ES_USER): Promise<void> {
  if ((await run('id', ['-u', user])).code === 0) return;
  const useradd = await which('useradd');
  if (useradd === undefined) {
    throw new StackError(
      `user ${user} does not exist and useradd is not on PATH; create a non-root user named ${user}`,
    );
  }
  const shell = (await exists('/usr/sbin/nologin')) ? '/usr/sbin/nologin' : '/bin/false';
  await mustRun(`creating user ${user}`, useradd, ['-r', '-M', '-s', shell, user]);
}

/** `chown -R user:` on each path (the user's login group). */
export async function chownTree(user: string, paths: readonly string[]): Promise<void> {
  if (paths.length > 0)
    await mustRun(`giving ${paths.join(', ')} to ${user}`, 'chown', ['-R', `${user}:`, ...paths]);
}

/** Adds execute bits under every `bin/` directory (`jar xf` does not keep them). */
async function chmodBins(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (!entry.isDirectory()) continue;
    if (entry.name === 'bin') {
      for (const f of await readdir(path, { withFileTypes: true })) {
        if (f.isFile()) await chmod(join(path, f.name), 0o755);
      }
    } else {
      await chmodBins(path);
    }
  }
}

/** Options of {@link ensureEsInstall}. */
export interface InstallOptions {
  stackDir: string;
  version: string;
  /** Produces the zip (downloading it if needed); only called when the install is missing. */
  zip: () => Promise<string>;
  /** JDK whose `bin/jar` unpacks when `unzip` is missing. */
  javaHome: string;
  /** Owner to give the install to (root only), or `undefined` to leave it as is. */
  owner: string | undefined;
  log: (msg: string) => void;
}

/**
 * Makes sure `<stackDir>/elasticsearch-<version>` holds a complete install. The zip is unpacked
 * into a temporary directory which is renamed into place at the end, so a half-unpacked install is
 * never used. Call with the stack lock held.
 */
export async function ensureEsInstall(o: InstallOptions): Promise<string> {
  const dir = esInstallDir(o.stackDir, o.version);
  if (await exists(join(dir, 'bin', 'elasticsearch'))) return dir;
  for (const name of await readdir(o.stackDir)) {
    if (name.startsWith(`.unpack-${o.version}-`))
      await rm(join(o.stackDir, name), { recursive: true, force: true });
  }
  const zip = await o.zip();
  const started = Date.now();
  o.log(`elasticsearch: unpacking ${o.version} into ${dir}…`);
  const tmp = join(o.stackDir, `.unpack-${o.version}-${process.pid}`);
  await mkdir(tmp, { recursive: true });
  try {
    const unzip = await which('unzip');
    const jar = join(o.javaHome, 'bin', 'jar');
    if (unzip !== undefined) {
      await mustRun(`unpacking ${zip}`, unzip, ['-q', zip, '-d', tmp]);
    } else if (await exists(jar)) {
      await mustRun(`unpacking ${zip}`, jar, ['xf', zip], tmp);
      await chmodBins(tmp);
    } else {
      throw new StackError(
        `neither unzip nor ${jar} is available to unpack ${zip}; install unzip (e.g. \`apt-get install unzip\`)`,
      );
    }
    const inner = join(tmp, `elasticsearch-${o.version}`);
    if (!(await exists(join(inner, 'bin', 'elasticsearch')))) {
      throw new StackError(
        `${zip} does not contain elasticsearch-${o.version}/bin/elasticsearch; delete it so it is downloaded again`,
      );
    }
    if (o.owner !== undefined) await chownTree(o.owner, [inner]);
    await rename(inner, dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  o.log(`elasticsearch: unpacked in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}
