import type { PaperCandidate, SourceId } from '@paperline/contracts';

/**
 * The configured base URLs of the sites Paperline reads (`HF_BASE_URL`, `ARXIV_BASE_URL`,
 * `ARXIV_API_URL`). A page is routed to a parser by these, so a local server configured as
 * `hfBaseUrl` stands in for huggingface.co.
 */
export interface SourceBases {
  /** @defaultValue `https://huggingface.co` */
  hfBaseUrl: string;
  /** @defaultValue `https://arxiv.org` */
  arxivBaseUrl: string;
  /** @defaultValue `https://export.arxiv.org/api/query` */
  arxivApiUrl: string;
}

/** The kinds of page a parser understands. */
export type PageType =
  | 'hf-daily'
  | 'hf-week'
  | 'hf-month'
  | 'hf-trending'
  /** bare `/papers` (HF redirects it to a period page chosen by state) */
  | 'hf-listing'
  | 'hf-paper'
  | 'hf-api-daily'
  | 'hf-api-paper';

/** The period a dated listing stands for. `value` is `YYYY-MM-DD`, `YYYY-Www` or `YYYY-MM`. */
export interface Period {
  kind: 'day' | 'week' | 'month';
  value: string;
}

/** Which parser a URL goes to. */
export interface Route {
  source: SourceId;
  type: PageType;
  /** Set for dated listings (`/papers/date/…`, `/papers/week/…`, `/papers/month/…`, `/api/daily_papers?date=…`). */
  period?: Period;
}

/** One fetched page, as the parser stage reads it from the raw archive. */
export interface PageInput {
  /** The URL that was requested. */
  url: string;
  /** The URL the body came from, after redirects. */
  finalUrl: string;
  body: string;
  contentType: string;
  /** ISO 8601 date-time of the fetch. */
  fetchedAt: string;
}

/** What a parser found on one page. */
export interface ParsedPage {
  /**
   * The route of the page actually parsed (`finalUrl`); for a dated request redirected off the
   * configured bases, the requested route.
   */
  route: Route;
  candidates: PaperCandidate[];
  /** Absolute URLs worth following: paper pages `/papers/{id}` on the same base. */
  links: string[];
  /** The requested URL, set when a dated request landed on another period (then `candidates` is empty). */
  redirectedFrom?: string;
}
