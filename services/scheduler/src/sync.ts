import type { Queue } from 'bullmq';
import type { Schedule } from '@paperline/core/pipeline';

/**
 * Makes the queue's job schedulers match the schedules file: one BullMQ job scheduler per enabled
 * schedule (cron with time zone), none for removed or disabled ones. Idempotent, so every
 * scheduler instance on every machine may run it.
 */
export async function syncJobSchedulers(
  queue: Queue,
  schedules: Schedule[],
): Promise<{ upserted: number; removed: number }> {
  const wanted = schedules.filter((s) => s.enabled);
  for (const s of wanted) {
    await queue.upsertJobScheduler(
      s.name,
      { pattern: s.cron, tz: s.tz },
      {
        name: s.name,
        data: { name: s.name },
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
  }
  const names = new Set(wanted.map((s) => s.name));
  let removed = 0;
  for (const js of await queue.getJobSchedulers(0, 999)) {
    const id = js.id ?? js.key;
    if (id && !names.has(id)) {
      await queue.removeJobScheduler(id);
      removed += 1;
    }
  }
  return { upserted: wanted.length, removed };
}
