import { createHash } from 'node:crypto';

/**
 * A title's fingerprint: case, accents, punctuation, TeX markup and spacing removed, then hashed.
 * Two spellings of one title (wrapped, differently escaped) share it.
 */
export function titleFingerprint(title: string): string {
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
