import { z } from 'zod';
import { SourceIdSchema } from './record.js';

/** The kinds of page a parser understands. */
export const PAGE_TYPES = [
  'hf-daily',
  'hf-week',
  'hf-month',
  'hf-trending',
  /** bare `/papers` (HF redirects it to a period page chosen by state) */
  'hf-listing',
  'hf-paper',
  'hf-api-daily',
  'hf-api-paper',
  /** `/api/papers/search?q=…`: a JSON array of `Entry`-shaped results */
  'hf-api-search',
  /** `/abs/{id}[vN]`, new- and old-style ids */
  'arxiv-abs',
  /** `/list/{category|archive}/{new|recent|pastweek|current|YYYY|YYYY-MM}` */
  'arxiv-list',
  /** the export API (`/api/query?id_list=…` or `?search_query=…`): an Atom feed */
  'arxiv-api',
  /**
   * OAI-PMH `?verb=ListRecords` (or its `resumptionToken`) and `?verb=GetRecord`, with
   * `metadataPrefix=arXiv` or `arXivRaw`
   */
  'arxiv-oai',
] as const;
export const PageTypeSchema = z.enum(PAGE_TYPES);
export type PageType = z.infer<typeof PageTypeSchema>;

/** The period a dated listing stands for. `value` is `YYYY-MM-DD`, `YYYY-Www` or `YYYY-MM`. */
export const PeriodSchema = z.object({
  kind: z.enum(['day', 'week', 'month']),
  value: z.string().regex(/^\d{4}-(\d{2}(-\d{2})?|W\d{2})$/, 'must be YYYY-MM-DD, YYYY-Www or YYYY-MM'),
});
export type Period = z.infer<typeof PeriodSchema>;

/**
 * Which parser a URL goes to (decided by the configured base URLs, in `@paperline/sources`). It is
 * decided once, when the URL is enqueued, and travels with the fetch job.
 */
export const RouteSchema = z.object({
  source: SourceIdSchema,
  type: PageTypeSchema,
  /** Set for dated listings (`/papers/date/…`, `/papers/week/…`, `/papers/month/…`, `/api/daily_papers?date=…`). */
  period: PeriodSchema.optional(),
});
export type Route = z.infer<typeof RouteSchema>;
