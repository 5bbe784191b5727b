import { load } from 'cheerio';
import { decodeHTMLAttribute } from 'entities';
import { parseJson } from '../json.js';

/**
 * HF pages carry their data as Svelte hydration blobs:
 * `<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="{&quot;…">`.
 * The attribute is entity-encoded once; decoding it once gives JSON.
 */
export type BlobResult =
  { status: 'found'; props: unknown } | { status: 'absent' } | { status: 'broken'; error: string };

/** Attributes of one tag, read from `<` on; the value of each is still entity-encoded. */
const ATTR = /\s*([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/y;

/**
 * Reads the attributes of the tag opening at `start`. Returns null when the text there is not a
 * well-formed start tag.
 */
function readStartTag(html: string, start: number): Map<string, string> | null {
  const name = /<([A-Za-z][A-Za-z0-9-]*)/y;
  name.lastIndex = start;
  if (!name.exec(html)) return null;
  const attrs = new Map<string, string>();
  let i = name.lastIndex;
  for (;;) {
    while (i < html.length && /\s/.test(html[i] ?? '')) i++;
    if (html[i] === '>' || html.startsWith('/>', i)) return attrs;
    if (i >= html.length) return null;
    ATTR.lastIndex = i;
    const m = ATTR.exec(html);
    if (!m || ATTR.lastIndex === i) return null;
    const key = (m[1] ?? '').toLowerCase();
    if (!attrs.has(key)) attrs.set(key, m[2] ?? m[3] ?? m[4] ?? '');
    i = ATTR.lastIndex;
  }
}

/**
 * Fast path: finds `data-target="{target}"` with indexOf and reads the enclosing tag's
 * `data-props` without building a DOM (listing pages are ~400 KB). Returns the raw (encoded)
 * attribute value, or null when the fast path cannot find it.
 */
function fastRawProps(html: string, target: string): string | null {
  const marker = `data-target="${target}"`;
  for (let at = html.indexOf(marker); at !== -1; at = html.indexOf(marker, at + marker.length)) {
    const start = html.lastIndexOf('<', at);
    if (start === -1) continue;
    const attrs = readStartTag(html, start);
    if (attrs?.get('data-target') !== target) continue;
    const props = attrs.get('data-props');
    if (props !== undefined) return props;
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

/**
 * The fast path of attribute decoding: HF encodes data-props with exactly five entities
 * (`&quot;` `&amp;` `&lt;` `&gt;` `&#39;`). Returns null when any other entity appears, so the full
 * decoder takes over. One scan with indexOf: about 3x faster than a regex replace with a callback
 * on a 260 KB blob.
 */
function decodeFiveEntities(raw: string): string | null {
  let out = '';
  let last = 0;
  for (let i = raw.indexOf('&'); i !== -1; i = raw.indexOf('&', i)) {
    let ch: string;
    let len: number;
    if (raw.startsWith('&quot;', i)) [ch, len] = ['"', 6];
    else if (raw.startsWith('&amp;', i)) [ch, len] = ['&', 5];
    else if (raw.startsWith('&#39;', i)) [ch, len] = ["'", 5];
    else if (raw.startsWith('&lt;', i)) [ch, len] = ['<', 4];
    else if (raw.startsWith('&gt;', i)) [ch, len] = ['>', 4];
    else return null;
    out += raw.slice(last, i) + ch;
    i += len;
    last = i;
  }
  return out + raw.slice(last);
}

/**
 * The decoded, JSON-parsed `data-props` of the hydration blob whose `data-target` is `target`.
 * Entities are decoded exactly once. Uses the fast path and falls back to cheerio when the fast
 * path finds nothing or yields text that is not JSON.
 */
export function readHydrationProps(html: string, target: string): BlobResult {
  const raw = fastRawProps(html, target);
  let fastError: string | undefined;
  if (raw !== null) {
    const parsed = parseJson(decodeFiveEntities(raw) ?? decodeHTMLAttribute(raw));
    if (parsed.ok) return { status: 'found', props: parsed.value };
    fastError = parsed.error;
  }
  const slow = cheerioProps(html, target);
  if (slow === null)
    return fastError === undefined ? { status: 'absent' } : { status: 'broken', error: fastError };
  const parsed = parseJson(slow);
  return parsed.ok ? { status: 'found', props: parsed.value } : { status: 'broken', error: parsed.error };
}
