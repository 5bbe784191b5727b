/**
 * arXiv's fields beyond identity and bibliography: version sizes, the licence URL and the free
 * text of the journal reference and comments (docs/sources.md#arxiv). Each reader returns undefined
 * for a value it cannot read, so a malformed field is left out of the record rather than failing it.
 */
import type { ArxivVersion } from '@paperline/contracts';
import { httpUrl } from '../base-url.js';
import { cleanText } from '../text.js';

const UNIT_KB: Readonly<Record<string, number>> = { b: 1 / 1024, kb: 1, mb: 1024, gb: 1024 * 1024 };

/**
 * A size as arXiv writes it, in whole kilobytes: `18kb` (OAI-PMH arXivRaw), `(2,161 KB)` or
 * `18 KB` (the abstract page's submission history), `1.2 MB`. Undefined when there is none.
 */
export function sizeKb(raw: string | undefined): number | undefined {
  const m = /^\s*\(?\s*(\d[\d,]*(?:\.\d+)?)\s*(b|kb|mb|gb)\s*\)?\s*$/i.exec(raw ?? '');
  if (!m) return undefined;
  const value = Number((m[1] ?? '').replace(/,/g, ''));
  const unit = UNIT_KB[(m[2] ?? '').toLowerCase()];
  if (!Number.isFinite(value) || unit === undefined) return undefined;
  const kb = Math.round(value * unit);
  return Number.isSafeInteger(kb) ? kb : undefined;
}

/** A licence URL (`http://creativecommons.org/licenses/by/4.0/`), or undefined when it is not one. */
export function licenseUrl(raw: string | undefined): string | undefined {
  return httpUrl(raw);
}

/** Clean text, or undefined when nothing is left (an absent or blank cell). */
export function optionalText(raw: string | undefined): string | undefined {
  const clean = raw === undefined ? '' : cleanText(raw);
  return clean === '' ? undefined : clean;
}

/** What a source says about one version, before it is put in order. */
export interface VersionSighting {
  version: number;
  submittedAt?: string | undefined;
  sizeKb?: number | undefined;
}

/**
 * Versions in ascending order, one per number (the first sighting of a number wins), with only
 * the parts that were read. Undefined for an empty history.
 */
export function versionList(sightings: readonly VersionSighting[]): ArxivVersion[] | undefined {
  const byNumber = new Map<number, ArxivVersion>();
  for (const s of sightings) {
    if (!Number.isSafeInteger(s.version) || s.version < 1 || byNumber.has(s.version)) continue;
    byNumber.set(s.version, {
      version: s.version,
      ...(s.submittedAt === undefined ? {} : { submittedAt: s.submittedAt }),
      ...(s.sizeKb === undefined ? {} : { sizeKb: s.sizeKb }),
    });
  }
  const out = [...byNumber.values()].sort((a, b) => a.version - b.version);
  return out.length === 0 ? undefined : out;
}
