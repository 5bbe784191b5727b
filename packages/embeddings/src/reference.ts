import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HOW_TO_FETCH } from './errors.js';
// The reference runs ONNX Runtime 1.29 on the JDK, which reads the same telemetry switch.
import './no-telemetry.js';

/** The Maven project of the reference: its pom.xml and Reference.java. */
export const REFERENCE_DIR = fileURLToPath(new URL('../reference/', import.meta.url));

/** The file in the model directory that holds the reference's Java classpath, written by set-up. */
export function referenceClasspathFile(modelDir: string): string {
  return join(modelDir, 'reference.classpath');
}

/** The JARs of the reference's classpath, as set-up resolved them. */
export async function readReferenceClasspath(modelDir: string): Promise<string[]> {
  const file = referenceClasspathFile(modelDir);
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new Error(`the reference classpath ${file} cannot be read; ${HOW_TO_FETCH}`, { cause: err });
  });
  return text
    .trim()
    .split(':')
    .filter((jar) => jar !== '');
}

/** What Reference.java prints (see its documentation). */
export interface ReferenceVectors {
  /** The ONNX Runtime version the reference ran on. */
  onnxruntime: string;
  /** langchain4j's AllMiniLmL6V2QuantizedEmbeddingModel as shipped: texts truncated at 128 tokens. */
  allMiniLmL6V2Q: number[][];
  /** langchain4j's OnnxEmbeddingModel on the same model, texts truncated at 256 tokens. */
  maxTokens256: number[][];
}

/**
 * Embeds `texts` with the langchain4j reference on the JDK (`$JAVA_HOME/bin/java`, else `java` on
 * PATH), from the classpath set-up resolved; it reads nothing from the network, and its ONNX Runtime
 * sends nothing (the environment it inherits has `ORT_DISABLE_TELEMETRY`).
 */
export async function runReference(texts: readonly string[], modelDir: string): Promise<ReferenceVectors> {
  const classpath = (await readReferenceClasspath(modelDir)).join(':');
  const javaHome = process.env.JAVA_HOME;
  const java = javaHome !== undefined && javaHome !== '' ? join(javaHome, 'bin', 'java') : 'java';
  const running = promisify(execFile)(
    java,
    ['-Dai.djl.offline=true', '-cp', classpath, join(REFERENCE_DIR, 'Reference.java')],
    { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
  );
  running.child.stdin?.end(JSON.stringify(texts));
  const { stdout } = await running;
  return JSON.parse(stdout) as ReferenceVectors;
}
