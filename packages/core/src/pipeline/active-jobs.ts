/**
 * How many jobs this process is running across its stage workers, and a way to hear when one
 * ends. The indexer's bulk batcher in a chained process reads it: once every running job waits on
 * the batcher, none of them can add more before one is answered, and holding the batch longer
 * holds every page's chain.
 */
export class ActiveJobs {
  private running = 0;
  private readonly listeners = new Set<() => void>();

  get count(): number {
    return this.running;
  }

  started(): void {
    this.running += 1;
  }

  ended(): void {
    this.running -= 1;
    for (const listener of this.listeners) listener();
  }

  /** Calls `listener` after each job ends; returns what stops that. */
  onEnded(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
