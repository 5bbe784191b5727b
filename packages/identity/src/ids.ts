const NEW_STYLE = /^(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(?:v(\d+))?$/;
const OLD_STYLE = /^([a-z]+(?:-[a-z]+)?)(?:\.[A-Z]{2})?\/(\d{7})(?:v(\d+))?$/;

export interface ArxivIdParts {
  /** Normalized id without version: `2402.13572`, `hep-th/9901001`. */
  id: string;
  version?: number;
}

/**
 * Parses an arXiv identifier in any of its public spellings: with or without the `arXiv:` prefix,
 * a `vN` suffix, an `abs/`/`pdf/` URL, or the `10.48550/arXiv.<id>` DOI. Old-style ids keep their
 * slash and lose the subject class (`math.GT/0309136` → `math/0309136`). Returns null when the
 * text is not an arXiv id.
 */
export function parseArxivId(raw: string): ArxivIdParts | null {
  let s = raw.trim();
  if (!s) return null;
  s = s.replace(/^https?:\/\/(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html)\//i, '');
  s = s.replace(/^(?:https?:\/\/(?:dx\.)?doi\.org\/)?10\.48550\/arxiv\./i, '');
  s = s.replace(/^arxiv:/i, '');
  s = s.replace(/\.pdf$/i, '');
  const n = NEW_STYLE.exec(s);
  if (n) return withVersion(n[1]!, n[2]);
  const o = OLD_STYLE.exec(s);
  if (o) return withVersion(`${o[1]!}/${o[2]!}`, o[3]);
  return null;
}

function withVersion(id: string, v: string | undefined): ArxivIdParts {
  return v === undefined ? { id } : { id, version: Number(v) };
}

/** The arXiv id without version, or null. */
export function normalizeArxivId(raw: string): string | null {
  return parseArxivId(raw)?.id ?? null;
}

/**
 * Lowercases a DOI and strips resolver prefixes. Returns null when it is not a DOI.
 * `10.48550/arXiv.<id>` stays a DOI here; use {@link arxivIdFromDoi} to map it to its arXiv id.
 */
export function normalizeDoi(raw: string): string | null {
  const s = raw
    .trim()
    .replace(/^https?:\/\/(?:dx\.)?doi\.org\//i, '')
    .replace(/^doi:\s*/i, '')
    .toLowerCase();
  return /^10\.\d{4,9}\/\S+$/.test(s) ? s : null;
}

/** The arXiv id a DataCite arXiv DOI stands for (`10.48550/arXiv.2402.13572` → `2402.13572`). */
export function arxivIdFromDoi(doi: string): string | null {
  const d = normalizeDoi(doi);
  if (!d || !d.startsWith('10.48550/arxiv.')) return null;
  return normalizeArxivId(doi.trim().replace(/^.*?10\.48550\/arxiv\./i, ''));
}
