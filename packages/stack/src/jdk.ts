import { constants } from 'node:fs';
import { access, readFile, readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError } from './errors.js';
import { run } from './proc.js';

/** A JDK found on this machine. */
export interface JdkCandidate {
  home: string;
  /** Feature release: 17, 21, 25… */
  major: number;
  /** Full version string when known, e.g. `17.0.15`. */
  version: string;
}

/** Which Java versions an Elasticsearch major runs on. */
export interface JavaRequirement {
  /** Oldest Java it runs on. */
  min: number;
  /** Tried first, in order (what Elastic tests that line with). */
  preferred: readonly number[];
}

/** Major of a Java version string: `17.0.15` → 17, `1.8.0_392` → 8, `21` → 21. */
export function javaMajor(version: string): number | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (m === null) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}

/** The `JAVA_VERSION` of a JDK's `release` file. */
export function parseReleaseFile(text: string): string | undefined {
  return /^JAVA_VERSION="?([^"\n]+)"?/m.exec(text)?.[1];
}

/** Guesses the major from a directory name: `java-17-openjdk-amd64`, `temurin-25-jdk-amd64`, `jdk-21.0.2`. */
export function majorFromDirName(name: string): number | undefined {
  const m = /(?:^|[-_])(?:1\.)?(\d{1,2})(?:[._-]|$)/.exec(name);
  const major = m?.[1] !== undefined ? Number(m[1]) : undefined;
  return major !== undefined && major >= 8 ? major : undefined;
}

/** The Java an Elasticsearch major needs: 7.x 11+, 8.x 17+ (21 or 17 preferred), 9.x 21+. */
export function javaRequirement(esMajor: number): JavaRequirement {
  if (esMajor >= 9) return { min: 21, preferred: [21, 25] };
  if (esMajor === 8) return { min: 17, preferred: [21, 17] };
  return { min: 11, preferred: [17, 11] };
}

/**
 * Picks the JDK for an Elasticsearch major: a preferred version first, else the oldest one that is
 * new enough (closest to what Elastic tested). `undefined` when none qualifies.
 */
export function selectJdk(candidates: readonly JdkCandidate[], esMajor: number): JdkCandidate | undefined {
  const req = javaRequirement(esMajor);
  for (const want of req.preferred) {
    const hit = candidates.find((c) => c.major === want);
    if (hit !== undefined) return hit;
  }
  return [...candidates].filter((c) => c.major >= req.min).sort((a, b) => a.major - b.major)[0];
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Describes the JDK at `home` (must contain `bin/java`), or `undefined`. */
export async function inspectJdk(home: string): Promise<JdkCandidate | undefined> {
  if (!(await isExecutable(join(home, 'bin', 'java')))) return undefined;
  let version: string | undefined;
  try {
    version = parseReleaseFile(await readFile(join(home, 'release'), 'utf8'));
  } catch {
    const res = await run(join(home, 'bin', 'java'), ['-version'], { timeoutMs: 15_000 }).catch(
      () => undefined,
    );
    version = res !== undefined ? /version "([^"]+)"/.exec(res.output)?.[1] : undefined;
  }
  const major = version !== undefined ? javaMajor(version) : majorFromDirName(home.split('/').pop() ?? '');
  return major === undefined ? undefined : { home, major, version: version ?? String(major) };
}

/** JDKs under `root` (each directory with `bin/java`, symlinked duplicates once) plus `extra` homes. */
export async function findJdks(
  root = '/usr/lib/jvm',
  extra: readonly string[] = [],
): Promise<JdkCandidate[]> {
  const names = await readdir(root).then(
    (n) => n.sort(),
    () => [], // no such directory: no JDKs there
  );
  const seen = new Set<string>();
  const found: JdkCandidate[] = [];
  for (const home of [...names.map((n) => join(root, n)), ...extra]) {
    const real = await realpath(home).catch(() => undefined);
    if (real === undefined || seen.has(real)) continue;
    seen.add(real);
    const jdk = await inspectJdk(real);
    if (jdk !== undefined) found.push(jdk);
  }
  return found;
}

/**
 * The JDK to run Elasticsearch `esVersion` with: the explicit one (checked), else the best under
 * `/usr/lib/jvm` or `JAVA_HOME`. Throws a {@link StackError} saying what to install otherwise.
 */
export async function resolveJdk(
  esVersion: string,
  explicit: { home: string; source: string } | undefined,
  root = '/usr/lib/jvm',
): Promise<JdkCandidate> {
  const esMajor = javaMajor(esVersion) ?? 8;
  const req = javaRequirement(esMajor);
  if (explicit !== undefined) {
    const jdk = await inspectJdk(explicit.home);
    if (jdk === undefined) {
      throw new StackError(`${explicit.source} is ${explicit.home}, which has no executable bin/java`);
    }
    if (jdk.major < req.min) {
      throw new StackError(
        `${explicit.source} is ${explicit.home} (Java ${jdk.version}), but Elasticsearch ${esVersion} needs Java ${req.min} or newer`,
      );
    }
    return jdk;
  }
  const javaHome = process.env.JAVA_HOME;
  const jdk = selectJdk(
    await findJdks(root, javaHome !== undefined && javaHome !== '' ? [javaHome] : []),
    esMajor,
  );
  if (jdk === undefined) {
    const pkg = req.min <= 17 ? 'openjdk-17-jdk-headless' : 'openjdk-21-jdk-headless';
    throw new StackError(
      `no JDK ${req.preferred.join(' or ')} (or any Java ${req.min}+) found under ${root} to run Elasticsearch ${esVersion}; ` +
        `install one (e.g. \`apt-get install ${pkg}\`) or set PAPERLINE_JAVA_HOME to a JDK home`,
    );
  }
  return jdk;
}
