import type { Schedule } from '@paperline/core/pipeline';

/** The narrow dependencies of a scheduled firing. */
export interface ScheduleDeps {
  schedules: () => Schedule[];
  resolveSeeds: (s: Schedule, at: Date) => string[];
  startCrawl: (seeds: string[], opts: { depth: number; kind: string }) => Promise<string>;
  lastCrawl: (name: string) => Promise<string | null>;
  setLastCrawl: (name: string, crawlId: string) => Promise<void>;
  isFinished: (crawlId: string) => Promise<boolean>;
}

export type FireResult =
  | { outcome: 'started'; crawlId: string }
  | { outcome: 'skipped-overlap'; runningCrawlId: string }
  | { outcome: 'skipped-unknown' | 'skipped-disabled' };

/** One firing of a schedule: starts its crawl unless its previous crawl is still running. */
export async function fireSchedule(name: string, at: Date, deps: ScheduleDeps): Promise<FireResult> {
  const s = deps.schedules().find((x) => x.name === name);
  if (!s) return { outcome: 'skipped-unknown' };
  if (!s.enabled) return { outcome: 'skipped-disabled' };
  const previous = await deps.lastCrawl(name);
  if (previous && !(await deps.isFinished(previous)))
    return { outcome: 'skipped-overlap', runningCrawlId: previous };
  const crawlId = await deps.startCrawl(deps.resolveSeeds(s, at), {
    depth: s.depth,
    kind: `schedule:${name}`,
  });
  await deps.setLastCrawl(name, crawlId);
  return { outcome: 'started', crawlId };
}
