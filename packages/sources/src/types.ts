import type { PaperCandidate, Route } from '@paperline/contracts';

/**
 * The configured base URLs of the sites Paperline reads (`HF_BASE_URL`, `ARXIV_BASE_URL`,
 * `ARXIV_API_URL`, optionally the arXiv OAI-PMH endpoint). A page is routed to a parser by these,
 * so a local server configured as `hfBaseUrl` stands in for huggingface.co.
 */
export interface SourceBases {
  /** @defaultValue `https://huggingface.co` */
  hfBaseUrl: string;
  /** @defaultValue `https://arxiv.org` */
  arxivBaseUrl: string;
  /** @defaultValue `https://export.arxiv.org/api/query` */
  arxivApiUrl: string;
  /**
   * The arXiv OAI-PMH endpoint (`https://oaipmh.arxiv.org/oai` since March 2025). OAI-PMH
   * `ListRecords` URLs are recognised on this URL, and on any path ending in `/oai` or `/oai2` on
   * its host or on the hosts of `arxivBaseUrl` and `arxivApiUrl` (the old endpoint was
   * `http://export.arxiv.org/oai2`).
   *
   * @defaultValue unset: OAI-PMH is recognised on the hosts of `arxivBaseUrl` and `arxivApiUrl` only
   */
  oaiBaseUrl?: string;
}

export type { PageType, Period, Route } from '@paperline/contracts';

/** A route plus what the parsers need beyond the public {@link Route} (internal to this package). */
export interface RouteDetail {
  route: Route;
  /** The paper id of `/papers/{id}`, `/api/papers/{id}` and `/abs/{id}` (arXiv: without version). */
  paperId?: string;
  /** The version of `/abs/{id}vN`. */
  version?: number;
  /** The category or archive and the period of an arXiv listing `/list/{context}/{period}`. */
  listing?: { context: string; period: string };
  /** The parsed URL. */
  url: URL;
}

/** One fetched page, as the parser stage reads it from the raw archive. */
export interface PageInput {
  /** The URL that was requested. */
  url: string;
  /** The URL the body came from, after redirects. */
  finalUrl: string;
  /** The body as text (built by {@link pageInput}, it is decoded when first read). */
  readonly body: string;
  /**
   * The body's bytes when they are UTF-8. A parser that reads one part of a large page (an HF
   * hydration blob) decodes only that part from them, and never asks for `body`.
   */
  readonly utf8?: Buffer;
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
  /** Records the page listed that could not be made valid (quarantined by the pipeline). */
  rejected?: Array<{ where: string; reason: string }>;
  /**
   * Absolute URLs worth following: HF paper pages `/papers/{id}`; arXiv abstract pages of the
   * papers on a listing and the listing's other pages (`skip=`); the next OAI-PMH page.
   */
  links: string[];
  /**
   * Normalized arXiv ids the page reports as deleted (OAI-PMH `<header status="deleted">`), so
   * the pipeline can mark them withdrawn without a hard delete. Absent when there are none.
   */
  withdrawnIds?: string[];
  /** The requested URL, set when a dated request landed on another period (then `candidates` is empty). */
  redirectedFrom?: string;
  /**
   * Set when the page answers a look-up of given ids (an export-API `id_list` query, such as an
   * enrichment batch): how many papers it yields is how many were asked for, which says nothing
   * of the source's health.
   */
  lookup?: true;
}
