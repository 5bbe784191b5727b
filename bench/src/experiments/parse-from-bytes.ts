/**
 * Experiment: the parser stage's CPU per synthetic 50-paper listing page, from the fetched bytes
 * to validated candidates, with two builds of `@paperline/sources` and `@paperline/core/http`
 * side by side in one process, each the way its parser stage reads a page: a build without
 * `pageInput` (before `75730cd`) decodes the whole page to text and parses the text; one with it
 * gives the parser the page's UTF-8 bytes (`lazyBody` + `pageInput`), so that only the hydration
 * blob is decoded. Rounds alternate between the two; each row is one round's CPU time of this
 * process (`process.cpuUsage`: user and system) per page, after a warm-up.
 *   pnpm exec tsx bench/src/experiments/parse-from-bytes.ts <before sources dist> <before core dist> [pages=1000] [rounds=3]
 * The `before` directories are `dist` builds of an earlier commit copied next to the current ones
 * (`packages/sources/dist-old`, `packages/core/dist-old`), where their imports still resolve.
 */
import { lazyBody } from '@paperline/core/http';
import { pageInput, parsePage } from '@paperline/sources';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SYNTHETIC_BASES as bases, syntheticPage } from './synthetic-page.js';

type ParseOld = (input: object, b: typeof bases) => { candidates: unknown[] };
type DecodeOld = (body: Buffer, contentType: string) => { text: string };
type PageInputOld = (fields: object, body: object) => object;
type LazyBodyOld = (body: Buffer, contentType: string) => object;

const [sourcesDir, coreDir] = process.argv.slice(2, 4);
if (!sourcesDir || !coreDir)
  throw new Error('usage: parse-from-bytes.ts <sources dist> <core dist> [pages] [rounds]');
const pagesPerRound = Number(process.argv[4] ?? 1000);
const rounds = Number(process.argv[5] ?? 3);
const load = async <T>(dir: string, file: string): Promise<T> =>
  (await import(pathToFileURL(resolve(dir, file)).href)) as T;
const sourcesOld = await load<{ parsePage: ParseOld; pageInput?: PageInputOld }>(sourcesDir, 'index.js');
const coreOld = await load<{ decodeBody: DecodeOld; lazyBody?: LazyBodyOld }>(coreDir, 'http/index.js');
const { parsePage: parseOld, pageInput: pageInputOld } = sourcesOld;
const { decodeBody: decodeOld, lazyBody: lazyBodyOld } = coreOld;

const contentType = 'text/html; charset=utf-8';
const pages = Array.from({ length: 20 }, (_, p) => {
  const { url, body } = syntheticPage(p);
  return { url, bytes: Buffer.from(body) };
});
const fields = (url: string) => ({ url, finalUrl: url, contentType, fetchedAt: new Date().toISOString() });

const variants: Record<string, (p: (typeof pages)[number]) => number> = {
  before: ({ url, bytes }) =>
    parseOld(
      pageInputOld && lazyBodyOld
        ? pageInputOld(fields(url), lazyBodyOld(bytes, contentType))
        : { ...fields(url), body: decodeOld(bytes, contentType).text },
      bases,
    ).candidates.length,
  after: ({ url, bytes }) =>
    parsePage(pageInput(fields(url), lazyBody(bytes, contentType)), bases).candidates.length,
};

/** CPU ms per page (user, system) of `n` pages through `parse`. */
function cpuPerPage(parse: (p: (typeof pages)[number]) => number, n: number): [number, number] {
  const c0 = process.cpuUsage();
  let papers = 0;
  for (let i = 0; i < n; i++) papers += parse(pages[i % pages.length]!);
  const c = process.cpuUsage(c0);
  if (papers !== n * 50) throw new Error(`expected ${n * 50} papers, got ${papers}`);
  return [c.user / 1000 / n, c.system / 1000 / n];
}

for (const parse of Object.values(variants)) cpuPerPage(parse, 100);
console.log(
  `# ${pagesPerRound} pages per round, body ${pages[0]!.bytes.length} bytes, node ${process.version}`,
);
for (let r = 0; r < rounds; r++) {
  for (const [name, parse] of Object.entries(variants)) {
    const [user, system] = cpuPerPage(parse, pagesPerRound);
    console.log(
      `${name.padEnd(6)} round ${r + 1}: ${(user + system).toFixed(2)} ms per page (user ${user.toFixed(2)}, system ${system.toFixed(2)})`,
    );
  }
}
