import { describe, expect, it } from 'vitest';
import { pageInput } from './page-input.js';
import { parsePage } from './parse.js';
import { BASES, FETCHED_AT, hfFixture } from './test-support.js';

/** A body given as UTF-8 bytes whose text counts how often it was decoded. */
function countingBody(text: string) {
  const body = { utf8: Buffer.from(text), decoded: 0, text: () => (body.decoded++, text) };
  return body;
}

const fields = (url: string, finalUrl = url) => ({
  url,
  finalUrl,
  contentType: 'text/html; charset=utf-8',
  fetchedAt: FETCHED_AT,
});

describe('pageInput', () => {
  it('parses an HF listing from its UTF-8 bytes without decoding the whole page', () => {
    const url = 'https://huggingface.co/papers/date/2024-02-22';
    const html = hfFixture('date-2024-02-22.html');
    const body = countingBody(html);
    const fromBytes = parsePage(pageInput(fields(url), body), BASES);
    expect(body.decoded).toBe(0);
    expect(fromBytes.candidates.length).toBeGreaterThan(0);
    expect(fromBytes).toEqual(parsePage(pageInput(fields(url), { text: () => html }), BASES));
  });

  it('keeps the body unread when the final URL is filled in from the requested one', () => {
    const url = 'https://huggingface.co/papers/2402.13572';
    const body = countingBody(hfFixture('paper-2402.13572.html'));
    const parsed = parsePage(pageInput(fields(url, ''), body), BASES);
    expect(parsed.candidates.map((c) => c.arxivId)).toEqual(['2402.13572']);
    expect(body.decoded).toBe(0);
  });

  it('decodes the text for the parsers that read all of it, and for the cards fallback', () => {
    const url = 'https://huggingface.co/papers/date/2024-02-23';
    const body = countingBody(hfFixture('date-2024-02-23-cards-only.html'));
    const parsed = parsePage(pageInput(fields(url), body), BASES);
    expect(parsed.candidates.length).toBeGreaterThan(0);
    expect(body.decoded).toBeGreaterThan(0);
  });
});
