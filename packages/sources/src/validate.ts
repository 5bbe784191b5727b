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

/** A record a page listed but that could not be made valid: kept out, with the reason. */
export interface RejectedRecord {
  where: string;
  reason: string;
}

/**
 * For pages listing many papers: valid records go on, invalid ones are set aside with their
 * reason (the pipeline quarantines them as failed) instead of failing the whole page. When no
 * record at all is valid, the page is unreadable: ParseError as in {@link validateCandidates}.
 */
export function validateMany(
  url: string,
  source: SourceId,
  items: readonly Located[],
): { candidates: PaperCandidate[]; rejected: RejectedRecord[] } {
  const good: Located[] = [];
  const rejected: RejectedRecord[] = [];
  for (const item of items) {
    const result = PaperCandidateSchema.safeParse(item.candidate);
    if (result.success) {
      good.push({ candidate: result.data, where: item.where });
      continue;
    }
    const issue = result.error.issues[0];
    const path = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(record)';
    const id = item.candidate.arxivId ?? item.candidate.links?.hf ?? '';
    rejected.push({
      where: `${item.where}${id ? ` (${id})` : ''}`,
      reason: `${path}: ${issue?.message ?? 'invalid'}`,
    });
  }
  if (good.length === 0 && rejected.length > 0)
    return { candidates: validateCandidates(url, source, items), rejected };
  return { candidates: validateCandidates(url, source, good), rejected };
}
