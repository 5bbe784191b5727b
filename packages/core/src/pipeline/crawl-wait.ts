import { setTimeout as sleep } from 'node:timers/promises';
import type { CrawlSummary } from '@paperline/contracts';
import type { CrawlStore } from './crawl-state.js';

interface WaitOptions {
  /** @defaultValue 500 */ pollMs?: number;
  /** Give up after this long (0 = never). @defaultValue 0 */ timeoutMs?: number;
  onProgress?: (s: CrawlSummary, open: number) => void;
}

/**
 * Blocks until the crawl is finished, reading its summary now and then (it writes nothing).
 * Workers may crash and restart meanwhile: the crawl's state lives in Redis, and the workers keep
 * its books, including jobs that BullMQ failed without their processor running.
 */
export async function waitForCrawl(
  crawls: CrawlStore,
  crawlId: string,
  opts: WaitOptions = {},
): Promise<CrawlSummary> {
  const started = Date.now();
  for (;;) {
    const s = await crawls.summary(crawlId);
    if (!s) throw new Error(`no crawl with id ${crawlId}`);
    const open = await crawls.openCount(crawlId);
    opts.onProgress?.(s, open);
    if (s.finished) return s;
    if (opts.timeoutMs && Date.now() - started > opts.timeoutMs) {
      throw new Error(`crawl ${crawlId} not finished after ${opts.timeoutMs} ms (${open} jobs pending)`);
    }
    await sleep(opts.pollMs ?? 500);
  }
}
