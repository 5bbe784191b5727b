import calculateSlot from 'cluster-key-slot';
import type { ChainableCommander } from 'ioredis';
import { isCluster, type RedisClient } from './redis.js';

/**
 * Redis Cluster's slot of a key (CRC16 of its `{hash tag}` when it has one, else of the whole key).
 * Keys of one script call, one MULTI or one pipeline must share a slot on a cluster: ioredis does
 * not split a command across slots, Redis refuses it with CROSSSLOT.
 */
export function slotOf(key: string): number {
  return calculateSlot(key);
}

/**
 * Items grouped so that each group's keys share a slot: on a Cluster one group per slot, on a
 * single server one group (as many keys per call as the caller gives). Groups keep the items'
 * order within them.
 */
export function groupBySlot<T>(redis: RedisClient, items: readonly T[], keyOf: (item: T) => string): T[][] {
  if (items.length === 0) return [];
  if (!isCluster(redis)) return [[...items]];
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const slot = slotOf(keyOf(item));
    const group = groups.get(slot);
    if (group) group.push(item);
    else groups.set(slot, [item]);
  }
  return [...groups.values()];
}

/**
 * One single-key command per key (`add` queues it on the pipeline), sent as one pipeline per slot
 * group (one pipeline on a single server), concurrently; the replies come back in the keys'
 * order. The first error is thrown.
 */
export async function pipelinePerKey(
  redis: RedisClient,
  keys: readonly string[],
  add: (pipe: ChainableCommander, key: string) => void,
): Promise<unknown[]> {
  const out = new Array<unknown>(keys.length);
  const indexed = keys.map((key, i) => ({ key, i }));
  await Promise.all(
    groupBySlot(redis, indexed, (e) => e.key).map(async (group) => {
      const pipe = redis.pipeline();
      for (const { key } of group) add(pipe, key);
      const res = (await pipe.exec()) ?? [];
      group.forEach(({ i }, j) => {
        const [err, value] = res[j] ?? [new Error('no reply from Redis'), null];
        if (err) throw err;
        out[i] = value;
      });
    }),
  );
  return out;
}
