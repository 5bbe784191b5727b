import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/** The body (on the wire or decompressed) grew past the limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response body exceeds ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The server used a Content-Encoding we cannot decode. */
export class UnsupportedEncodingError extends Error {
  constructor(readonly encoding: string) {
    super(`unsupported Content-Encoding "${encoding}"`);
    this.name = 'UnsupportedEncodingError';
  }
}

/** The compressed body was corrupt or truncated. */
export class DecodingError extends Error {
  constructor(
    readonly encoding: string,
    cause: unknown,
  ) {
    super(`response body is not valid ${encoding} data (corrupt or truncated)`, { cause });
    this.name = 'DecodingError';
  }
}

/** A pass-through stream that fails with {@link BodyTooLargeError} once more than `limit` bytes went through. */
class ByteLimit extends Transform {
  #seen = 0;
  constructor(readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.limit) done(new BodyTooLargeError(this.limit));
    else done(null, chunk);
  }
}

/** Content codings in the order they must be undone (the header lists them in the order applied). */
function contentCodings(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity')
    .reverse();
}

function decoderFor(coding: string): Transform {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'br':
      return createBrotliDecompress();
    case 'deflate':
      return createInflate();
    default:
      throw new UnsupportedEncodingError(coding);
  }
}

/** Destroys a response body without risking an unhandled 'error' event. */
export function destroyBody(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Collects everything written to it. */
class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    done();
  }
}

/**
 * Streams a response body into one Buffer, undoing its Content-Encoding (gzip, br, deflate, in
 * any stacking). Both the bytes on the wire and the decoded bytes are counted and the read fails
 * with {@link BodyTooLargeError} as soon as either passes `maxBytes`, so no more than about
 * `maxBytes` is ever held in memory (a zip bomb stops at the limit). Corrupt compressed data
 * fails with {@link DecodingError}. The body is destroyed on any failure.
 */
export async function readBody(
  body: Readable,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  let decoders: Array<{ coding: string; stream: Transform }>;
  try {
    decoders = contentCodings(contentEncoding).map((coding) => ({ coding, stream: decoderFor(coding) }));
  } catch (err) {
    destroyBody(body);
    throw err;
  }
  // The stream that failed first is the cause; pipeline() then destroys the others with its error.
  let firstFailure: { coding?: string; err: unknown } | undefined;
  body.once('error', (err: unknown) => (firstFailure ??= { err }));
  for (const { coding, stream } of decoders) {
    stream.once('error', (err: unknown) => (firstFailure ??= { coding, err }));
  }
  const sink = new Collector();
  const stages: NodeJS.ReadWriteStream[] = [new ByteLimit(maxBytes)];
  if (decoders.length > 0) stages.push(...decoders.map((d) => d.stream), new ByteLimit(maxBytes));
  try {
    await pipeline([body, ...stages, sink]);
  } catch (err) {
    destroyBody(body);
    const coding = firstFailure?.coding;
    if (coding !== undefined && firstFailure?.err === err) throw new DecodingError(coding, err);
    throw err;
  }
  return Buffer.concat(sink.chunks);
}
