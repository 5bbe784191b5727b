/**
 * Requests of many concurrent callers, coalesced while the store is busy. A call made while
 * `maxInFlight` requests are out waits, together with every call made meanwhile, and they leave as
 * one request when one of those is answered. A call made when fewer are out leaves at once: there
 * is no timer, so an idle pipeline's latency is what it was, and a busy one sends fewer, larger
 * requests (a request has a fixed cost in Elasticsearch: its HTTP handling, its task, and for a
 * write the translog's fsync before it is answered).
 *
 * Written here rather than taken from a library: the batching libraries on npm (DataLoader and its
 * kin) gather the calls of one tick or of a time window; neither is this rule, which adds no wait
 * to a call that finds the store idle.
 */
export class Coalescer<T, R> {
  private queued: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;

  /**
   * @param send sends one request for `items`; returns, in their order, each item's result or the
   *   `Error` that is its own failure. A rejection fails every item of the request.
   */
  constructor(
    private readonly send: (items: T[]) => Promise<(R | Error)[]>,
    private readonly opts: { maxInFlight: number; maxItems: number },
  ) {}

  /** The result of `item`, once the request that carried it is answered. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.opts.maxInFlight && this.queued.length > 0) {
      const calls = this.queued.splice(0, this.opts.maxItems);
      this.inFlight += 1;
      // Async, so that a `send` that throws fails its calls instead of this loop.
      (async () => this.send(calls.map((c) => c.item)))().then(
        (results) => {
          this.answered();
          calls.forEach((c, i) => {
            const r = results[i];
            if (r instanceof Error) c.reject(r);
            else c.resolve(r as R);
          });
        },
        (err: unknown) => {
          this.answered();
          calls.forEach((c) => c.reject(err));
        },
      );
    }
  }

  /** A request is answered: what queued meanwhile leaves before its callers go on. */
  private answered(): void {
    this.inFlight -= 1;
    this.pump();
  }
}
