import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { StackError } from './errors.js';
import { run, which } from './proc.js';

/** Maven coordinates of the Elasticsearch distribution we run (the only one on Maven Central). */
export const ES_GROUP_ID = 'org.elasticsearch.distribution.integ-test-zip';

/** `groupId:artifactId:version:type` for `mvn dependency:get`. */
export function esArtifact(version: string): string {
  return `${ES_GROUP_ID}:elasticsearch:${version}:zip`;
}

/** Where the zip of `version` lives inside a local Maven repository. */
export function esZipPath(localRepo: string, version: string): string {
  return join(localRepo, ...ES_GROUP_ID.split('.'), 'elasticsearch', version, `elasticsearch-${version}.zip`);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile() && s.size > 0,
    () => false,
  );
}

/** The local repository Maven uses (`settings.localRepository`), else `~/.m2/repository`. */
export async function mavenLocalRepository(mvn: string): Promise<string> {
  const fallback = join(homedir(), '.m2', 'repository');
  const res = await run(
    mvn,
    ['-B', '-q', 'help:evaluate', '-Dexpression=settings.localRepository', '-DforceStdout'],
    {
      timeoutMs: 120_000,
    },
  ).catch(() => undefined);
  const path = res?.code === 0 ? res.output.trim().split('\n').pop()?.trim() : undefined;
  return path !== undefined && isAbsolute(path) ? path : fallback;
}

/** The line of mvn output that says why it failed (ANSI colours removed), else its last lines. */
export function mavenFailure(output: string): string {
  // eslint-disable-next-line no-control-regex
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const why =
    lines.find((l) => /Failed to execute goal|Could not (?:find|transfer)|Couldn't download/.test(l)) ??
    lines.find((l) => l.startsWith('[ERROR]') && l.length > '[ERROR] '.length);
  return (
    why ??
    lines
      .filter((l) => l.trim() !== '')
      .slice(-5)
      .join('\n')
  )
    .trim()
    .slice(0, 800);
}

/**
 * The path of the Elasticsearch `integ-test-zip` of `version` in the local Maven repository,
 * downloading it from Maven Central with `mvn dependency:get` when it is not there yet.
 */
export async function ensureEsZip(version: string, log: (msg: string) => void): Promise<string> {
  const defaultZip = esZipPath(join(homedir(), '.m2', 'repository'), version);
  if (await isFile(defaultZip)) return defaultZip;
  const mvn = await which('mvn');
  if (mvn === undefined) {
    throw new StackError(
      `mvn (Apache Maven) is not on PATH; it downloads Elasticsearch ${version} from Maven Central. ` +
        `Install it (e.g. \`apt-get install maven\`), or point ELASTICSEARCH_URL at a running Elasticsearch ${version.split('.')[0]}.x`,
    );
  }
  const zip = esZipPath(await mavenLocalRepository(mvn), version);
  if (await isFile(zip)) return zip;
  log(`elasticsearch: downloading ${version} from Maven Central…`);
  const started = Date.now();
  const res = await run(
    mvn,
    ['-B', '-q', '-U', 'dependency:get', `-Dartifact=${esArtifact(version)}`, '-Dtransitive=false'],
    {
      timeoutMs: 30 * 60_000,
    },
  );
  if (res.code !== 0 || !(await isFile(zip))) {
    const tail = mavenFailure(res.output);
    throw new StackError(
      `could not download ${esArtifact(version)} from Maven Central with mvn (exit ${res.code ?? res.signal}). ` +
        `Check the network and the version: Maven Central's metadata lists no 9.x integ-test-zip, yet some 9.x files are there (9.3.2, 9.2.4, 9.1.0; not 9.3.3–9.3.5 or 9.4.x when last checked). ` +
        `mvn said:\n${tail}`,
      { context: { artifact: esArtifact(version) } },
    );
  }
  log(`elasticsearch: downloaded ${version} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return zip;
}
