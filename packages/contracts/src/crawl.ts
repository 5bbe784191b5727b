import { z } from 'zod';

/** The summary `crawl --json` and `wait --json` print (DESIGN.md §5). */
export const CrawlSummarySchema = z.object({
  crawlId: z.string(),
  fetched: z.number().int(),
  parsed: z.number().int(),
  indexed: z.number().int(),
  unchanged: z.number().int(),
  duplicates: z.number().int(),
  failed: z.number().int(),
  finished: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  seeds: z.array(z.string()),
});
export type CrawlSummary = z.infer<typeof CrawlSummarySchema>;
