import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { createRedis } from './redis.js';

const dir = mkdtempSync(join(tmpdir(), 'paperline-redis-auth-'));
const password = 'file-secret-3f9c2a71';
let server: ChildProcess;
let url: string;

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as { port: number };
  s.close();
  await once(s, 'close');
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  // Our own Redis that requires a password, without persistence, in a temporary directory.
  server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--requirepass', password, '--save', '', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
  });
});

afterAll(async () => {
  if (server.exitCode === null) {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('a Redis that requires a password', () => {
  it('refuses a connection without it (so the next test can fail)', async () => {
    const redis = createRedis(url, 'producer');
    redis.on('error', () => undefined);
    try {
      await expect(redis.ping()).rejects.toThrow(/NOAUTH/);
    } finally {
      redis.disconnect();
    }
  });

  it('accepts the connection made from the config when the password comes from REDIS_PASSWORD_FILE', async () => {
    const file = join(dir, 'redis-password');
    writeFileSync(file, `${password}\n`);
    const cfg = loadConfig({ REDIS_URL: url, REDIS_PASSWORD_FILE: file });
    const redis = createRedis(cfg.redisUrl, 'producer');
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });
});
