import { setTimeout as sleep } from 'node:timers/promises';
import type { BulkItem, BulkOutcome, BulkRider } from '@paperline/core/es';

/** Every option is required; the values noted are those the indexer (`main.ts`) passes. */
export interface BatcherOptions {
  /** Flush when this many documents are buffered. @defaultValue 1000 (`PAPERLINE_BULK_SIZE`) */
  maxDocs: number;
  /**
   * Flush at the latest this long after the first buffered document.
   * @defaultValue 250 (`PAPERLINE_BULK_WAIT_MS`)
   */
  maxWaitMs: number;
  /** Items the cluster pushed back (429/5xx) are re-sent this many times. @defaultValue 5 */
  itemRetries: number;
  /**
   * Delay before re-sending pushed-back items.
   * @defaultValue full jitter under 200 ms, doubling with each attempt, at most 5 s
   */
  retryDelayMs: (attempt: number) => number;
  /**
   * The jobs this process is running. When given, a batch also leaves as soon as every one of them
   * waits on this batcher: none of them can add more before one is answered, and waiting for
   * `maxWaitMs` would hold them all for documents only a job not yet taken could bring.
   */
  activeJobs?: { readonly count: number; onEnded(listener: () => void): () => void };
}

interface Pending {
  item: BulkItem;
  resolve: (o: BulkOutcome) => void;
  reject: (e: unknown) => void;
  tries: number;
}

/**
 * Micro-batches documents from many concurrent index jobs into bulk requests of up to `maxDocs`
 * documents. Each caller gets back the outcome of exactly its own items. Riders (operations on
 * another index, see `BulkRider`) go in the first request that leaves after them.
 */
export class BulkBatcher {
  private buffer: Pending[] = [];
  private riders: BulkRider[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inflight = new Set<Promise<void>>();
  /** Calls of `add` not answered yet (their documents buffered or in a request in flight). */
  private waiting = 0;
  private readonly stopWatching: () => void;

  constructor(
    private readonly write: (items: BulkItem[], riders: readonly BulkRider[]) => Promise<BulkOutcome[]>,
    private readonly opts: BatcherOptions,
  ) {
    this.stopWatching = opts.activeJobs?.onEnded(() => this.flushIfEveryJobWaits()) ?? (() => undefined);
  }

  /** Buffers a job's documents, and riders to send with them (only with at least one document). */
  add(items: BulkItem[], riders: readonly BulkRider[] = []): Promise<BulkOutcome[]> {
    if (items.length === 0 && riders.length > 0) throw new Error('riders go only with documents');
    this.riders.push(...riders);
    const promises = items.map(
      (item) =>
        new Promise<BulkOutcome>((resolve, reject) => {
          this.buffer.push({ item, resolve, reject, tries: 0 });
        }),
    );
    this.waiting += 1;
    const answered = Promise.all(promises).finally(() => (this.waiting -= 1));
    if (this.buffer.length >= this.opts.maxDocs) this.flushNow();
    else if (!this.flushIfEveryJobWaits() && !this.timer)
      this.timer = setTimeout(() => this.flushNow(), this.opts.maxWaitMs);
    return answered;
  }

  /** Sends the buffer when every job of the process waits on this batcher; returns whether it did. */
  private flushIfEveryJobWaits(): boolean {
    const jobs = this.opts.activeJobs;
    if (!jobs || this.buffer.length === 0 || this.waiting < jobs.count) return false;
    this.flushNow();
    return true;
  }

  private flushNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, this.opts.maxDocs);
      const p = this.send(batch, this.riders.splice(0)).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }
  }

  private async send(batch: Pending[], riders: readonly BulkRider[] = []): Promise<void> {
    let outcomes: BulkOutcome[];
    try {
      outcomes = await this.write(
        batch.map((b) => b.item),
        riders,
      );
    } catch (err) {
      for (const b of batch) b.reject(err);
      for (const r of riders) r.fail(err);
      return;
    }
    const again: Pending[] = [];
    outcomes.forEach((o, i) => {
      const b = batch[i]!;
      if (o.result === 'retry' && b.tries < this.opts.itemRetries) {
        b.tries += 1;
        again.push(b);
      } else b.resolve(o);
    });
    if (again.length > 0) {
      const delay = this.opts.retryDelayMs(Math.max(...again.map((b) => b.tries)));
      await sleep(delay);
      await this.send(again);
    }
  }

  /** Sends whatever is buffered and waits for every request in flight. */
  async drain(): Promise<void> {
    this.stopWatching();
    this.flushNow();
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }
}
