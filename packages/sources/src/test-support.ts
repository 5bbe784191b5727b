/** Helpers shared by this package's tests (not exported from the package). */
import { readFileSync } from 'node:fs';
import type { PageInput, SourceBases } from './types.js';

export const BASES: SourceBases = {
  hfBaseUrl: 'https://huggingface.co',
  arxivBaseUrl: 'https://arxiv.org',
  arxivApiUrl: 'https://export.arxiv.org/api/query',
};

export const LOCAL_BASES: SourceBases = {
  hfBaseUrl: 'http://127.0.0.1:4567',
  arxivBaseUrl: 'http://127.0.0.1:4568',
  arxivApiUrl: 'http://127.0.0.1:4569/api/query',
};

export const FETCHED_AT = '2025-03-16T08:00:00.000Z';

/** The text of a fixture under `src/hf/fixtures/`. */
export function hfFixture(name: string): string {
  return readFileSync(new URL(`./hf/fixtures/${name}`, import.meta.url), 'utf8');
}

/** The text of a fixture under `src/arxiv/fixtures/`. */
export function arxivFixture(name: string): string {
  return readFileSync(new URL(`./arxiv/fixtures/${name}`, import.meta.url), 'utf8');
}

/** A page input for `body` fetched from `url` (landing on `finalUrl`, default the same). */
export function page(
  url: string,
  body: string,
  finalUrl = url,
  contentType = 'text/html; charset=utf-8',
): PageInput {
  return { url, finalUrl, body, contentType, fetchedAt: FETCHED_AT };
}
