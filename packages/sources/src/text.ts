/**
 * Text normalisation shared by the parsers: HF and arXiv give titles, abstracts and names as raw
 * TeX with hard line wraps; records carry clean text (docs/record-schema.md#clean-text).
 */

/** Symbol accent macros (`\'e`) and the combining mark each stands for. */
const SYMBOL_ACCENTS: Readonly<Record<string, string>> = {
  "'": '\u0301',
  '`': '\u0300',
  '^': '\u0302',
  '"': '\u0308',
  '~': '\u0303',
  '=': '\u0304',
  '.': '\u0307',
};

/** Letter accent macros (`\c{c}`, `\v c`) and the combining mark each stands for. */
const LETTER_ACCENTS: Readonly<Record<string, string>> = {
  c: '\u0327',
  v: '\u030C',
  u: '\u0306',
  H: '\u030B',
  k: '\u0328',
  r: '\u030A',
  d: '\u0323',
};

/** Letters that are macros of their own (`\ss`, `\o`, `\ae`, …). */
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  ss: 'ß',
  o: 'ø',
  O: 'Ø',
  ae: 'æ',
  AE: 'Æ',
  oe: 'œ',
  OE: 'Œ',
  aa: 'å',
  AA: 'Å',
  l: 'ł',
  L: 'Ł',
};

// A base letter: a plain ASCII letter, or dotless \i / \j (accented i and j are written `\'\i`).
const BASE = String.raw`(\\[ij](?![A-Za-z])|[A-Za-z])`;
const SYMBOL = String.raw`\\(['\x60^"~=.])\s*(?:\{\s*${BASE}\s*\}|${BASE})`;
const LETTER = String.raw`\\([cvuHkrd])(?:\s*\{\s*${BASE}\s*\}|\s+${BASE}(?![A-Za-z]))`;
/** `{\'e}` or `\'e` / `\'{e}`; group 1/4 = macro, 2/3/5/6 = base (braced form first). */
const SYMBOL_RE = new RegExp(String.raw`\{\s*${SYMBOL}\s*\}|${SYMBOL}`, 'g');
const LETTER_RE = new RegExp(String.raw`\{\s*${LETTER}\s*\}|${LETTER}`, 'g');
const SPECIAL_NAMES = Object.keys(SPECIAL_LETTERS)
  .sort((a, b) => b.length - a.length)
  .join('|');
const SPECIAL_RE = new RegExp(
  String.raw`\{\\(${SPECIAL_NAMES})\}|\\(${SPECIAL_NAMES})(?:\{\}|\s(?=[A-Za-z])|(?![A-Za-z]))`,
  'g',
);
/** Font and URL wrappers whose argument is kept as is. Innermost first (no unescaped braces inside). */
const WRAPPER_RE =
  /\\(?:textbf|textit|texttt|textsc|textsf|textrm|textup|textsl|emph|underline|url)\s*\{((?:\\[{}]|[^{}])*)\}/g;
/** `1{,}200`: TeX's thousands separator. */
const GROUPED_COMMA_RE = /\{,\}/g;
/** `{\em x}`, `{\bf x}`, `{\it x}` → x. */
const DECLARATION_RE = /\{\\(?:em|bf|it|tt|sc|sf|rm|sl)\s+((?:\\[{}]|[^{}])*)\}/g;
/** `\\` (kept: a TeX line break, or an escaped backslash) and the escapes resolved to their character. */
const ESCAPE_RE = /\\\\|\\([%&_#${}])/g;
/** `~` (a TeX non-breaking space) between words; URLs are matched first and kept whole. */
const TILDE_RE = /https?:\/\/\S+|(?<=[\p{L}\p{N}.,;:)\]])~(?=[\p{L}\p{N}([])/gu;

function accent(match: string, base: string | undefined, mark: string | undefined): string {
  if (base === undefined || mark === undefined) return match;
  const letter = base === '\\i' ? 'i' : base === '\\j' ? 'j' : base;
  const composed = (letter + mark).normalize('NFC');
  // Only a precomposed letter is an unambiguous reading; anything else stays as typed.
  return composed.length === 1 ? composed : match;
}

/** Resolves TeX in a stretch of text outside math. */
function resolveTex(s: string): string {
  let out = s
    .replace(
      SYMBOL_RE,
      (m: string, m1?: string, b1?: string, b2?: string, m2?: string, b3?: string, b4?: string) =>
        accent(m, b1 ?? b2 ?? b3 ?? b4, SYMBOL_ACCENTS[m1 ?? m2 ?? '']),
    )
    .replace(
      LETTER_RE,
      (m: string, m1?: string, b1?: string, b2?: string, m2?: string, b3?: string, b4?: string) =>
        accent(m, b1 ?? b2 ?? b3 ?? b4, LETTER_ACCENTS[m1 ?? m2 ?? '']),
    )
    .replace(SPECIAL_RE, (m: string, a?: string, b?: string) => SPECIAL_LETTERS[a ?? b ?? ''] ?? m);
  // Nested wrappers unwrap from the inside out.
  for (let prev = ''; prev !== out;) {
    prev = out;
    out = out.replace(WRAPPER_RE, '$1').replace(DECLARATION_RE, '$1');
  }
  return out
    .replace(GROUPED_COMMA_RE, ',')
    .replace(ESCAPE_RE, (m: string, c?: string) => c ?? m)
    .replace(TILDE_RE, (m: string) => (m === '~' ? ' ' : m));
}

/** A stretch of text, and whether it is TeX math (`$…$`, `$$…$$`) to be left alone. */
interface Segment {
  text: string;
  math: boolean;
}

/**
 * The index of the `$` closing inline math opened before `from`, or -1. The closing `$` follows a
 * non-space (pandoc's rule), so prices (`$5 and $10`) are not math. Unlike pandoc, a digit may
 * follow it: arXiv abstracts write `5.9%$\rightarrow$10.9%`.
 */
function findInlineClose(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '$' && !/\s/u.test(s[i - 1] ?? ' ')) return i;
  }
  return -1;
}

