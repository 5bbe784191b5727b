/**
 * `JSON.parse` of UTF-8 bytes that never builds one string of a large document.
 *
 * Why by hand: V8 puts every string over 128 KB in a memory mapping of its own, fresh from the
 * kernel and returned to it at the next garbage collection, so each such string costs a page fault
 * per 4 KB. A Hugging Face listing's blob is 200–250 KB of UTF-8, a string of as many characters
 * (of two bytes each once one is outside Latin-1): some 50 faults, to be parsed once and dropped.
 * Parsed in pieces of at most {@link PIECE_BYTES} it took 0.75–1.25 ms of CPU against 1.31–1.68
 * (`bench/src/experiments/json-pieces.ts`). No JSON library does this: streaming parsers are
 * written in JavaScript and are slower than the native `JSON.parse` each piece still goes through.
 *
 * A container larger than a piece is split into its members by a scan of its bytes (strings are
 * skipped with `indexOf`, so their content is never looked at), and each member is parsed the same
 * way; smaller values go to `JSON.parse` whole. The result is the one `JSON.parse` gives for the
 * whole text; whatever the scan does not expect (invalid JSON included) is handed to that one
 * `JSON.parse`, so its errors are `JSON.parse`'s own.
 */

/** Values up to this many bytes are parsed from one string (a two-byte string of it is 64 KB). */
export const PIECE_BYTES = 32 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Thrown by the scan when the bytes are not what it expects; the whole text is parsed instead. */
class NotSplittable extends Error {}

/** Parses UTF-8 JSON (a leading byte order mark is ignored), as `JSON.parse` of its text would. */
export function parseJsonBytes(bytes: Buffer, pieceBytes: number = PIECE_BYTES): unknown {
  try {
    return parseJsonPieces(bytes, pieceBytes);
  } catch (err) {
    if (!(err instanceof NotSplittable) && !(err instanceof SyntaxError)) throw err;
  }
  return JSON.parse(bytes.toString('utf8', bomLength(bytes))) as unknown;
}

/**
 * The split parse alone: throws where {@link parseJsonBytes} falls back to one `JSON.parse` (the
 * bytes are not valid JSON, or not as the scan expects them). Exported for its tests.
 */
export function parseJsonPieces(bytes: Buffer, pieceBytes: number = PIECE_BYTES): unknown {
  return parseSpan(bytes, bomLength(bytes), bytes.length, pieceBytes);
}

const bomLength = (bytes: Buffer): number => (bytes.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0);

const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function parseSpan(b: Buffer, start: number, end: number, pieceBytes: number): unknown {
  if (end - start <= pieceBytes) return JSON.parse(b.toString('utf8', start, end)) as unknown;
  while (isSpace(b[start])) start++;
  while (end > start && isSpace(b[end - 1])) end--;
  const open = b[start];
  if (open === OPEN_BRACKET && b[end - 1] === CLOSE_BRACKET) {
    return memberSpans(b, start, end).map(([s, e]) => parseSpan(b, s, e, pieceBytes));
  }
  if (open === OPEN_BRACE && b[end - 1] === CLOSE_BRACE) return parseObject(b, start, end, pieceBytes);
  // One long string or number: nothing to split.
  return JSON.parse(b.toString('utf8', start, end)) as unknown;
}

function parseObject(b: Buffer, start: number, end: number, pieceBytes: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [s, e] of memberSpans(b, start, end)) {
    let k = s;
    while (isSpace(b[k])) k++;
    if (b[k] !== QUOTE) throw new NotSplittable();
    const keyEnd = stringEnd(b, k);
    const key = JSON.parse(b.toString('utf8', k, keyEnd)) as string;
    let colon = keyEnd;
    while (isSpace(b[colon])) colon++;
    if (b[colon] !== COLON) throw new NotSplittable();
    // As JSON.parse does: an own property, even `__proto__`, and the last of duplicate keys wins.
    Object.defineProperty(out, key, {
      value: parseSpan(b, colon + 1, e, pieceBytes),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * The spans between the top-level commas of the container `b[start] … b[end - 1]` (its brackets
 * excluded); none for an empty container. Strings are skipped whole, brackets inside them ignored.
 */
function memberSpans(b: Buffer, start: number, end: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const last = end - 1;
  let depth = 0;
  let from = start + 1;
  for (let i = from; i < last;) {
    const c = b[i];
    if (c === QUOTE) {
      i = stringEnd(b, i);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (--depth < 0) throw new NotSplittable();
    } else if (c === COMMA && depth === 0) {
      spans.push([from, i]);
      from = i + 1;
    }
    i++;
  }
  if (depth !== 0) throw new NotSplittable();
  let k = from;
  while (k < last && isSpace(b[k])) k++;
  // The last member; a container with nothing in it has none (a trailing comma is left to fail).
  if (k < last || spans.length > 0) spans.push([from, last]);
  return spans;
}

/** The index just past the string whose opening quote is at `i`. */
function stringEnd(b: Buffer, i: number): number {
  for (let from = i + 1; ;) {
    const q = b.indexOf(QUOTE, from);
    if (q === -1) throw new NotSplittable();
    let backslashes = 0;
    while (b[q - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    from = q + 1;
  }
}
