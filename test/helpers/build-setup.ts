import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Once per run of the suites that start `paperline` as users do (the compiled bin): bring the
 * compiled build up to date first (`tsc -b`, a few seconds when nothing changed), so they never
 * run stale JavaScript after a source edit.
 */
export default function build(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b'], {
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    stdio: 'inherit',
  });
}