/** The index of the `$$` closing display math opened before `from`, or -1. */
function findDisplayClose(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s.startsWith('$$', i)) return i;
  }
  return -1;
}

/** Splits text into math and non-math stretches. Escaped `\$` is not a delimiter. */
function splitMath(s: string): Segment[] {
  const out: Segment[] = [];
  let textStart = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch !== '$') continue;
    const display = s[i + 1] === '$';
    const delim = display ? '$$' : '$';
    // Inline math opens only before a non-space (pandoc's rule).
    const close = display
      ? findDisplayClose(s, i + 2)
      : /\s/u.test(s[i + 1] ?? ' ')
        ? -1
        : findInlineClose(s, i + 1);
    if (close <= i + delim.length) {
      if (display) i++; // `$$` without a closing pair: two literal dollars
      continue;
    }
    if (i > textStart) out.push({ text: s.slice(textStart, i), math: false });
    out.push({ text: s.slice(i, close + delim.length), math: true });
    i = close + delim.length - 1;
    textStart = close + delim.length;
  }
  if (textStart < s.length) out.push({ text: s.slice(textStart), math: false });
  return out;
}

/** Every TeX rule needs a backslash, a tilde or a brace; text without any only has its whitespace collapsed. */
const HAS_TEX = /[\\~{]/;

function cleanOnce(s: string): string {
  if (!HAS_TEX.test(s)) return collapseWhitespace(s);
  return splitMath(s)
    .map((seg) => (seg.math ? seg.text : resolveTex(seg.text)))
    .join('')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * Clean text for titles, abstracts and names: all whitespace (line wraps, tabs, NBSP) collapsed to
 * single spaces and trimmed; TeX escapes `\% \& \_ \# \$ \{ \}` resolved; accent macros
 * (`\'e`, `\"{u}`, `\c{c}`, `{\'e}`, `\ss`, …) turned into precomposed letters; `\textbf{x}`,
 * `\emph{x}`, `\textit{x}`, `\texttt{x}`, `\url{x}` → `x`; `1{,}200` → `1,200`; `~` between
 * words → space (not inside URLs). Dashes (`--`, `---`) stay as typed; math (`$…$` opening before and
 * closing after a non-space, `$$…$$`) is left untouched apart from whitespace; other macros (`\href`, `\cite`) and
 * accents with no precomposed letter (`\'x`) stay as typed.
 *
 * Idempotent: `cleanText(cleanText(x)) === cleanText(x)`. (Resolving `\$` can turn text into
 * something that reads as math on a second look, so the rules are applied until nothing changes;
 * every rule shortens the text or removes a `~`/non-space whitespace, so this ends.)
 */
export function cleanText(raw: string): string {
  let prev = raw;
  let next = cleanOnce(raw);
  while (next !== prev && HAS_TEX.test(next)) {
    prev = next;
    next = cleanOnce(next);
  }
  return next;
}

/** Whitespace collapsed and trimmed, nothing else (for keywords and identifiers). */
export function collapseWhitespace(raw: string): string {
  return raw.replace(/\s+/gu, ' ').trim();
}
