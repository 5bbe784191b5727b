import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { PermanentError } from '@paperline/contracts';

/** One recurring crawl. Seeds may use {hf}, {arxiv}, {arxivApi} and {date:-N} (N days before firing). */
export const ScheduleSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'name: lowercase letters, digits and -'),
  /** Cron pattern (5 fields, or 6 with seconds). */
  cron: z.string().min(9).max(120),
  /** IANA time zone the cron pattern is read in. */
  tz: z.string().default('UTC'),
  seeds: z.array(z.string().min(1)).min(1).max(10_000),
  depth: z.number().int().min(0).max(10).default(0),
  enabled: z.boolean().default(true),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

const SchedulesFileSchema = z.object({ schedules: z.array(ScheduleSchema) });

/** What Paperline schedules out of the box (also written when the file does not exist yet). */
const DEFAULT_SCHEDULES: Schedule[] = [
  {
    name: 'hf-recent-days',
    cron: '7 * * * *',
    tz: 'UTC',
    // Upvotes keep growing for days: recrawl the last three listings every hour.
    seeds: ['{hf}/papers/date/{date:-0}', '{hf}/papers/date/{date:-1}', '{hf}/papers/date/{date:-2}'],
    depth: 0,
    enabled: true,
  },
  {
    name: 'arxiv-new',
    cron: '30 1 * * *',
    tz: 'UTC',
    // arXiv announces new submissions once a day (around 00:00 UTC, Sunday to Thursday).
    seeds: [
      '{arxiv}/list/cs.AI/new',
      '{arxiv}/list/cs.LG/new',
      '{arxiv}/list/cs.CL/new',
      '{arxiv}/list/cs.CV/new',
    ],
    depth: 0,
    enabled: true,
  },
];

/** Reads the schedules file; a missing file means the default set. */
export function loadSchedules(file: string): Schedule[] {
  if (!existsSync(file)) return DEFAULT_SCHEDULES;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PermanentError('CONFIG_INVALID', `schedules file ${file} is not valid JSON: ${String(err)}`, {
      stage: 'config',
    });
  }
  const parsed = SchedulesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new PermanentError(
      'CONFIG_INVALID',
      `schedules file ${file}: ${i?.path.join('.')}: ${i?.message}`,
      { stage: 'config' },
    );
  }
  const names = new Set<string>();
  for (const s of parsed.data.schedules) {
    if (names.has(s.name))
      throw new PermanentError('CONFIG_INVALID', `schedules file ${file}: duplicate name '${s.name}'`, {
        stage: 'config',
      });
    names.add(s.name);
  }
  return parsed.data.schedules;
}

/** Writes the schedules file atomically (write to a temp file, then rename). */
export function saveSchedules(file: string, schedules: Schedule[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ schedules }, null, 2)}\n`);
  renameSync(tmp, file);
}

/** The seeds of a schedule for one firing time. */
export function resolveSeeds(
  s: Pick<Schedule, 'seeds' | 'tz'>,
  bases: { hfBaseUrl: string; arxivBaseUrl: string; arxivApiUrl: string },
  at: Date,
): string[] {
  const dayIn = (offsetDays: number) => {
    const d = new Date(at.getTime() - offsetDays * 86_400_000);
    // en-CA formats as YYYY-MM-DD; the schedule's time zone decides which day it is.
    return new Intl.DateTimeFormat('en-CA', {
      timeZone: s.tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    }).format(d);
  };
  return s.seeds.map((t) =>
    t
      .replaceAll('{hf}', bases.hfBaseUrl)
      .replaceAll('{arxivApi}', bases.arxivApiUrl)
      .replaceAll('{arxiv}', bases.arxivBaseUrl)
      .replace(/\{date:-(\d+)\}/g, (_, n: string) => dayIn(Number(n))),
  );
}
