/** What the policy changes on the index (through the alias). */
export interface RefreshControl {
  setRefreshInterval(value: string): Promise<void>;
  refresh(): Promise<void>;
}

export interface RefreshOptions {
  /** The index's own interval (the template's): searchable within about this long. */
  normalInterval: string;
  /** The interval while documents arrive faster than `backfillDocsPerSecond`. */
  backfillInterval: string;
  /** Sustained write rate (documents per second over `windowMs`) that counts as a backfill. */
  backfillDocsPerSecond: number;
  /**
   * Jobs waiting in the pipeline's queues at or above which writes count as a backfill whatever
   * their rate: a crawl of thousands of pages is a bulk load even when fetching, not indexing, sets
   * its pace. Infinity turns this off.
   */
  backfillBacklog: number;
  windowMs: number;
  /** No write for this long ends a backfill: the normal interval is restored and the index refreshed. */
  idleMs: number;
  now?: () => number;
  onChange?: (mode: 'backfill' | 'normal', docsPerSecond: number) => void;
  onError?: (err: unknown) => void;
}

/**
 * A refresh interval suited to backfills. Each refresh makes a new segment, and small segments are
 * merged again and again: at a steady 1 s interval a 100,000-paper crawl spends more Elasticsearch
 * CPU on refreshes and merges than on indexing. While documents arrive faster than a backfill rate
 * the index refreshes less often; as soon as writes stop it goes back to its normal interval and
 * is refreshed at once, so the end of a crawl is searchable without waiting for the interval.
 * Slower, steady traffic (a daily crawl) never leaves the normal interval, and a backfill that
 * slows to under three quarters of the backfill rate returns to it.
 *
 * Mode changes are serialized; a failed change is reported and retried on the next write.
 */
export class RefreshPolicy {
  private mode: 'normal' | 'backfill' = 'normal';
  private waiting = 0;
  private readonly recent: Array<{ t: number; n: number }> = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(
    private readonly ctl: RefreshControl,
    private readonly opts: RefreshOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  get current(): 'normal' | 'backfill' {
    return this.mode;
  }

  /** Documents per second written over the window. */
  rate(): number {
    const t = this.now();
    while (this.recent.length > 0 && this.recent[0]!.t <= t - this.opts.windowMs) this.recent.shift();
    return (this.recent.reduce((s, r) => s + r.n, 0) * 1000) / this.opts.windowMs;
  }

  /** Called with the number of jobs waiting in the pipeline's queues, every few seconds. */
  backlog(waiting: number): void {
    this.waiting = waiting;
  }

  /** Called after each bulk request with the number of documents it wrote. */
  written(n: number): void {
    this.recent.push({ t: this.now(), n });
    const rate = this.rate();
    if (this.mode === 'normal' && this.isBulkLoad(rate)) this.switch('backfill', rate);
    // Traffic that slowed to a steady trickle is no backfill any more (with some hysteresis).
    else if (this.mode === 'backfill' && this.isTrickle(rate)) {
      this.switch('normal', rate);
      return;
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.mode === 'backfill') {
      this.armIdle();
    }
  }

  /**
   * No write for `idleMs` ends a backfill, unless the queues still hold a bulk load: then writes
   * paused because work upstream did (a slow page, a retry), and the crawl goes on.
   */
  private armIdle(): void {
    this.idleTimer = setTimeout(() => {
      if (this.waiting >= this.opts.backfillBacklog / 2) this.armIdle();
      else this.switch('normal', this.rate());
    }, this.opts.idleMs);
    this.idleTimer.unref();
  }

  private isBulkLoad(rate: number): boolean {
    return rate >= this.opts.backfillDocsPerSecond || this.waiting >= this.opts.backfillBacklog;
  }

  private isTrickle(rate: number): boolean {
    return rate < this.opts.backfillDocsPerSecond * 0.75 && this.waiting < this.opts.backfillBacklog / 2;
  }

  /** Back to the normal interval (and searchable now), e.g. before the indexer exits. */
  async settle(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.mode === 'backfill') this.switch('normal', this.rate());
    await this.chain;
  }

  private switch(mode: 'normal' | 'backfill', rate: number): void {
    this.mode = mode;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    // What came before a return to normal says nothing about the traffic that follows.
    if (mode === 'normal') this.recent.length = 0;
    this.chain = this.chain.then(async () => {
      if (this.mode !== mode) return; // superseded while queued
      try {
        if (mode === 'backfill') await this.ctl.setRefreshInterval(this.opts.backfillInterval);
        else {
          await this.ctl.setRefreshInterval(this.opts.normalInterval);
          await this.ctl.refresh();
        }
        this.opts.onChange?.(mode, rate);
      } catch (err) {
        this.opts.onError?.(err);
        // As far as we know the index is still in the other mode: a backfill is tried again on
        // the next write, a return to normal after another idle period.
        this.mode = mode === 'backfill' ? 'normal' : 'backfill';
        if (mode === 'normal') {
          this.armIdle();
        }
      }
    });
  }
}
