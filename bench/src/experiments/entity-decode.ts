/**
 * Experiment: decoding the five entities of a synthetic listing's DailyPapers blob (about 250 KB,
 * 11,000 entities) on bytes, three ways, in alternating rounds of 1,000 blobs: a native
 * `Buffer.copy` of every stretch between two entities (`decodeFiveEntities` as of `75730cd`), a
 * JavaScript loop over every byte, and native copies for long stretches only (as
 * `packages/sources/src/hf/blob.ts` does since). All three must give the same bytes. CPU time of
 * this process (`process.cpuUsage`) per blob, after a warm-up.
 *   pnpm exec tsx bench/src/experiments/entity-decode.ts [rounds=3]
 */
import { syntheticPage } from './synthetic-page.js';

const AMPERSAND = 0x26;
const ENTITIES: ReadonlyArray<readonly [Buffer, number]> = [
  [Buffer.from('&quot;'), 0x22],
  [Buffer.from('&amp;'), 0x26],
  [Buffer.from('&#39;'), 0x27],
  [Buffer.from('&lt;'), 0x3c],
  [Buffer.from('&gt;'), 0x3e],
];

/** The parser's entity match: bytes compared in JavaScript, as in `blob.ts`. */
function bytesAt(raw: Buffer, i: number, name: Buffer): boolean {
  if (i + name.length > raw.length) return false;
  for (let k = 1; k < name.length; k++) if (raw[i + k] !== name[k]) return false;
  return true;
}

function entityAt(raw: Buffer, i: number): readonly [Buffer, number] {
  for (const entity of ENTITIES) if (bytesAt(raw, i, entity[0])) return entity;
  throw new Error(`unexpected entity at ${i}`);
}

function copyEachStretch(raw: Buffer): Buffer {
  const out = Buffer.allocUnsafe(raw.length);
  let length = 0;
  let last = 0;
  for (let i = raw.indexOf(AMPERSAND); i !== -1; i = raw.indexOf(AMPERSAND, i)) {
    const [name, byte] = entityAt(raw, i);
    length += raw.copy(out, length, last, i);
    out[length++] = byte;
    i += name.length;
    last = i;
  }
  length += raw.copy(out, length, last);
  return out.subarray(0, length);
}

function copyEachByte(raw: Buffer): Buffer {
  const out = Buffer.allocUnsafe(raw.length);
  let length = 0;
  for (let i = 0; i < raw.length;) {
    if (raw[i] !== AMPERSAND) {
      out[length++] = raw[i++]!;
      continue;
    }
    const [name, byte] = entityAt(raw, i);
    out[length++] = byte;
    i += name.length;
  }
  return out.subarray(0, length);
}

/** Long stretches copied natively, short ones in JavaScript, as `blob.ts` does. */
function copyLongStretches(raw: Buffer): Buffer {
  const out = Buffer.allocUnsafe(raw.length);
  let length = 0;
  let last = 0;
  for (let i = raw.indexOf(AMPERSAND); i !== -1; i = raw.indexOf(AMPERSAND, i)) {
    const [name, byte] = entityAt(raw, i);
    if (i - last > 64) length += raw.copy(out, length, last, i);
    else for (let k = last; k < i; k++) out[length++] = raw[k]!;
    out[length++] = byte;
    i += name.length;
    last = i;
  }
  length += raw.copy(out, length, last);
  return out.subarray(0, length);
}

const html = Buffer.from(syntheticPage(3).body);
const tag = html.lastIndexOf('<', html.indexOf('data-target="DailyPapers"'));
const start = html.indexOf('data-props="', tag) + 'data-props="'.length;
const raw = html.subarray(start, html.indexOf('"', start));

const variants: Record<string, (raw: Buffer) => Buffer> = {
  'native copy of every stretch': copyEachStretch,
  'JavaScript loop over every byte': copyEachByte,
  'native copy of long stretches only': copyLongStretches,
};
const expected = copyEachStretch(raw);
const { dailyPapers } = JSON.parse(expected.toString()) as { dailyPapers: unknown[] };
if (dailyPapers.length !== 50) throw new Error(`expected 50 papers in the blob, got ${dailyPapers.length}`);
for (const [name, decode] of Object.entries(variants)) {
  if (!decode(raw).equals(expected)) throw new Error(`${name} decodes differently`);
  for (let i = 0; i < 100; i++) decode(raw);
}
const entities = raw.toString('latin1').split('&').length - 1;
console.log(`# blob ${raw.length} bytes, ${entities} entities, node ${process.version}`);
for (let round = 1; round <= Number(process.argv[2] ?? 3); round++) {
  for (const [name, decode] of Object.entries(variants)) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 1000; i++) decode(raw);
    const c = process.cpuUsage(c0);
    console.log(
      `round ${round}: ${name.padEnd(42)} ${((c.user + c.system) / 1000 / 1000).toFixed(3)} ms per blob`,
    );
  }
}
