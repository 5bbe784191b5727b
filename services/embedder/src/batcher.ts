/** Every option is required; the values noted are those the embed stage (`stage.ts`) passes. */
export interface EmbedBatcherOptions {
  /** Texts one inference takes at most. @defaultValue 16 (`PAPERLINE_EMBED_BATCH`) */
  maxTexts: number;
  /**
   * When the model is idle, a batch that is not full leaves at the latest this long after its
   * first text. @defaultValue 10
   */
  maxWaitMs: number;
}

interface Pending {
  text: string;
  resolve: (vector: Float32Array) => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers the texts of concurrent embed jobs into batches for one model: one inference at a time
 * (the model already uses every thread it was given), each of up to `maxTexts` texts. Texts that
 * arrive while an inference runs go into the next one; a text that finds the model idle waits up to
 * `maxWaitMs` for company. Each caller gets the vector of exactly its text. When a batch fails, its
 * texts are tried one at a time, so a text the model refuses fails only its own job.
 */
export class EmbedBatcher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly embed: (texts: string[]) => Promise<Float32Array[]>,
    private readonly opts: EmbedBatcherOptions,
  ) {}

  /** The vector of one text, computed in whichever batch it lands in. */
  add(text: string): Promise<Float32Array> {
    const vector = new Promise<Float32Array>((resolve, reject) => this.queue.push({ text, resolve, reject }));
    this.schedule();
    return vector;
  }

  /** Waits until every text handed in so far has its vector (or its error). */
  async drain(): Promise<void> {
    for (;;) {
      if (this.running === undefined && this.queue.length > 0) this.start();
      if (this.running === undefined) return;
      await this.running;
    }
  }

  /** While the model is idle: a full batch starts now, another after the wait. */
  private schedule(): void {
    if (this.running !== undefined || this.queue.length === 0) return;
    if (this.queue.length >= this.opts.maxTexts) this.start();
    else this.timer ??= setTimeout(() => this.start(), this.opts.maxWaitMs);
  }

  private start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.runAll().finally(() => {
      this.running = undefined;
      this.schedule(); // texts added after the last batch was taken, before this ran
    });
  }

  /** Batches back to back until nothing waits: texts that came during one go into the next. */
  private async runAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxTexts);
      await this.runBatch(batch);
    }
  }

  private async runBatch(batch: Pending[]): Promise<void> {
    try {
      const vectors = await this.embed(batch.map((p) => p.text));
      batch.forEach((p, i) => p.resolve(vectors[i]!));
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      else for (const p of batch) await this.runBatch([p]);
    }
  }
}
