import type { PageBody } from '@paperline/contracts';

/** How many leading bytes are searched for `<meta charset>` or an XML prolog. */
const SNIFF_BYTES = 4096;

const HEADER_CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]+))/i;
const XML_PROLOG = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([^"']+)["']/i;
const META_TAG = /<meta\b[^>]*>/gi;
const META_CHARSET = /charset\s*=\s*["']?\s*([^"'\s;/>]+)/i;

/**
 * windows-1252 code points for bytes 0x80..0x9F. Node 20's TextDecoder decodes windows-1252 (and
 * every label aliased to it: latin1, iso-8859-1, ascii) as ISO-8859-1, turning `€` and curly
 * quotes into C1 controls, so this range is mapped by hand.
 */
const WINDOWS_1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(body: Buffer): string {
  return body
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

/** The WHATWG name of an encoding label (`latin1` → `windows-1252`), or undefined if unsupported. */
function canonical(label: string | undefined): string | undefined {
  if (!label) return undefined;
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    return undefined;
  }
}

function fromBom(body: Buffer): string | undefined {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  return undefined;
}

function fromHeader(contentType: string): string | undefined {
  const m = HEADER_CHARSET.exec(contentType);
  return canonical(m?.[1] ?? m?.[2]);
}

function isJson(contentType: string): boolean {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

/** Charset declared inside the document: XML prolog first, then `<meta charset>` / `<meta http-equiv>`. */
function fromDocument(body: Buffer): string | undefined {
  const head = body.subarray(0, SNIFF_BYTES).toString('latin1');
  let label = XML_PROLOG.exec(head)?.[1];
  if (label === undefined) {
    for (const tag of head.match(META_TAG) ?? []) {
      label = META_CHARSET.exec(tag)?.[1];
      if (label !== undefined) break;
    }
  }
  const found = canonical(label);
  // A document readable as ASCII cannot really be UTF-16 (HTML spec, "prescan").
  return found?.startsWith('utf-16') ? 'utf-8' : found;
}

/**
 * The charset a body should be decoded with: a byte-order mark, else the `charset` parameter of
 * the Content-Type, else UTF-8 for JSON, else the XML prolog or `<meta charset>` /
 * `<meta http-equiv="Content-Type">` in the first 4 KiB, else UTF-8. Unknown labels are skipped.
 * Returns WHATWG encoding names (`windows-1252`, `shift_jis`, `utf-8`…).
 */
export function detectCharset(body: Buffer, contentType: string): string {
  return (
    fromBom(body) ??
    fromHeader(contentType) ??
    (isJson(contentType) ? 'utf-8' : undefined) ??
    fromDocument(body) ??
    'utf-8'
  );
}

/**
 * Decodes a response body to text with the charset from {@link detectCharset}. Invalid byte
 * sequences become U+FFFD; never throws. A leading BOM is removed.
 */
export function decodeBody(body: Buffer, contentType: string): { text: string; charset: string } {
  const charset = detectCharset(body, contentType);
  return { text: decodeAs(body, charset), charset };
}

/** The body as text in `charset` (a WHATWG name from {@link detectCharset}); a leading BOM removed. */
function decodeAs(body: Buffer, charset: string): string {
  return charset === 'windows-1252' ? decodeWindows1252(body) : new TextDecoder(charset).decode(body);
}

/** {@link decodeBody}, deferred until the text is asked for; the bytes kept as such when UTF-8. */
export function lazyBody(body: Buffer, contentType: string): PageBody {
  const charset = detectCharset(body, contentType);
  let text: string | undefined;
  const decode = (): string => (text ??= decodeAs(body, charset));
  return charset === 'utf-8' ? { utf8: body, text: decode } : { text: decode };
}

/** A body already held as text. */
export function textBody(text: string): PageBody {
  return { text: () => text };
}
