import { ParseError, type PaperCandidate } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { validateCandidates, validateMany, type Located } from './validate.js';

const url = 'https://huggingface.co/papers?date=2026-12-01';

function candidate(arxivId: string, title = `Paper ${arxivId}`): PaperCandidate {
  return {
    source: 'hf',
    url,
    fetchedAt: '2026-12-01T00:00:00.000Z',
    parserVersion: 'hf-test',
    arxivId,
    title,
    authors: ['A. Author'],
    authorCount: 1,
    links: { hf: `https://huggingface.co/papers/${arxivId}` },
  };
}

const at = (c: PaperCandidate, i: number): Located => ({ candidate: c, where: `entry ${i}` });

describe('validateMany', () => {
  it('keeps valid records, sets invalid ones aside with where and why, and drops repeats of a paper', () => {
    const items = [
      candidate('2412.00001'),
      candidate('2412.00002', ''),
      candidate('2412.00003'),
      candidate('2412.00001', 'The same paper listed again'),
    ].map(at);

    const { candidates, rejected } = validateMany(url, 'hf', items);

    expect(candidates.map((c) => [c.arxivId, c.title])).toEqual([
      ['2412.00001', 'Paper 2412.00001'],
      ['2412.00003', 'Paper 2412.00003'],
    ]);
    expect(rejected).toEqual([{ where: 'entry 1 (2412.00002)', reason: 'title: title is empty' }]);
  });

  it('fails the page with a ParseError naming the first entry when no record is valid', () => {
    const items = [candidate('2412.00002', ''), { ...candidate('2412.00004'), authorCount: -1 }].map(at);

    expect(() => validateMany(url, 'hf', items)).toThrow(ParseError);
    expect(() => validateMany(url, 'hf', items)).toThrow(
      'entry 0 (2412.00002) does not make a valid record: title: title is empty',
    );
  });
});

describe('validateCandidates', () => {
  it('fails the page on the first invalid record, naming its field', () => {
    const items = [candidate('2412.00001'), { ...candidate('2412.00004'), authorCount: -1 }].map(at);

    expect(() => validateCandidates(url, 'hf', items)).toThrow(/entry 1 \(2412\.00004\) .*authorCount/);
  });

  it('returns each paper once, the first listing of it', () => {
    const items = [candidate('2412.00001'), candidate('2412.00001', 'Again')].map(at);

    expect(validateCandidates(url, 'hf', items).map((c) => c.title)).toEqual(['Paper 2412.00001']);
  });
});
