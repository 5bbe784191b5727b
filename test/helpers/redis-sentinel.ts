import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './faults.js';

const run = promisify(execFile);

/** A primary, its replica and one sentinel on loopback, in a temporary directory. */
export interface TestSentinel {
  primaryPort: number;
  replicaPort: number;
  sentinelPort: number;
  /** The group name the sentinel monitors (REDIS_SENTINEL_NAME). */
  name: string;
  /** REDIS_SENTINELS. */
  sentinelsEnv: string;
  /** `redis-cli -p <port> <args…>`, trimmed. */
  cli(port: number, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

const cli = async (port: number, ...args: string[]) =>
  (
    await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]).catch(() => ({ stdout: '' }))
  ).stdout.trim();

/**
 * Starts `redis-server` on `base` (the primary) and `base + 1` (its replica), and a sentinel
 * (`redis-server <conf> --sentinel`) on `base + 2` monitoring them as `paperline` (quorum 1); waits
 * until the replica is in sync and the sentinel names the primary.
 */
export async function startTestSentinel(
  base = Number(process.env.PAPERLINE_SENTINEL_PORT_BASE ?? 7110),
): Promise<TestSentinel> {
  const dir = await mkdtemp(join(tmpdir(), 'paperline-sentinel-'));
  const [primaryPort, replicaPort, sentinelPort] = [base, base + 1, base + 2];
  const name = 'paperline';
  const pidFile = (port: number) => join(dir, `${port}.pid`);
  const common = (port: number) => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--pidfile',
    pidFile(port),
    '--logfile',
    join(dir, `${port}.log`),
    '--daemonize',
    'yes',
  ];
  for (const port of [primaryPort, replicaPort, sentinelPort]) {
    if ((await cli(port, 'ping')) === 'PONG') throw new Error(`something already answers on port ${port}`);
  }
  const conf = join(dir, 'sentinel.conf');
  await writeFile(
    conf,
    [
      `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
      `sentinel down-after-milliseconds ${name} 2000`,
      `sentinel failover-timeout ${name} 10000`,
      '',
    ].join('\n'),
  );
  const self: TestSentinel = {
    primaryPort,
    replicaPort,
    sentinelPort,
    name,
    sentinelsEnv: `127.0.0.1:${sentinelPort}`,
    cli,
    async stop() {
      for (const port of [sentinelPort, replicaPort, primaryPort]) {
        const file = pidFile(port);
        const pid = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : 0;
        if (!pid) continue;
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          continue;
        }
        await waitFor(`redis pid ${pid} to exit`, () => !existsSync(`/proc/${pid}`), 15_000, 50);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await run('redis-server', common(primaryPort));
    await run('redis-server', [...common(replicaPort), '--replicaof', '127.0.0.1', String(primaryPort)]);
    await run('redis-server', [conf, '--sentinel', ...common(sentinelPort)]);
    await waitFor(
      'the replica in sync',
      async () => (await cli(replicaPort, 'info', 'replication')).includes('master_link_status:up'),
      30_000,
    );
    await waitFor(
      'the sentinel to name the primary',
      async () =>
        (await cli(sentinelPort, 'sentinel', 'get-master-addr-by-name', name)).includes(String(primaryPort)),
      30_000,
    );
    return self;
  } catch (err) {
    await self.stop();
    throw err;
  }
}
