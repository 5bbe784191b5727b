import { load } from 'cheerio';
import { decodeHTMLAttribute } from 'entities';
import { parseJson } from '../json.js';
import type { PageInput } from '../types.js';

/**
 * HF pages carry their data as Svelte hydration blobs:
 * `<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="{&quot;…">`.
 * The attribute is entity-encoded once; decoding it once gives JSON.
 */
export type BlobResult =
  { status: 'found'; props: unknown } | { status: 'absent' } | { status: 'broken'; error: string };

/** Bytes of the ASCII characters the tag reader looks for. */
const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQUALS = 0x3d;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const AMPERSAND = 0x26;
const BACKTICK = 0x60;

/** HTML's ASCII whitespace: tab, line feed, form feed, carriage return, space. */
const isSpace = (b: number | undefined): boolean =>
  b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d;
const isLetter = (b: number | undefined): boolean =>
  b !== undefined && ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a));
const isTagNameByte = (b: number | undefined): boolean =>
  isLetter(b) || (b !== undefined && b >= 0x30 && b <= 0x39) || b === 0x2d;
/** Bytes that end an attribute name. */
const endsName = (b: number): boolean =>
  isSpace(b) || b === DOUBLE_QUOTE || b === SINGLE_QUOTE || b === GT || b === SLASH || b === EQUALS;
/** Bytes that end an unquoted attribute value. */
const endsUnquoted = (b: number): boolean =>
  isSpace(b) ||
  b === DOUBLE_QUOTE ||
  b === SINGLE_QUOTE ||
  b === EQUALS ||
  b === LT ||
  b === GT ||
  b === BACKTICK;

/** Where an attribute's (still entity-encoded) value lies in the page's bytes. */
interface Span {
  start: number;
  end: number;
}

/** The first index from `i` whose byte does not satisfy `keep`. */
function skip(html: Buffer, i: number, keep: (b: number) => boolean): number {
  while (i < html.length && keep(html[i]!)) i++;
  return i;
}

/** The value after `=` at `i`: quoted or bare, with the index after it; null when there is none. */
function readValue(html: Buffer, i: number): { span: Span; next: number } | null {
  const quote = html[i];
  if (quote === DOUBLE_QUOTE || quote === SINGLE_QUOTE) {
    const close = html.indexOf(quote, i + 1);
    return close === -1 ? null : { span: { start: i + 1, end: close }, next: close + 1 };
  }
  const end = skip(html, i, (b) => !endsUnquoted(b));
  return end === i ? null : { span: { start: i, end }, next: end };
}

/**
 * Reads the attributes of the tag opening at `start` of a UTF-8 page, as spans of their values
 * (the first of each name, names lower-cased). Returns null when the bytes there are not a
 * well-formed start tag. Works on bytes so that a 250 KB attribute is never decoded to find it.
 */
function readStartTag(html: Buffer, start: number): Map<string, Span> | null {
  if (html[start] !== LT || !isLetter(html[start + 1])) return null;
  let i = skip(html, start + 1, isTagNameByte);
  const attrs = new Map<string, Span>();
  for (;;) {
    i = skip(html, i, isSpace);
    if (i >= html.length) return null;
    if (html[i] === GT || (html[i] === SLASH && html[i + 1] === GT)) return attrs;
    const nameEnd = skip(html, i, (b) => !endsName(b));
    if (nameEnd === i) return null;
    const name = html.toString('latin1', i, nameEnd).toLowerCase();
    let span: Span = { start: nameEnd, end: nameEnd };
    i = nameEnd;
    const equals = skip(html, i, isSpace);
    if (html[equals] === EQUALS) {
      const value = readValue(html, skip(html, equals + 1, isSpace));
      if (value === null) return null;
      ({ span, next: i } = value);
    }
    if (!attrs.has(name)) attrs.set(name, span);
  }
}

/**
 * Fast path: finds `data-target="{target}"` in the page's UTF-8 bytes and reads the enclosing
 * tag's `data-props` without building a DOM (listing pages are ~400 KB). Returns the raw
 * (entity-encoded) attribute value, or null when the fast path cannot find it.
 */
function fastRawProps(html: Buffer, target: string): Buffer | null {
  const marker = Buffer.from(`data-target="${target}"`);
  for (let at = html.indexOf(marker); at !== -1; at = html.indexOf(marker, at + marker.length)) {
    const start = html.lastIndexOf(LT, at);
    if (start === -1) continue;
    const attrs = readStartTag(html, start);
    const found = attrs?.get('data-target');
    if (found === undefined || html.toString('utf8', found.start, found.end) !== target) continue;
    const props = attrs?.get('data-props');
    if (props !== undefined) return html.subarray(props.start, props.end);
  }
  return null;
}

