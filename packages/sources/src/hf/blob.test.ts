import { describe, expect, it } from 'vitest';
import { hfFixture } from '../test-support.js';
import { decodeFiveEntities, readHydrationProps } from './blob.js';

const props = { dailyPapers: [], note: `a "quote", <tag> & 'apos' — café 日本語 &amp;` };
const encoded = JSON.stringify(props)
  .replace(/&/g, '&amp;')
  .replace(/"/g, '&quot;')
  .replace(/</g, '&lt;')
  .replace(/>/g, '&gt;')
  .replace(/'/g, '&#x27;');

/** A page as the parser stage gives it: UTF-8 bytes, and its text should the fast path fail. */
const asBytes = (html: string) => ({ utf8: Buffer.from(html), body: html });

describe('readHydrationProps', () => {
  it('reads the blob by its data-target among other hydraters', () => {
    const html = `<body class="DailyPapersPage"><div class="SVELTE_HYDRATER contents" data-target="MainHeader" data-props="{&quot;isWide&quot;:false}"></div>
      <div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="${encoded}"><section></section></div></body>`;
    expect(readHydrationProps(html, 'DailyPapers')).toEqual({ status: 'found', props });
    expect(readHydrationProps(html, 'MainHeader')).toEqual({ status: 'found', props: { isWide: false } });
  });

  it('reads data-props written before data-target, and raw ">" inside the value', () => {
    const html = `<div data-props="{&quot;x&quot;:&quot;a > b&quot;}" class="SVELTE_HYDRATER contents" data-target="DailyPapers"></div>`;
    expect(readHydrationProps(html, 'DailyPapers')).toEqual({ status: 'found', props: { x: 'a > b' } });
  });

  it('falls back to a real HTML parser for markup the fast path does not read', () => {
    const single = `<div class="SVELTE_HYDRATER contents" data-target='DailyPapers' data-props='${JSON.stringify(props).replace(/&/g, '&amp;').replace(/'/g, '&#39;')}'></div>`;
    expect(readHydrationProps(single, 'DailyPapers')).toEqual({ status: 'found', props });
    const upper = `<DIV DATA-TARGET="DailyPapers" DATA-PROPS="${encoded}"></DIV>`;
    expect(readHydrationProps(upper, 'DailyPapers')).toEqual({ status: 'found', props });
  });

  it('reports a missing blob and broken JSON', () => {
    expect(
      readHydrationProps('<html><body><p>data-target="DailyPapers"</p></body></html>', 'DailyPapers'),
    ).toEqual({
      status: 'absent',
    });
    expect(readHydrationProps(hfFixture('error-page.html'), 'DailyPapers')).toEqual({ status: 'absent' });
    const broken = readHydrationProps(
      '<div data-target="DailyPapers" data-props="{&quot;dailyPapers&quot;:["></div>',
      'DailyPapers',
    );
    expect(broken.status).toBe('broken');
  });

  it('decodes the fixtures once (fast path and parser agree)', () => {
    const html = hfFixture('date-2024-02-22.html');
    const fast = readHydrationProps(html, 'DailyPapers');
    // Defeat the fast path (quote style it does not look for) and compare with cheerio's reading.
    const slow = readHydrationProps(
      html.replace('data-target="DailyPapers"', "data-target='DailyPapers'"),
      'DailyPapers',
    );
    expect(fast.status).toBe('found');
    expect(slow).toEqual(fast);
  });

  it('reads a blob larger than a parse piece as a whole JSON.parse would, and reports it broken', () => {
    // The fixture's 20 KB blob, its papers repeated past the 32 KB pieces `parseJsonBytes` parses.
    const fixture = readHydrationProps(hfFixture('date-2024-02-22.html'), 'DailyPapers');
    if (fixture.status !== 'found') throw new Error('the fixture has no blob');
    const large = fixture.props as { dailyPapers: unknown[] };
    const repeated = {
      ...large,
      dailyPapers: Array.from({ length: 6 }, () => large.dailyPapers).flat(),
      note: props.note,
    };
    const attribute = JSON.stringify(repeated)
      .replace(/&/g, '&amp;')
      .replace(/"/g, '&quot;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/'/g, '&#39;');
    expect(Buffer.byteLength(JSON.stringify(repeated))).toBeGreaterThan(100_000);
    const html = `<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="${attribute}"></div>`;
    expect(readHydrationProps(asBytes(html), 'DailyPapers')).toEqual({ status: 'found', props: repeated });
    const cut = html.replace('&quot;note&quot;', '&quot;note&quot;,');
    const broken = readHydrationProps(asBytes(cut), 'DailyPapers');
    let error = '';
    try {
      JSON.parse(JSON.stringify(repeated).replace('"note"', '"note",'));
    } catch (err) {
      error = (err as Error).message;
    }
    expect(broken).toEqual({ status: 'broken', error });
  });

  it('reads the same blob from the UTF-8 bytes of the page as from its text', () => {
    const html = `<body><p>café — 日本語</p><div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="${encoded}"></div></body>`;
    expect(readHydrationProps(asBytes(html), 'DailyPapers')).toEqual({ status: 'found', props });
    const fixture = hfFixture('date-2024-02-22.html');
    expect(readHydrationProps(asBytes(fixture), 'DailyPapers')).toEqual(
      readHydrationProps(fixture, 'DailyPapers'),
    );
  });

  it('reads bare and single-quoted attributes around data-props, and a self-closing tag', () => {
    const html = `<div id=x hidden data-target="DailyPapers" title='a "b"' data-props="{&quot;n&quot;:1}"/>`;
    expect(readHydrationProps(html, 'DailyPapers')).toEqual({ status: 'found', props: { n: 1 } });
  });

  it('decodes entities other than the five HF uses with the full decoder', () => {
    const html = `<div data-target="DailyPapers" data-props="{&quot;x&quot;:&quot;&eacute;&#x27;&hellip;&quot;}"></div>`;
    expect(readHydrationProps(asBytes(html), 'DailyPapers')).toEqual({
      status: 'found',
      props: { x: "é'…" },
    });
  });

  it('skips a marker outside a well-formed tag and reads the next one', () => {
    const html = `<p>data-target="DailyPapers" data-props="{}"</p><div data-target="DailyPapers" data-props="[1]"></div>`;
    expect(readHydrationProps(html, 'DailyPapers')).toEqual({ status: 'found', props: [1] });
  });
});

describe('decodeFiveEntities', () => {
  it('decodes the five entities between stretches short and long, at either end', () => {
    const long = 'x'.repeat(200);
    const raw = `&quot;a&amp;b&#39;${long}&lt;é&gt;${long}&quot;`;
    expect(decodeFiveEntities(Buffer.from(raw))?.toString()).toBe(`"a&b'${long}<é>${long}"`);
    expect(decodeFiveEntities(Buffer.from('plain'))?.toString()).toBe('plain');
  });

  it('gives up on any other entity, and on an ampersand that starts none', () => {
    expect(decodeFiveEntities(Buffer.from('a &eacute; b'))).toBeNull();
    expect(decodeFiveEntities(Buffer.from('fish & chips'))).toBeNull();
    expect(decodeFiveEntities(Buffer.from('&quo'))).toBeNull();
  });
});
