import { PermanentError } from '@paperline/contracts';
import { newCrawlId, type CrawlStore } from './crawl-state.js';
import type { Enqueuer } from './enqueuer.js';

export interface CrawlStartDeps {
  crawls: CrawlStore;
  enqueuer: Enqueuer;
  /** True when some source parses this URL (the routing by base URLs lives in sources). */
  routable: (url: string) => boolean;
  /** Named in the refusal message. */
  bases: { hfBaseUrl: string; arxivBaseUrl: string };
}

/** Starts a crawl from seed URLs and returns its id. Seeds no source parses are refused up front. */
export async function startCrawl(
  deps: CrawlStartDeps,
  seeds: string[],
  /** `resume`: the crawl `crawlId` exists; its seeds are registered again (only unfinished ones run). */
  opts: { depth: number; kind?: string; crawlId?: string; resume?: boolean },
): Promise<string> {
  const bad = seeds.filter((u) => !URL.canParse(u) || !deps.routable(u));
  if (bad.length > 0) {
    throw new PermanentError(
      'UNSUPPORTED_URL',
      `no source parses ${bad.join(', ')} — seeds must be pages under HF_BASE_URL (${deps.bases.hfBaseUrl}) or ARXIV_BASE_URL (${deps.bases.arxivBaseUrl})`,
      { stage: 'cli' },
    );
  }
  const crawlId = opts.crawlId ?? newCrawlId();
  if (!opts.resume) {
    await deps.crawls.create(crawlId, seeds, {
      depth: opts.depth,
      ...(opts.kind ? { kind: opts.kind } : {}),
    });
  }
  const unique = [...new Set(seeds)];
  for (let i = 0; i < unique.length; i += 1000) {
    await deps.enqueuer.enqueue(
      'seed',
      unique
        .slice(i, i + 1000)
        .map((url) => ({ stage: 'fetch' as const, payload: { crawlId, url, depth: opts.depth } })),
    );
  }
  await deps.crawls.seal(crawlId);
  return crawlId;
}
