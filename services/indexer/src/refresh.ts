/** What the policy reads and changes on the index (through the alias). */
export interface RefreshControl {
  /** The index's refresh interval now. */
  refreshInterval(): Promise<string>;
  setRefreshInterval(value: string): Promise<void>;
  refresh(): Promise<void>;
}

/**
 * Leases shared by the indexer processes of one index, in Redis: those that want the backfill
 * interval (BackfillHolders), those writing now (IndexWriters). Each call resolves to the number
 * of live leases after it.
 */
export interface Holders {
  hold(): Promise<number>;
  release(): Promise<number>;
}

export interface RefreshOptions {
  /** The index's own interval (the template's): searchable within about this long. */
  normalInterval: string;
  /** The interval while any indexer bulk-loads. */
  backfillInterval: string;
  /**
   * Sustained write rate to the index (documents per second over `windowMs`) that counts as a
   * backfill: this process's rate times the indexers writing now.
   */
  backfillDocsPerSecond: number;
  /**
   * Jobs waiting in the pipeline's queues at or above which writes count as a backfill whatever
   * their rate: a crawl of thousands of pages is a bulk load even when fetching, not indexing, sets
   * its pace. Infinity turns this off.
   */
  backfillBacklog: number;
  windowMs: number;
  /**
   * The window a backfill's end is judged on (shorter than `windowMs`): a backfill that slows to
   * steady traffic ends within about this long.
   */
  exitWindowMs: number;
  /**
   * No write for this long ends this process's backfill once the queues are empty, or the window's
   * rate has fallen to a trickle.
   */
  idleMs: number;
  /**
   * How often the index's interval is checked against the holders (and this process's leases
   * renewed, or given up): what another process changed meanwhile, a holder that died, a change
   * that failed, are all put right within this long. Shorter than the leases. A process that wrote
   * within this long counts among the index's writers.
   */
  checkMs: number;
  now?: () => number;
  /** The index's interval was changed by this process (with its rate when it last changed its want). */
  onChange?: (interval: 'backfill' | 'normal', docsPerSecond: number) => void;
  onError?: (err: unknown) => void;
}

/**
 * A refresh interval suited to backfills. Each refresh makes a new segment, and small segments are
 * merged again and again: at a steady 1 s interval a 100,000-paper crawl spends more Elasticsearch
 * CPU on refreshes and merges than on indexing. While the index is written faster than a backfill
 * rate (or the queues hold a bulk load) this process holds a backfill lease; the index refreshes
 * less often while any indexer holds one. The index's rate is judged as this process's own times
 * the number of indexers writing now (their leases): indexers that share the queues write at about
 * the same rate, and two processes at 700 documents a second each are a backfill of 1,400 that
 * neither would see alone. Their number is read at every check; the rate is this process's, so a
 * backfill that slows ends within a second, as it would in one process. As soon as the last
 * holder's writes stop the index goes back to its normal interval and is refreshed at once, so the
 * end of a crawl is searchable without waiting for the interval. Slower, steady traffic (a daily
 * crawl) never leaves the normal interval, and a backfill that slows to under three quarters of the
 * backfill rate returns to it.
 *
 * Which interval the index has is decided by the holders alone, and every check puts the index
 * right: one process's pause no longer resets the interval under another that goes on
 * bulk-loading. Lease changes and checks are serialized; a failed one is reported and tried again
 * at the next check.
 */
export class RefreshPolicy {
  /** What this process wants: a backfill lease held, or not. */
  private mode: 'normal' | 'backfill' = 'normal';
  private waiting = 0;
  /** The indexers writing to the index (this one among them), as of the last check. */
  private writing = 1;
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private readonly recent: Array<{ t: number; n: number }> = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private checkQueued = false;
  /** The write rate when this process last changed what it wants (for the log). */
  private rateAtChange = 0;
  private readonly now: () => number;

