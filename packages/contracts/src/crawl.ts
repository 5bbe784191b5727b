import { z } from 'zod';

/** The summary `crawl --json` and `wait --json` print (docs/operations.md#crawl-summaries). */
export const CrawlSummarySchema = z.object({
  crawlId: z.string(),
  fetched: z.number().int(),
  parsed: z.number().int(),
  indexed: z.number().int(),
  /** Papers whose vector this crawl computed (the embed stage; 0 when it is off). */
  embedded: z.number().int(),
  unchanged: z.number().int(),
  duplicates: z.number().int(),
  failed: z.number().int(),
  finished: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  seeds: z.array(z.string()),
  kind: z.string().optional(),
  /**
   * Per source: papers per listing page in this crawl against the usual yield. `degraded` flags a
   * source that yielded far fewer papers than usual (a layout change, a block); it never deletes.
   */
  health: z
    .record(
      z.string(),
      z.object({
        pages: z.number().int(),
        papersPerPage: z.number(),
        baseline: z.number().optional(),
        status: z.enum(['ok', 'degraded', 'learning']),
      }),
    )
    .optional(),
});

export type CrawlSummary = z.infer<typeof CrawlSummarySchema>;
