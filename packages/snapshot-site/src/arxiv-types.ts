/**
 * The arXiv side of the snapshot (`data/arxiv.json`): one record per paper, holding the metadata as
 * arXiv stores it (raw TeX, arXiv's own line wraps), from which the abs pages, the export API feed
 * and the `new` listings are rendered (docs/sources.md#arxiv).
 */

/** One version of a paper, as in the abs page's submission history. */
export interface ArxivVersion {
  /** 1, 2, … in order. */
  v: number;
  /** As the submission history prints it: `Mon, 18 Mar 2024 17:59:59 UTC` (`%a, %-d %b %Y %H:%M:%S UTC`). */
  date: string;
  /** Size in KB, printed `(1,234 KB)`. */
  size: number;
  /** True for the version that withdrew the paper (no PDF, `(withdrawn)` in the history). */
  withdrawn?: boolean;
}

/** A paper's arXiv metadata. */
export interface ArxivPaper {
  /** New-style id without version, e.g. `2403.13187`. */
  id: string;
  /** The name on the `From:` line of the submission history (and of a withdrawal notice). */
  submitter: string;
  /** Oldest first; the last one is the latest version. */
  versions: ArxivVersion[];
  /** Raw TeX; may contain arXiv's hard wrap (`\n  `) and TeX accents (`R\'enyi`). */
  title: string;
  /** Display names in arXiv's order. */
  authors: string[];
  /** Raw TeX with arXiv's line wraps; may start with spaces and end with `\n` like raw metadata. */
  abstract: string;
  /** Primary category first, e.g. `['cs.CL', 'cs.AI', 'cs.LG']`. */
  categories: string[];
  comments?: string;
  journal_ref?: string;
  /** Related DOI (of the published version), without `https://doi.org/`. */
  doi?: string;
}

/** The parsed `data/arxiv.json`. */
export interface ArxivData {
  /** Where the data comes from and what in it is real. */
  note: string;
  /** ISO 8601: the moment the snapshot stands for (the feeds' `<updated>`, Last-Modified). */
  snapshotAt: string;
  /** `YYYY-MM-DD`: the announcement day the `/list/{cat}/new` pages show. */
  announced: string;
  /** Ordered by id. */
  papers: ArxivPaper[];
}
