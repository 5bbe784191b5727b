import { PermanentError, type Route } from '@paperline/contracts';
import { newCrawlId } from '../ids.js';
import type { CrawlStore } from './crawl-state.js';
import type { Enqueuer } from './enqueuer.js';

interface CrawlStartDeps {
  crawls: CrawlStore;
  enqueuer: Enqueuer;
  /** The URL's route, or null when no source parses it (the routing by base URLs lives in sources). */
  route: (url: string) => Route | null;
  /** Named in the refusal message. */
  bases: { hfBaseUrl: string; arxivBaseUrl: string };
}

/**
 * Starts a crawl from seed URLs and returns its id. Each seed is routed here, once: its fetch job
 * carries the route; seeds no source parses are refused up front.
 */
export async function startCrawl(
  deps: CrawlStartDeps,
  seeds: string[],
  /** `resume`: the crawl `crawlId` exists; its seeds are registered again (only unfinished ones run). */
  opts: { depth: number; kind?: string; crawlId?: string; resume?: boolean },
): Promise<string> {
  const seen = [...new Set(seeds)].map((url) => ({ url, route: URL.canParse(url) ? deps.route(url) : null }));
  const routed = seen.filter((s): s is { url: string; route: Route } => s.route !== null);
  const bad = seen.filter((s) => s.route === null).map((s) => s.url);
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
  for (let i = 0; i < routed.length; i += 1000) {
    await deps.enqueuer.enqueue(
      'seed',
      routed.slice(i, i + 1000).map(({ url, route }) => ({
        stage: 'fetch' as const,
        payload: { crawlId, url, depth: opts.depth, route },
      })),
    );
  }
  await deps.crawls.seal(crawlId);
  return crawlId;
}
