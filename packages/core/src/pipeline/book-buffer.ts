import type { CrawlPart } from '../redis/keys.js';

/** What one crawl's books gain: members of its sets, and papers per page (`yield` fields). */
export interface CrawlAdditions {
  sets: Map<CrawlPart, string[]>;
  yields: Map<string, number>;
}

const empty = (): CrawlAdditions => ({ sets: new Map(), yields: new Map() });

/** Adds `from` (older) to `into`: set members appended, yields kept where `into` has a newer one. */
function mergeInto(into: CrawlAdditions, from: CrawlAdditions): void {
  for (const [part, members] of from.sets) into.sets.set(part, [...(into.sets.get(part) ?? []), ...members]);
  for (const [field, n] of from.yields) if (!into.yields.has(field)) into.yields.set(field, n);
}

/**
 * Additions to crawls' books held in memory until they are flushed, so that what one page's chain
 * records (parsed, its yield, its papers, written) goes to Redis in one round trip instead of one
 * per stage. Every addition is idempotent (set members, a page's yield by URL), so writing one
 * twice is harmless and the order of writes within a flush does not matter.
 *
 * Flushes run one after another; each writes everything added before it began, and a flush that
 * fails puts what it took back, so the next one writes it. A caller whose flush resolved knows that
 * everything it added before is in Redis.
 */
export class BookBuffer {
  private pending = new Map<string, CrawlAdditions>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly write: (crawlId: string, additions: CrawlAdditions) => Promise<void>) {}

  /** Whether nothing waits to be written. */
  get empty(): boolean {
    return this.pending.size === 0;
  }

  addToSets(crawlId: string, additions: ReadonlyArray<readonly [CrawlPart, readonly string[]]>): void {
    const into = this.of(crawlId);
    for (const [part, members] of additions) {
      if (members.length === 0) continue;
      const list = into.sets.get(part);
      if (list) list.push(...members);
      else into.sets.set(part, [...members]);
    }
  }

  setYield(crawlId: string, field: string, papers: number): void {
    this.of(crawlId).yields.set(field, papers);
  }

  /** Writes everything added so far, after the flushes before it; rejects when Redis refused it. */
  flush(): Promise<void> {
    const next = this.flushing.catch(() => undefined).then(() => this.writeAll());
    this.flushing = next;
    return next;
  }

  private of(crawlId: string): CrawlAdditions {
    let a = this.pending.get(crawlId);
    if (!a) this.pending.set(crawlId, (a = empty()));
    return a;
  }

  private async writeAll(): Promise<void> {
    if (this.pending.size === 0) return;
    const taken = this.pending;
    this.pending = new Map();
    const entries = [...taken];
    const results = await Promise.allSettled(entries.map(([id, a]) => this.write(id, a)));
    let failure: PromiseRejectedResult | undefined;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') return;
      failure ??= r;
      const [crawlId, additions] = entries[i]!;
      mergeInto(this.of(crawlId), additions); // back, behind what was added meanwhile
    });
    if (failure) throw failure.reason;
  }
}
