import { ParseError } from '@paperline/contracts';
import { isObject, obj } from '../json.js';
import type { RouteDetail } from '../route.js';
import type { PageInput, ParsedPage, SourceBases } from '../types.js';
import { validateCandidates } from '../validate.js';
import { readHydrationProps } from './blob.js';
import { entryToCandidate } from './entry.js';

/**
 * The HF paper page `/papers/{id}`: the `PaperContent` hydration blob
 * (docs/sources.md#hugging-face-paper-pages), whose `paper` is a flat paper object. Paper pages
 * link nowhere worth following.
 */
export function parsePaperPage(input: PageInput, final: RouteDetail, bases: SourceBases): ParsedPage {
  const url = input.finalUrl;
  const blob = readHydrationProps(input, 'PaperContent');
  if (blob.status === 'absent') throw new ParseError(url, 'no PaperContent hydration blob', { source: 'hf' });
  if (blob.status === 'broken') {
    throw new ParseError(url, `PaperContent hydration blob is not valid JSON (${blob.error})`, {
      source: 'hf',
    });
  }
  const paper = isObject(blob.props) ? obj(blob.props, 'paper') : undefined;
  if (!paper) throw new ParseError(url, 'PaperContent data-props has no paper object', { source: 'hf' });
  const where = 'PaperContent.paper';
  const candidate = entryToCandidate({ paper, where }, { url, fetchedAt: input.fetchedAt, bases });
  return { route: final.route, candidates: validateCandidates(url, 'hf', [{ candidate, where }]), links: [] };
}
