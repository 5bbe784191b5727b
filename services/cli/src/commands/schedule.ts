import { Queue } from 'bullmq';
import { PermanentError, SCHEDULE_QUEUE } from '@paperline/contracts';
import { RedisKeys } from '@paperline/core/redis';
import { ScheduleSchema, loadSchedules, saveSchedules, type Schedule } from '@paperline/core/pipeline';
import type { CliContext } from '../context.js';
import { printJson, table } from '../output.js';

export async function scheduleList(ctx: CliContext, opts: { json: boolean }): Promise<number> {
  const schedules = loadSchedules(ctx.cfg.schedulesFile);
  const next = new Map<string, number | undefined>();
  try {
    const q = new Queue(SCHEDULE_QUEUE, {
      connection: ctx.redis,
      prefix: new RedisKeys(ctx.cfg.queuePrefix).queuePrefix(SCHEDULE_QUEUE),
    });
    for (const js of await q.getJobSchedulers(0, 999)) next.set(js.id ?? js.key, js.next);
    await q.close();
  } catch {
    /* Redis down: the file alone is still worth showing */
  }
  if (opts.json) {
    printJson(
      schedules.map((s) => ({
        ...s,
        next: next.get(s.name) ? new Date(next.get(s.name)!).toISOString() : null,
      })),
    );
    return 0;
  }
  process.stdout.write(`schedules in ${ctx.cfg.schedulesFile}:\n`);
  process.stdout.write(
    `${table(
      schedules.map((s) => ({
        name: s.name,
        cron: s.cron,
        tz: s.tz,
        enabled: s.enabled ? 'yes' : 'no',
        next: next.get(s.name) ? new Date(next.get(s.name)!).toISOString() : '-',
        seeds: s.seeds.length === 1 ? s.seeds[0]! : `${s.seeds[0]} (+${s.seeds.length - 1})`,
      })),
    )}\n`,
  );
  return 0;
}

export async function scheduleAdd(
  ctx: CliContext,
  name: string,
  opts: { cron: string; tz: string; seed: string[]; depth: string; disabled?: boolean },
): Promise<number> {
  const parsed = ScheduleSchema.safeParse({
    name,
    cron: opts.cron,
    tz: opts.tz,
    seeds: opts.seed,
    depth: Number(opts.depth),
    enabled: !opts.disabled,
  });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new PermanentError('INVALID_PAYLOAD', `bad schedule: ${i?.path.join('.')}: ${i?.message}`, {
      stage: 'cli',
    });
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: parsed.data.tz });
  } catch {
    throw new PermanentError('INVALID_PAYLOAD', `bad schedule: unknown time zone '${parsed.data.tz}'`, {
      stage: 'cli',
    });
  }
  const all: Schedule[] = loadSchedules(ctx.cfg.schedulesFile).filter((s) => s.name !== name);
  all.push(parsed.data);
  saveSchedules(ctx.cfg.schedulesFile, all);
  process.stdout.write(
    `schedule '${name}' saved to ${ctx.cfg.schedulesFile} (a running scheduler picks it up within seconds)\n`,
  );
  return 0;
}

export async function scheduleRemove(ctx: CliContext, name: string): Promise<number> {
  const all = loadSchedules(ctx.cfg.schedulesFile);
  if (!all.some((s) => s.name === name)) {
    process.stderr.write(`no schedule named '${name}'\n`);
    return 4;
  }
  saveSchedules(
    ctx.cfg.schedulesFile,
    all.filter((s) => s.name !== name),
  );
  process.stdout.write(`schedule '${name}' removed\n`);
  return 0;
}
