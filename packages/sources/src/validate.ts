import { ParseError, PaperCandidateSchema, type PaperCandidate, type SourceId } from '@paperline/contracts';

/** A candidate and where on the page it came from (for error messages). */
export interface Located {
  candidate: PaperCandidate;
  where: string;
}

/** A record a page listed but that could not be made valid: kept out, with the reason. */
export interface RejectedRecord {
  where: string;
  reason: string;
}

/** One candidate against `PaperCandidateSchema`: the record, or where and why it is invalid. */
function check({ candidate, where }: Located): { ok: PaperCandidate } | { rejected: RejectedRecord } {
  const result = PaperCandidateSchema.safeParse(candidate);
  if (result.success) return { ok: result.data };
  const issue = result.error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(record)';
  const id = candidate.arxivId ?? candidate.links?.hf ?? '';
  return {
    rejected: { where: `${where}${id ? ` (${id})` : ''}`, reason: `${path}: ${issue?.message ?? 'invalid'}` },
  };
}

/** The first record of each paper (same HF link, else arXiv id, else title) listed on one page. */
function firstOfEachPaper(records: readonly PaperCandidate[]): PaperCandidate[] {
  const seen = new Set<string>();
  return records.filter((c) => {
    const key = c.links?.hf ?? c.arxivId ?? c.title;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
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
  const valid: PaperCandidate[] = [];
  for (const item of items) {
    const checked = check(item);
    if ('rejected' in checked) {
      const { where, reason } = checked.rejected;
      throw new ParseError(url, `${where} does not make a valid record: ${reason}`, { source });
    }
    valid.push(checked.ok);
  }
  return firstOfEachPaper(valid);
}

/**
 * For pages listing many papers: valid records go on, invalid ones are set aside with their
 * reason (the pipeline quarantines them as failed) instead of failing the whole page. When no
 * record at all is valid, the page is unreadable: ParseError as in {@link validateCandidates}.
 * Each candidate is checked once.
 */
export function validateMany(
  url: string,
  source: SourceId,
  items: readonly Located[],
): { candidates: PaperCandidate[]; rejected: RejectedRecord[] } {
  const valid: PaperCandidate[] = [];
  const rejected: RejectedRecord[] = [];
  for (const item of items) {
    const checked = check(item);
    if ('ok' in checked) valid.push(checked.ok);
    else rejected.push(checked.rejected);
  }
  if (valid.length === 0 && rejected.length > 0) {
    const { where, reason } = rejected[0]!;
    throw new ParseError(url, `${where} does not make a valid record: ${reason}`, { source });
  }
  return { candidates: firstOfEachPaper(valid), rejected };
}
