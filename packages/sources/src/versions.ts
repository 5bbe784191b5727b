import type { SourceId } from '@paperline/contracts';

/**
 * The version of each source's parsers, written into every candidate's `parserVersion`. Bump a
 * source's version whenever its parsers would derive different records from the same raw page, so
 * that `reprocess` can tell old derivations from new ones.
 */
export const PARSER_VERSIONS: Readonly<Record<SourceId, string>> = Object.freeze({
  hf: 'hf-2',
  arxiv: 'arxiv-2',
});
