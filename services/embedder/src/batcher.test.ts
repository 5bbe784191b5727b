import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmbedBatcher } from './batcher.js';

/** A model whose inferences the test finishes by hand; a text's vector is [its length]. */
class FakeModel {
  readonly calls: string[][] = [];
  running = 0;
  maxRunning = 0;
  private pending: Array<() => void> = [];
  refuse = new Set<string>();

  embed = (texts: string[]): Promise<Float32Array[]> => {
    this.calls.push(texts);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return new Promise((resolve, reject) => {
      this.pending.push(() => {
        this.running--;
        const bad = texts.find((t) => this.refuse.has(t));
        if (bad !== undefined) reject(new Error(`refused ${bad}`));
        else resolve(texts.map((t) => Float32Array.of(t.length)));
      });
    });
  };

  /** Finishes the oldest inference in flight, once one has started. */
  async finishNext(): Promise<void> {
    await vi.waitFor(() => expect(this.pending.length).toBeGreaterThan(0));
    this.pending.shift()!();
  }
}

afterEach(() => vi.useRealTimers());

describe('EmbedBatcher', () => {
  it('starts a full batch at once and gives each caller the vector of its own text', async () => {
    const model = new FakeModel();
    const batcher = new EmbedBatcher(model.embed, { maxTexts: 3, maxWaitMs: 60_000 });
    const vectors = ['a', 'bbb', 'cc'].map((t) => batcher.add(t));
    expect(model.calls).toEqual([['a', 'bbb', 'cc']]);
    await model.finishNext();
    expect((await Promise.all(vectors)).map((v) => v[0])).toEqual([1, 3, 2]);
  });

  it('sends a batch that is not full once the wait is over', async () => {
    vi.useFakeTimers();
    const model = new FakeModel();
    const batcher = new EmbedBatcher(model.embed, { maxTexts: 16, maxWaitMs: 10 });
    const vectors = [batcher.add('a'), batcher.add('bb')];
    vi.advanceTimersByTime(9);
    expect(model.calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(model.calls).toEqual([['a', 'bb']]);
    vi.useRealTimers();
    await model.finishNext();
    expect((await Promise.all(vectors)).map((v) => v[0])).toEqual([1, 2]);
  });

  it('runs one inference at a time; texts that come meanwhile go into the next, up to the limit', async () => {
    const model = new FakeModel();
    const batcher = new EmbedBatcher(model.embed, { maxTexts: 2, maxWaitMs: 60_000 });
    const first = [batcher.add('a'), batcher.add('b')];
    const later = ['c', 'd', 'e'].map((t) => batcher.add(t));
    expect(model.calls).toEqual([['a', 'b']]);
    await model.finishNext();
    await model.finishNext();
    await model.finishNext();
    await Promise.all([...first, ...later]);
    expect(model.calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(model.maxRunning).toBe(1);
  });

  it('a text the model refuses fails only its own caller', async () => {
    const model = new FakeModel();
    model.refuse.add('bad');
    const batcher = new EmbedBatcher(model.embed, { maxTexts: 3, maxWaitMs: 60_000 });
    const [good, bad, other] = ['good', 'bad', 'other'].map((t) => batcher.add(t));
    const refused = bad!.catch((err: unknown) => err);
    for (let i = 0; i < 4; i++) await model.finishNext(); // the batch, then each text alone
    expect(await refused).toMatchObject({ message: 'refused bad' });
    expect((await good!)[0]).toBe(4);
    expect((await other!)[0]).toBe(5);
    expect(model.calls).toEqual([['good', 'bad', 'other'], ['good'], ['bad'], ['other']]);
  });

  it('drain sends what waits and returns when every text has its vector', async () => {
    const model = new FakeModel();
    const batcher = new EmbedBatcher(model.embed, { maxTexts: 8, maxWaitMs: 60_000 });
    const vector = batcher.add('abc');
    const drained = batcher.drain();
    await model.finishNext();
    await drained;
    expect((await vector)[0]).toBe(3);
  });
});
