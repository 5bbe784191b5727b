/**
 * Experiment: parsing a synthetic listing's decoded DailyPapers blob (200–250 KB of UTF-8 with
 * non-ASCII names, as real listings have) two ways, in alternating rounds of 500 parses over 20
 * different pages: `JSON.parse` of the whole blob decoded to one string (what `blob.ts` did before
 * `parseJsonBytes`), and `parseJsonBytes`, which parses the blob in pieces of at most 32 KB.
 * V8 gives every string over 128 KB a memory mapping of its own, so the whole-text parse takes a
 * page fault per 4 KB of its two-byte string each time. Both must give the same value. CPU time
 * of this process (`process.cpuUsage`) and minor page faults (`process.resourceUsage`) per blob,
 * after a warm-up.
 *   pnpm exec tsx bench/src/experiments/json-pieces.ts [rounds=3]
 */
import { isDeepStrictEqual } from 'node:util';
import { parseJsonBytes } from '@paperline/sources';
import { perRun } from './measure.js';
import { syntheticPage } from './synthetic-page.js';

/** Page `p`'s DailyPapers blob, entities decoded, as the parser holds it before parsing. */
function decodedBlob(p: number): Buffer {
  const html = Buffer.from(syntheticPage(p).body);
  const tag = html.lastIndexOf('<', html.indexOf('data-target="DailyPapers"'));
  const start = html.indexOf('data-props="', tag) + 'data-props="'.length;
  const attribute = html.toString('utf8', start, html.indexOf('"', start));
  // The five entities the site encodes with (`&amp;` last, so that no entity is decoded twice).
  return Buffer.from(
    attribute
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&'),
  );
}

const blobs = Array.from({ length: 20 }, (_, i) => decodedBlob(i + 1));
const variants: Record<string, (blob: Buffer) => unknown> = {
  'JSON.parse of the whole text': (blob) => JSON.parse(blob.toString('utf8')) as unknown,
  'parseJsonBytes (32 KB pieces)': (blob) => parseJsonBytes(blob),
};
for (const blob of blobs) {
  if (!isDeepStrictEqual(variants['JSON.parse of the whole text']!(blob), parseJsonBytes(blob)))
    throw new Error('the two parses differ');
}
for (const parse of Object.values(variants)) for (let i = 0; i < 100; i++) parse(blobs[i % blobs.length]!);

const sizes = blobs.map((b) => b.length);
const nonAscii = blobs.filter((b) => b.some((byte) => byte > 0x7f)).length;
console.log(
  `# ${blobs.length} blobs of ${Math.min(...sizes)}–${Math.max(...sizes)} bytes (${nonAscii} with non-ASCII text), node ${process.version}`,
);
const parses = 500;
for (let round = 1; round <= Number(process.argv[2] ?? 3); round++) {
  for (const [name, parse] of Object.entries(variants)) {
    const { cpuMs, systemMs, faults } = await perRun(parses, () => {
      for (let i = 0; i < parses; i++) parse(blobs[i % blobs.length]!);
    });
    console.log(
      `round ${round}: ${name.padEnd(32)} ${cpuMs.toFixed(3)} ms per blob ` +
        `(system ${systemMs.toFixed(3)}), ${faults.toFixed(1)} page faults per blob`,
    );
  }
}
