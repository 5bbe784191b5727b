import type { RedisClient } from '../redis/redis.js';
import type { CrawlSummary } from '@paperline/contracts';
import { LuaScript } from '../redis/scripts.js';
import { crawlIdStamp } from '../ids.js';
import { RedisKeys } from '../redis/keys.js';
import { PAPERS_METRIC, encodeLabels } from './catalog.js';

const PAPER_RESULTS = ['indexed', 'unchanged', 'duplicate'] as const;
export type PaperResult = (typeof PAPER_RESULTS)[number];

const FIELDS = PAPER_RESULTS.map((result) => encodeLabels(PAPERS_METRIC.labels, { result }));

const FOLD = LuaScript.file('metrics-fold-papers');

/**
 * Folds crawl summaries into cluster-wide paper counters (`paperline_papers_total{result}`) and
 * returns the totals. A crawl's books are idempotent sets, so what it gained since the last fold
 * is exact, whichever API process folds it. `unchanged` (papers seen minus papers written) only
 * settles when a crawl is finished, so it is folded then; `indexed` and `duplicate` only grow
 * and are folded while the crawl runs. Any window of recent crawls may be passed, by any number
 * of callers; what was folded per crawl is remembered until the crawl is `forgetAfterDays` old
 * (crawl ids sort by start time).
 */
export async function foldPaperTotals(
  redis: RedisClient,
  prefix: string,
  summaries: readonly CrawlSummary[],
  opts: { forgetAfterDays?: number; now?: Date } = {},
): Promise<Record<PaperResult, number>> {
  const args: (string | number)[] = [];
  for (const s of summaries) {
    args.push(s.crawlId, s.indexed, s.finished ? s.unchanged : 0, s.duplicates);
  }
  const days = opts.forgetAfterDays ?? 60;
  const cutoff = crawlIdStamp(new Date((opts.now ?? new Date()).getTime() - days * 86_400_000));
  args.push(cutoff, ...FIELDS);
  const k = new RedisKeys(prefix);
  const keys = [k.metric(PAPERS_METRIC.name), k.metric('papers_folded')];
  const res = (await FOLD.run(redis, keys, args)) as Array<string | null>;
  const num = (v: string | null | undefined) => Number(v ?? 0) || 0;
  return { indexed: num(res[0]), unchanged: num(res[1]), duplicate: num(res[2]) };
}
