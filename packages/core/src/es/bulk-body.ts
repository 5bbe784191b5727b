/**
 * NDJSON bodies of bulk requests, written into buffers that are reused from one request to the
 * next. The client's own serializer joins a bulk's lines into one string: for 1,000 papers 2.5 MB,
 * twice that once a character is outside Latin-1, which V8 keeps in its large-object space and the
 * socket copies into one more buffer of that size; both are memory mapped anew from the kernel for
 * every request, a page fault per 4 KB. Here each line is written straight into a buffer kept from
 * an earlier request (`bench/src/experiments/bulk-body.ts`).
 */
import type { Client, estypes } from '@elastic/elasticsearch';

/** Buffers are sized in whole MiB, so that one fits the next request of about the same size. */
const SIZE_STEP = 1024 * 1024;
/** A buffer larger than this (an unusually large request) is not kept. */
const MAX_KEPT_BYTES = 16 * SIZE_STEP;

export class BulkBodies {
  private readonly free: Buffer[] = [];

  /** @param keep buffers kept for reuse at most (as many as bulk requests run at once). */
  constructor(private readonly keep = 4) {}

  /**
   * Runs `send` with the NDJSON body of `lines` (an object is serialized, a string is sent as it
   * is: serialized JSON). The buffer is reused once `send` has settled, so `send` must not keep it.
   *
   * Only the buffer is held while the request is out: the lines' text is written before anything
   * waits, so what was serialized here dies young instead of being copied by every scavenge of
   * the wait (the archive's 70 KB of base64 a page, a bulk's action lines).
   */
  send<T>(lines: ReadonlyArray<object | string>, send: (body: Buffer) => Promise<T>): Promise<T> {
    const { buffer, length } = this.write(lines);
    return this.sendThenReuse(buffer, length, send);
  }

  /** Writes the NDJSON of `lines` into a buffer of this pool; `length` bytes of it are the body. */
  private write(lines: ReadonlyArray<object | string>): { buffer: Buffer; length: number } {
    const texts = lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
    let size = 0;
    for (const t of texts) size += Buffer.byteLength(t) + 1;
    const buffer = this.take(size);
    let length = 0;
    for (const t of texts) {
      length += buffer.write(t, length);
      buffer[length++] = 0x0a;
    }
    return { buffer, length };
  }

  private async sendThenReuse<T>(
    buffer: Buffer,
    length: number,
    send: (body: Buffer) => Promise<T>,
  ): Promise<T> {
    try {
      return await send(buffer.subarray(0, length));
    } finally {
      this.give(buffer);
    }
  }

  private take(size: number): Buffer {
    const i = this.free.findIndex((b) => b.length >= size);
    if (i !== -1) return this.free.splice(i, 1)[0]!;
    return Buffer.allocUnsafeSlow(Math.ceil(size / SIZE_STEP) * SIZE_STEP);
  }

  private give(buffer: Buffer): void {
    if (buffer.length > MAX_KEPT_BYTES) return;
    if (this.free.length < this.keep) this.free.push(buffer);
    else {
      // Keep the largest ones: a smaller buffer is the one a request is likelier to outgrow.
      this.free.sort((a, b) => a.length - b.length);
      if (this.free[0]!.length < buffer.length) this.free[0] = buffer;
    }
  }
}

/** One `_bulk` request of `lines`, its body written through `bodies`. */
export function postBulk(
  es: Client,
  bodies: BulkBodies,
  lines: ReadonlyArray<object | string>,
  querystring?: Record<string, unknown>,
): Promise<estypes.BulkResponse> {
  return bodies.send(lines, (body) =>
    es.transport.request<estypes.BulkResponse>({
      method: 'POST',
      path: '/_bulk',
      ...(querystring ? { querystring } : {}),
      bulkBody: body,
    }),
  );
}

/** Why a bulk item failed, as Elasticsearch said it: `type: reason`, or its status alone. */
export const bulkItemFailure = (op: estypes.BulkResponseItem | undefined): string =>
  op?.error ? `${op.error.type}: ${op.error.reason ?? ''}` : `status ${op?.status}`;
