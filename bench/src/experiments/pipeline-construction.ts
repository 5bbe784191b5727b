/**
 * Experiment: what a MULTI costs the client when BullMQ shares its connection. BullMQ defines its
 * scripts as commands on the ioredis client it is given, and ioredis copies every defined command
 * into each pipeline and MULTI built on that client. This builds and runs the crawl books' MULTI
 * (an SADD of 50 members and an EXPIRE) on a client the stage queues use and on one they do not,
 * in alternating rounds, and prints the client's CPU per MULTI (user + system) and the number of
 * commands defined on each client. Keys live under a unique prefix and are deleted at the end.
 *
 *   pnpm exec tsx bench/src/experiments/pipeline-construction.ts [multis=20000] [rounds=3]
 */
import { randomBytes } from 'node:crypto';
import { provenance } from './measure.js';
import { loadConfig } from '@paperline/core/config';
import { createQueues, closeQueues, jobCounts } from '@paperline/core/pipeline';
import { createRedis, unlinkMatching, type RedisClient } from '@paperline/core/redis';

const multis = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 3);
const cfg = loadConfig();
const prefix = `pc-${randomBytes(4).toString('hex')}`;
const shared = createRedis(cfg, 'worker');
const plain = createRedis(cfg, 'worker');
const queues = createQueues(shared, prefix, { fetchAttempts: 3, failedRetentionSeconds: 60 });
await jobCounts(queues.fetch); // BullMQ loads its commands on first use
const members = Array.from({ length: 50 }, (_, i) => `paper-${i.toString().padStart(4, '0')}`);

/** The client's CPU in µs per MULTI, built and run one after another, 50 at a time in flight. */
async function cpuPerMulti(redis: RedisClient): Promise<number> {
  const key = `${prefix}:books`;
  const started = process.cpuUsage();
  for (let i = 0; i < multis; i += 50) {
    const batch = [];
    for (let j = 0; j < 50; j++)
      batch.push(
        redis
          .multi()
          .sadd(key, ...members)
          .expire(key, 60)
          .exec(),
      );
    await Promise.all(batch);
  }
  const cpu = process.cpuUsage(started);
  return (cpu.user + cpu.system) / multis;
}

const defined = (r: RedisClient) => Object.keys((r as unknown as { scriptsSet: object }).scriptsSet).length;
console.log(provenance());
console.log(`commands defined: on the queues' client ${defined(shared)}, on the other ${defined(plain)}`);
for (let r = 0; r < rounds; r++) {
  const withQueues = await cpuPerMulti(shared);
  const apart = await cpuPerMulti(plain);
  console.log(
    `round ${r + 1}: client CPU per MULTI ${withQueues.toFixed(1)} µs on the queues' client, ${apart.toFixed(1)} µs apart`,
  );
}
await unlinkMatching(plain, `${prefix}:*`);
await closeQueues(queues);
shared.disconnect();
plain.disconnect();