/** Slow path: a real HTML parser, for markup the fast path does not understand. */
function cheerioProps(html: string, target: string): string | null {
  const $ = load(html);
  for (const el of $('[data-target]').toArray()) {
    const node = $(el);
    if (node.attr('data-target') !== target) continue;
    const props = node.attr('data-props');
    if (props !== undefined) return props; // .attr() has already decoded entities, once
  }
  return null;
}

/** The five entities HF encodes data-props with, and the byte each stands for. */
const FIVE_ENTITIES: ReadonlyArray<readonly [Buffer, number]> = [
  [Buffer.from('&quot;'), DOUBLE_QUOTE],
  [Buffer.from('&amp;'), AMPERSAND],
  [Buffer.from('&#39;'), SINGLE_QUOTE],
  [Buffer.from('&lt;'), LT],
  [Buffer.from('&gt;'), GT],
];

/** Whether `raw` holds `name` at `i`, compared in JavaScript (a native call per entity costs more). */
function bytesAt(raw: Buffer, i: number, name: Buffer): boolean {
  if (i + name.length > raw.length) return false;
  for (let k = 1; k < name.length; k++) if (raw[i + k] !== name[k]) return false;
  return true;
}

function entityAt(raw: Buffer, i: number): readonly [Buffer, number] | undefined {
  for (const entity of FIVE_ENTITIES) if (bytesAt(raw, i, entity[0])) return entity;
  return undefined;
}

/** Stretches between entities longer than this are copied natively, shorter ones byte by byte. */
const NATIVE_COPY_BYTES = 64;

/**
 * The fast path of attribute decoding: HF encodes data-props with exactly five entities
 * (`&quot;` `&amp;` `&lt;` `&gt;` `&#39;`). Returns null when any other entity appears, so the full
 * decoder takes over. Works on bytes, which are parsed as they are (`parseJsonBytes`), in pieces
 * too small for V8's large-object space.
 * A listing's blob holds about 11,000 entities, mostly a few bytes apart: the short stretches
 * between them are copied in JavaScript, since a native copy for each cost twice as much in all
 * (`bench/src/experiments/entity-decode.ts`).
 */
export function decodeFiveEntities(raw: Buffer): Buffer | null {
  const out = Buffer.allocUnsafe(raw.length);
  let length = 0;
  let last = 0;
  for (let i = raw.indexOf(AMPERSAND); i !== -1; i = raw.indexOf(AMPERSAND, i)) {
    const entity = entityAt(raw, i);
    if (entity === undefined) return null;
    if (i - last > NATIVE_COPY_BYTES) length += raw.copy(out, length, last, i);
    else for (let k = last; k < i; k++) out[length++] = raw[k]!;
    out[length++] = entity[1];
    i += entity[0].length;
    last = i;
  }
  length += raw.copy(out, length, last);
  return out.subarray(0, length);
}

/**
 * The decoded, JSON-parsed `data-props` of the hydration blob whose `data-target` is `target`, in
 * a page given as text or as a {@link PageInput} (read from its UTF-8 bytes when it has them).
 * Entities are decoded exactly once. Uses the fast path and falls back to cheerio, on the page's
 * text, when the fast path finds nothing or yields text that is not JSON.
 */
export function readHydrationProps(
  page: string | Pick<PageInput, 'body' | 'utf8'>,
  target: string,
): BlobResult {
  const text = (): string => (typeof page === 'string' ? page : page.body);
  const raw = fastRawProps((typeof page === 'string' ? undefined : page.utf8) ?? Buffer.from(text()), target);
  let fastError: string | undefined;
  if (raw !== null) {
    const decoded = decodeFiveEntities(raw);
    const parsed = parseJson(decoded ?? decodeHTMLAttribute(raw.toString('utf8')));
    if (parsed.ok) return { status: 'found', props: parsed.value };
    fastError = parsed.error;
  }
  const slow = cheerioProps(text(), target);
  if (slow === null)
    return fastError === undefined ? { status: 'absent' } : { status: 'broken', error: fastError };
  const parsed = parseJson(slow);
  return parsed.ok ? { status: 'found', props: parsed.value } : { status: 'broken', error: parsed.error };
}
