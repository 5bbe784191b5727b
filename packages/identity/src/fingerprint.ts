import { createHash } from 'node:crypto';

/**
 * A title's fingerprint: case, accents, punctuation, TeX markup and spacing removed, then hashed.
 * Two spellings of one title (wrapped, differently escaped) share it.
 */
export function titleFingerprint(title: string): string {
  let fp = recent.get(title);
  if (fp === undefined) {
    if (recent.size >= RECENT_MAX) recent.clear();
    fp = compute(title);
    recent.set(title, fp);
  }
  return fp;
}

// The deduplicator fingerprints each title twice (identity, then the record): remember the last few.
const RECENT_MAX = 4096;
const recent = new Map<string, string>();

function compute(title: string): string {
  const norm = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\\[a-z]+/g, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
  return createHash('sha256').update(norm).digest('hex').slice(0, 24);
}
