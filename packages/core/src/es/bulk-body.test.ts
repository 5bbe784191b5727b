import { describe, expect, it } from 'vitest';
import { BulkBodies } from './bulk-body.js';

describe('BulkBodies', () => {
  it('writes each line as NDJSON: objects serialized, strings as they are, non-ASCII as UTF-8', async () => {
    const bodies = new BulkBodies();
    const lines = [{ index: { _id: 'a' } }, '{"title":"Lefèvre — 数据"}', { delete: { _id: 'b' } }];
    const sent = await bodies.send(lines, async (body) => body.toString('utf8'));
    expect(sent).toBe('{"index":{"_id":"a"}}\n{"title":"Lefèvre — 数据"}\n{"delete":{"_id":"b"}}\n');
  });

  it('reuses a buffer once the request using it has settled, also after it failed', async () => {
    const bodies = new BulkBodies();
    const first = await bodies.send(['{"a":1}'], async (body) => body.buffer);
    await expect(
      bodies.send(['{"b":2}'], async (body) => {
        expect(body.buffer).toBe(first);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await bodies.send(['{"c":3}'], async (body) => body.buffer)).toBe(first);
  });

  it('gives requests in flight at once buffers of their own', async () => {
    const bodies = new BulkBodies();
    await bodies.send(['{"a":1}'], async (a) => {
      const inner = await bodies.send(['{"b":2}'], async (b) => b.buffer);
      expect(inner).not.toBe(a.buffer);
      expect(a.toString()).toBe('{"a":1}\n');
    });
  });

  it('does not keep a buffer of an unusually large request', async () => {
    const bodies = new BulkBodies();
    const large = 'x'.repeat(17 * 1024 * 1024);
    const first = await bodies.send([`"${large}"`], async (body) => body.buffer);
    expect(await bodies.send([`"${large}"`], async (body) => body.buffer)).not.toBe(first);
  });
});