  constructor(
    private readonly ctl: RefreshControl,
    private readonly holders: Holders,
    private readonly writers: Holders,
    private readonly opts: RefreshOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** What this process wants now (the index follows all processes' wants). */
  get current(): 'normal' | 'backfill' {
    return this.mode;
  }

  /**
   * Puts the index right once (an indexer that died mid-backfill left the longer interval behind,
   * unless another still bulk-loads), then every `checkMs`; a policy turned off (no rate and no
   * backlog makes a backfill) only once.
   */
  async start(): Promise<void> {
    if (Number.isFinite(this.opts.backfillDocsPerSecond) || Number.isFinite(this.opts.backfillBacklog)) {
      this.checkTimer = setInterval(() => void this.queueCheck(), this.opts.checkMs);
      this.checkTimer.unref();
    }
    await this.queueCheck();
  }

  /** Documents per second written over the last `windowMs` (at most the window's). */
  rate(windowMs = this.opts.windowMs): number {
    const t = this.now();
    while (this.recent.length > 0 && this.recent[0]!.t <= t - this.opts.windowMs) this.recent.shift();
    const inWindow = this.recent.filter((r) => r.t > t - windowMs);
    return (inWindow.reduce((s, r) => s + r.n, 0) * 1000) / windowMs;
  }

  /** Called with the number of jobs waiting in the pipeline's queues, every few seconds. */
  backlog(waiting: number): void {
    this.waiting = waiting;
  }

  /** The index's write rate, judged from this process's own (see the class). */
  indexRate(windowMs = this.opts.windowMs): number {
    return this.rate(windowMs) * this.writing;
  }

  /** Called after each bulk request with the number of documents it wrote. */
  written(n: number): void {
    this.lastWriteAt = this.now();
    this.recent.push({ t: this.lastWriteAt, n });
    const rate = this.indexRate();
    if (this.mode === 'normal' && this.isBulkLoad(rate)) this.want('backfill', rate);
    // Traffic that slowed to a steady trickle is no backfill any more (with some hysteresis),
    // judged on the last second: the bulk load's last seconds must not hold the index at the
    // backfill interval under the steady traffic that follows.
    else if (this.mode === 'backfill') {
      const lastSecond = this.indexRate(this.opts.exitWindowMs);
      if (this.isTrickle(lastSecond)) {
        this.want('normal', lastSecond);
        return;
      }
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.mode === 'backfill') this.armIdle();
  }

  /**
   * No write for `idleMs` ends this process's backfill when nothing waits in the queues (the bulk
   * load is done: its end is searchable at once) or the window's rate shows the writes slowed.
   * Otherwise writes paused because work upstream did (a slow page, a retry, the gap between two
   * bulks of a busy process), and the bulk load goes on: on a busy machine a chained process's
   * bulks come more than `idleMs` apart, and ending the backfill at each gap switched the interval
   * back and forth, a refresh and a settings change each time.
   */
  private armIdle(): void {
    this.idleTimer = setTimeout(() => {
      const rate = this.indexRate();
      if (this.waiting === 0 || this.isTrickle(rate)) this.want('normal', rate);
      else this.armIdle();
    }, this.opts.idleMs);
    this.idleTimer.unref();
  }

  private isBulkLoad(rate: number): boolean {
    return rate >= this.opts.backfillDocsPerSecond || this.waiting >= this.opts.backfillBacklog;
  }

  private isTrickle(rate: number): boolean {
    return rate < this.opts.backfillDocsPerSecond * 0.75 && this.waiting < this.opts.backfillBacklog / 2;
  }

  /** Gives this process's lease up (the index back to normal, and searchable now, if it was the last). */
  async settle(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.lastWriteAt = Number.NEGATIVE_INFINITY;
    this.want('normal', this.indexRate());
    await this.chain;
  }

  private want(mode: 'normal' | 'backfill', rate: number): void {
    this.mode = mode;
    this.rateAtChange = rate;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    // What came before a return to normal says nothing about the traffic that follows.
    if (mode === 'normal') this.recent.length = 0;
    void this.queueCheck();
  }

  /**
   * Queues a {@link check} after the steps before it, unless one is queued already (it reads what
   * this process wants when it runs): a slow or unreachable cluster does not pile checks up. A
   * failure is reported, and the next check tries again.
   */
  private queueCheck(): Promise<void> {
    if (this.checkQueued) return this.chain;
    this.checkQueued = true;
    this.chain = this.chain
      .then(() => {
        this.checkQueued = false;
        return this.check();
      })
      .catch((err: unknown) => this.opts.onError?.(err));
    return this.chain;
  }

  /**
   * This process's writer lease (held when it wrote within `checkMs`) and backfill lease as it
   * wants them, then the index's interval as all the holders want it.
   */
  private async check(): Promise<void> {
    const wrote = this.now() - this.lastWriteAt < this.opts.checkMs;
    this.writing = Math.max(1, wrote ? await this.writers.hold() : await this.writers.release());
    const holders = this.mode === 'backfill' ? await this.holders.hold() : await this.holders.release();
    const wanted = holders > 0 ? 'backfill' : 'normal';
    const interval = wanted === 'backfill' ? this.opts.backfillInterval : this.opts.normalInterval;
    if ((await this.ctl.refreshInterval()) === interval) return;
    await this.ctl.setRefreshInterval(interval);
    if (wanted === 'normal') await this.ctl.refresh();
    this.opts.onChange?.(wanted, this.rateAtChange);
  }
}
