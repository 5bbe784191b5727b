import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import './net-tripwire.mjs';

/**
 * A vitest setup file of every project: the network tripwire is in this test worker (imported
 * above) and in every process the test file starts (NODE_OPTIONS, inherited through the
 * environment), and they all record what they refused in one log per test file. The file fails
 * if that log is not empty, even when the code that tripped swallowed the error.
 */

const TRIPWIRE_IMPORT = `--import=${new URL('./net-tripwire.mjs', import.meta.url).href}`;
const log = join(tmpdir(), `paperline-tripwire-${process.pid}-${randomBytes(4).toString('hex')}.log`);
writeFileSync(log, '');
process.env.PAPERLINE_TRIPWIRE_LOG = log;
const nodeOptions = process.env.NODE_OPTIONS ?? '';
if (!nodeOptions.includes(TRIPWIRE_IMPORT))
  process.env.NODE_OPTIONS = `${nodeOptions} ${TRIPWIRE_IMPORT}`.trim();

afterAll(() => {
  const refused = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  rmSync(log, { force: true });
  expect(refused, 'tripwire: this file (or a process it started) tried to reach beyond loopback').toEqual([]);
});
