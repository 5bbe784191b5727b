import { ParseError, PaperCandidateSchema, type PaperCandidate, type SourceId } from '@paperline/contracts';

/** A candidate and where on the page it came from (for error messages). */
export interface Located {
  candidate: PaperCandidate;
  where: string;
}

/**
 * Checks every candidate against `PaperCandidateSchema` and drops later duplicates of the same
 * paper (same source URL and HF link/arXiv id) on one page. Throws ParseError naming the page, the
 * entry and the offending field path: a page never yields half-empty records.
 */
export function validateCandidates(
  url: string,
  source: SourceId,
  items: readonly Located[],
): PaperCandidate[] {
  const out: PaperCandidate[] = [];
  const seen = new Set<string>();
  for (const { candidate, where } of items) {
    const result = PaperCandidateSchema.safeParse(candidate);
    if (!result.success) {
      const issue = result.error.issues[0];
      const path = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(record)';
      const id = candidate.arxivId ?? candidate.links?.hf ?? '';
      throw new ParseError(
        url,
        `${where}${id ? ` (${id})` : ''} does not make a valid record: ${path}: ${issue?.message ?? 'invalid'}`,
        { source },
      );
    }
    const key = candidate.links?.hf ?? candidate.arxivId ?? candidate.title;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(result.data);
  }
  return out;
}
