import { statSync } from 'node:fs';
import { Queue, Worker } from 'bullmq';
import { SCHEDULE_QUEUE } from '@paperline/contracts';
import { RedisKeys } from '@paperline/core/redis';
import { loadSchedules, resolveSeeds, type Runtime, type Schedule } from '@paperline/core/pipeline';
import { startCrawl } from '@paperline/ops';
import { fireSchedule, type ScheduleDeps } from './process.js';
import { syncJobSchedulers } from './sync.js';

/**
 * The scheduler: fires each schedule's crawl on its cron (BullMQ job schedulers, so one fires per
 * tick however many schedulers run) and reloads the schedules file when it changes.
 */
export async function startScheduler(rt: Runtime): Promise<{ stop(): Promise<void> }> {
  const { cfg, log } = rt;
  const keys = new RedisKeys(cfg.queuePrefix);
  const queue = new Queue(SCHEDULE_QUEUE, {
    connection: rt.queueRedis,
    prefix: keys.queuePrefix(SCHEDULE_QUEUE),
  });

  let schedules: Schedule[] = loadSchedules(cfg.schedulesFile);
  let mtime = fileMtime();
  function fileMtime(): number {
    try {
      return statSync(cfg.schedulesFile).mtimeMs;
    } catch {
      return 0;
    }
  }

  const deps: ScheduleDeps = {
    schedules: () => schedules,
    resolveSeeds: (s, at) => resolveSeeds(s, cfg.bases, at),
    startCrawl: (seeds, opts) => startCrawl(rt, seeds, opts),
    lastCrawl: (name) => rt.redis.get(keys.scheduleLastCrawl(name)),
    setLastCrawl: async (name, id) => {
      await rt.redis.set(keys.scheduleLastCrawl(name), id, 'EX', 30 * 86_400);
    },
    isFinished: async (id) => (await rt.crawls.summary(id))?.finished ?? true,
  };

  await syncJobSchedulers(queue, schedules);
  log.info(
    { schedules: schedules.map((s) => `${s.name} (${s.cron} ${s.tz})`), file: cfg.schedulesFile },
    'scheduler started',
  );

  // Edits to the schedules file (e.g. `paperline schedule add`) take effect without a restart.
  const watcher = setInterval(() => {
    const m = fileMtime();
    if (m === mtime) return;
    mtime = m;
    try {
      schedules = loadSchedules(cfg.schedulesFile);
      void syncJobSchedulers(queue, schedules).then((r) => log.info(r, 'schedules reloaded'));
    } catch (err) {
      log.error({ err }, 'schedules file is invalid; keeping the previous schedules');
    }
  }, 2000);

  const worker = new Worker(
    SCHEDULE_QUEUE,
    async (job) => {
      const name = String((job.data as { name?: unknown }).name ?? job.name);
      const res = await fireSchedule(name, new Date(job.timestamp), deps);
      log.info({ schedule: name, ...res }, 'schedule fired');
      return res;
    },
    { connection: rt.queueRedis, prefix: keys.queuePrefix(SCHEDULE_QUEUE), concurrency: 1 },
  );
  worker.on('error', (err) => log.error({ err }, 'scheduler worker error'));

  return {
    async stop() {
      clearInterval(watcher);
      await worker.close();
      await queue.close();
    },
  };
}
