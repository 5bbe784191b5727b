import { describe, expect, it } from 'vitest';
import { BookBuffer, type CrawlAdditions } from './book-buffer.js';

/** What a write received, as plain data (members sorted: their order means nothing). */
const plain = (crawlId: string, a: CrawlAdditions) => ({
  crawlId,
  sets: Object.fromEntries([...a.sets].map(([part, members]) => [part, [...members].sort()])),
  yields: Object.fromEntries(a.yields),
});

/** A buffer whose writes are recorded; the next `state.refuse` writes are refused. */
function recorded() {
  const writes: Array<ReturnType<typeof plain>> = [];
  const state = { refuse: 0 };
  const buffer = new BookBuffer(async (crawlId, a) => {
    await Promise.resolve();
    if (state.refuse > 0) {
      state.refuse -= 1;
      throw new Error('redis down');
    }
    writes.push(plain(crawlId, a));
  });
  return { buffer, writes, state };
}

describe('BookBuffer', () => {
  it('writes nothing until flushed, then one write per crawl with everything it gained', async () => {
    const { buffer, writes } = recorded();
    buffer.addToSets('c1', [['parsed', ['http://x/1']]]);
    buffer.setYield('c1', 'hf|http://x/1', 50);
    buffer.addToSets('c1', [
      ['papers', ['arxiv:1', 'arxiv:2']],
      ['cands', ['p|arxiv:1', 'p|arxiv:2']],
    ]);
    buffer.addToSets('c1', [['papers', ['arxiv:3']]]);
    buffer.addToSets('c2', [['written', ['arxiv:9']]]);
    expect(writes).toEqual([]);
    expect(buffer.empty).toBe(false);
    await buffer.flush();
    expect(writes).toEqual([
      {
        crawlId: 'c1',
        sets: {
          parsed: ['http://x/1'],
          papers: ['arxiv:1', 'arxiv:2', 'arxiv:3'],
          cands: ['p|arxiv:1', 'p|arxiv:2'],
        },
        yields: { 'hf|http://x/1': 50 },
      },
      { crawlId: 'c2', sets: { written: ['arxiv:9'] }, yields: {} },
    ]);
    expect(buffer.empty).toBe(true);
    await buffer.flush();
    expect(writes).toHaveLength(2);
  });

  it('keeps what a failed flush took, and the next flush writes it with what came since', async () => {
    const { buffer, writes, state } = recorded();
    buffer.addToSets('c1', [['written', ['arxiv:1']]]);
    buffer.setYield('c1', 'hf|http://x/1', 10);
    state.refuse = 1;
    await expect(buffer.flush()).rejects.toThrow('redis down');
    expect(buffer.empty).toBe(false);
    buffer.addToSets('c1', [['written', ['arxiv:2']]]);
    buffer.setYield('c1', 'hf|http://x/1', 12);
    await buffer.flush();
    expect(writes).toEqual([
      { crawlId: 'c1', sets: { written: ['arxiv:1', 'arxiv:2'] }, yields: { 'hf|http://x/1': 12 } },
    ]);
  });

  it('a flush that starts while another is writing resolves only after that one, and retries its failure', async () => {
    const { buffer, writes, state } = recorded();
    buffer.addToSets('c1', [['written', ['arxiv:1']]]);
    state.refuse = 1;
    const first = buffer.flush();
    // Added after the first flush took its share: the second flush must still write arxiv:1.
    buffer.addToSets('c1', [['written', ['arxiv:2']]]);
    const second = buffer.flush();
    await expect(first).rejects.toThrow('redis down');
    await second;
    expect(writes).toEqual([{ crawlId: 'c1', sets: { written: ['arxiv:1', 'arxiv:2'] }, yields: {} }]);
  });
});
