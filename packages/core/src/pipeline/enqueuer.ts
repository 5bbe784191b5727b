import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';
import { JOB_SCHEMAS, PermanentError, type Stage } from '@paperline/contracts';
import type { CrawlStore } from './crawl-state.js';
import type { StageQueues } from './queues.js';
import { ROUTES, isForwardEdge, jobIdFor, type Emit } from './routing.js';

interface EnqueuerOptions {
  /** A forward stage with more waiting jobs than this makes producers wait. @defaultValue 2000 */
  maxBacklog?: number;
  /** How often a waiting producer re-checks the backlog. @defaultValue 250 */
  pollMs?: number;
}

/**
 * Adds jobs to the next stages, as the routing table allows: validates each payload, registers it
 * with its crawl *before* adding it (so a crawl never looks finished while work is in flight),
 * then adds it under its deterministic id. Forward edges wait while the target's backlog is full.
 */
export class Enqueuer {
  private readonly maxBacklog: number;
  private readonly pollMs: number;
  private readonly backlogCache = new Map<Stage, { at: number; n: number }>();

  constructor(
    private readonly queues: StageQueues,
    private readonly crawls: CrawlStore,
    opts: EnqueuerOptions = {},
  ) {
    this.maxBacklog = opts.maxBacklog ?? 2000;
    this.pollMs = opts.pollMs ?? 250;
  }

  /**
   * Adds `emits` after `from`; returns their job ids. A wait for room (backpressure) ends with an
   * AbortError when `signal` aborts.
   */
  async enqueue(from: Stage | 'seed', emits: Emit[], signal?: AbortSignal): Promise<string[]> {
    const byStage = new Map<Stage, Emit[]>();
    for (const e of emits) {
      if (from !== 'seed' && !ROUTES[from].includes(e.stage)) {
        throw new Error(`routing: ${from} may not emit to ${e.stage}`);
      }
      const parsed = JOB_SCHEMAS[e.stage].safeParse(e.payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new PermanentError(
          'INVALID_PAYLOAD',
          `refusing to enqueue an invalid ${e.stage} job: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`,
          { stage: e.stage, context: { url: (e.payload as { url?: string }).url } },
        );
      }
      byStage.set(e.stage, [...(byStage.get(e.stage) ?? []), e]);
    }
    const ids: string[] = [];
    for (const [stage, list] of byStage) {
      if (isForwardEdge(from, stage)) await this.waitForRoom(stage, signal);
      const jobs = list.map((e) => ({ id: jobIdFor(e.stage, e.payload as never), e }));
      const byCrawl = new Map<string, string[]>();
      for (const j of jobs)
        byCrawl.set(j.e.payload.crawlId, [...(byCrawl.get(j.e.payload.crawlId) ?? []), j.id]);
      const toAdd = new Set<string>();
      for (const [crawlId, jobIds] of byCrawl)
        for (const id of await this.crawls.register(crawlId, jobIds)) toAdd.add(id);
      const adds = jobs.filter((j) => toAdd.has(j.id));
      if (adds.length > 0) {
        await this.queues[stage].addBulk(
          adds.map((j) => ({ name: stage, data: j.e.payload, opts: { jobId: j.id } })),
        );
      }
      ids.push(...jobs.map((j) => j.id));
    }
    return ids;
  }

  private async waitForRoom(stage: Stage, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const n = await this.backlog(stage);
      if (n < this.maxBacklog) return;
      await sleep(this.pollMs, undefined, { signal });
    }
  }

  private async backlog(stage: Stage): Promise<number> {
    const cached = this.backlogCache.get(stage);
    const now = Date.now();
    if (cached && now - cached.at < this.pollMs) return cached.n;
    const q: Queue = this.queues[stage];
    const c = await q.getJobCounts('waiting', 'prioritized');
    const n = (c.waiting ?? 0) + (c.prioritized ?? 0);
    this.backlogCache.set(stage, { at: now, n });
    return n;
  }
}
