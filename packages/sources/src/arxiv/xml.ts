/** Reading the arXiv XML feeds (export API Atom, OAI-PMH) with fast-xml-parser. */
import { ParseError } from '@paperline/contracts';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isObject, type JsonObject } from '../json.js';

/** Elements that may repeat; always read as arrays. */
const REPEATED = new Set(['entry', 'link', 'category', 'author', 'record', 'error']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Namespaces are declared on the root (current API) or on each element (legacy API): read
  // elements by local name either way.
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // Numeric character references (`&#233;`) as well as the XML entities; DOCTYPE entities are
  // not expanded.
  htmlEntities: true,
  isArray: (name: string) => REPEATED.has(name),
});

/**
 * The document as plain objects (elements by local name, attributes as `@_name`, text as
 * `#text` beside attributes). Throws ParseError naming the URL when the body is not well-formed
 * XML.
 */
export function readXml(body: string, url: string): JsonObject {
  const text = body.replace(/^\uFEFF/, '');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line } = valid.err;
    throw new ParseError(url, `response is not well-formed XML (line ${line}: ${msg})`, { source: 'arxiv' });
  }
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (err: unknown) {
    throw new ParseError(
      url,
      `response is not readable XML (${err instanceof Error ? err.message : String(err)})`,
      {
        source: 'arxiv',
        cause: err,
      },
    );
  }
  if (!isObject(doc)) throw new ParseError(url, 'response is not an XML document', { source: 'arxiv' });
  return doc;
}

/** The child elements named `key`, as an array (absent → `[]`). */
export function children(node: unknown, key: string): unknown[] {
  if (!isObject(node)) return [];
  const v = node[key];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The first child element named `key`, or undefined. */
export function child(node: unknown, key: string): unknown {
  return children(node, key)[0];
}

/** The text content of an element (`''` for an empty one or a non-element). */
export function text(node: unknown): string {
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return text(node[0]);
  if (isObject(node)) return text(node['#text']);
  return '';
}

/** The text of the first child named `key`, trimmed. */
export function childText(node: unknown, key: string): string {
  return text(child(node, key)).trim();
}

/** An attribute of an element, or undefined. */
export function attr(node: unknown, name: string): string | undefined {
  if (!isObject(node)) return undefined;
  const v = node[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}
