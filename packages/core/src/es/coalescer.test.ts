import { describe, expect, it } from 'vitest';
import { Coalescer } from './coalescer.js';

/** A `send` whose requests the test answers one by one; it records what each carried. */
function controlledSend() {
  const requests: { items: string[]; answer: (r: (string | Error)[]) => void; fail: (e: Error) => void }[] =
    [];
  const send = (items: string[]) =>
    new Promise<(string | Error)[]>((answer, fail) => requests.push({ items, answer, fail }));
  return { requests, send };
}

describe('Coalescer', () => {
  it('sends a call that finds no request in flight at once, alone', async () => {
    const { requests, send } = controlledSend();
    const c = new Coalescer(send, { maxInFlight: 1, maxItems: 10 });
    const a = c.submit('a');
    expect(requests.map((r) => r.items)).toEqual([['a']]);
    requests[0]!.answer(['A']);
    await expect(a).resolves.toBe('A');
  });

  it('sends the calls made while a request is out together once it is answered, each with its own result', async () => {
    const { requests, send } = controlledSend();
    const c = new Coalescer(send, { maxInFlight: 1, maxItems: 10 });
    const a = c.submit('a');
    const b = c.submit('b');
    const d = c.submit('d');
    expect(requests.map((r) => r.items)).toEqual([['a']]);
    requests[0]!.answer(['A']);
    await expect(a).resolves.toBe('A');
    expect(requests.map((r) => r.items)).toEqual([['a'], ['b', 'd']]);
    requests[1]!.answer(['B', 'D']);
    await expect(Promise.all([b, d])).resolves.toEqual(['B', 'D']);
  });

  it('keeps maxInFlight requests out and at most maxItems calls in each', async () => {
    const { requests, send } = controlledSend();
    const c = new Coalescer(send, { maxInFlight: 2, maxItems: 2 });
    const calls = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => c.submit(x));
    expect(requests.map((r) => r.items)).toEqual([['a'], ['b']]);
    requests[1]!.answer(['B']);
    await calls[1];
    expect(requests.map((r) => r.items)).toEqual([['a'], ['b'], ['c', 'd']]);
    requests[0]!.answer(['A']);
    await calls[0];
    expect(requests.map((r) => r.items)).toEqual([['a'], ['b'], ['c', 'd'], ['e', 'f']]);
  });

  it('fails only the call whose item failed, and every call of a request that failed as a whole; the queue goes on', async () => {
    const { requests, send } = controlledSend();
    const c = new Coalescer(send, { maxInFlight: 1, maxItems: 10 });
    const a = c.submit('a');
    const [b, d] = [c.submit('b'), c.submit('d')];
    requests[0]!.fail(new Error('store unavailable'));
    await expect(a).rejects.toThrow('store unavailable');
    requests[1]!.answer([new Error('b was refused'), 'D']);
    await expect(b).rejects.toThrow('b was refused');
    await expect(d).resolves.toBe('D');
    const e = c.submit('e');
    requests[2]!.answer(['E']);
    await expect(e).resolves.toBe('E');
  });

  it('fails the calls of a send that throws instead of returning a promise', async () => {
    const c = new Coalescer<string, string>(
      () => {
        throw new Error('bad request');
      },
      { maxInFlight: 1, maxItems: 10 },
    );
    await expect(c.submit('a')).rejects.toThrow('bad request');
    await expect(c.submit('b')).rejects.toThrow('bad request');
  });
});
