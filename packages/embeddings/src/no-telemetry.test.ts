import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** The built embedder module, as a worker process loads it. */
const EMBEDDER = new URL('../dist/embedder.js', import.meta.url);

/**
 * Loads the embedder module in a fresh Node process and prints, as JSON, what
 * `ORT_DISABLE_TELEMETRY` was at each moment ONNX Runtime's native binding was loaded: the moment
 * that matters, since the runtime reads the switch once, when it starts.
 */
const PROBE = `
import { createRequire } from 'node:module';
const Module = createRequire(import.meta.url)('node:module');
const load = Module._load;
const seen = [];
Module._load = function (request, ...rest) {
  if (/onnxruntime_binding\\.node$/.test(request)) seen.push(process.env.ORT_DISABLE_TELEMETRY ?? null);
  return load.call(this, request, ...rest);
};
await import(process.argv[1]);
console.log(JSON.stringify(seen));
`;

async function switchWhenOnnxRuntimeLoads(env: NodeJS.ProcessEnv): Promise<(string | null)[]> {
  if (!existsSync(EMBEDDER))
    throw new Error(`${fileURLToPath(EMBEDDER)} is missing: run \`pnpm build\` first`);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', PROBE, EMBEDDER.href],
    { env },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!) as (string | null)[];
}

/** This process's environment without the switch (another test file may have set it here). */
function withoutSwitch(): NodeJS.ProcessEnv {
  const { ORT_DISABLE_TELEMETRY: _ignored, ...env } = process.env;
  return env;
}

describe('ONNX Runtime telemetry', () => {
  it('is switched off before the runtime is loaded', async () => {
    expect(await switchWhenOnnxRuntimeLoads(withoutSwitch())).toEqual(['1']);
  });

  it("leaves an operator's own setting alone", async () => {
    expect(await switchWhenOnnxRuntimeLoads({ ...withoutSwitch(), ORT_DISABLE_TELEMETRY: '0' })).toEqual([
      '0',
    ]);
  });
});
