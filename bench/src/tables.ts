/**
 * `pnpm bench:tables [--check]` — writes the figures tables of README.md (its Performance section)
 * and bench/README.md from the result files in bench/results/, between
 * `<!-- bench:table:begin -->` and `<!-- bench:table:end -->`. With `--check` it writes nothing
 * and exits 1 when a committed table differs from what the result files generate (`pnpm lint`
 * runs it: no benchmark is run).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderBenchFigures, renderSummary } from './figures.js';
import { readResults, type BenchRecord } from './resultfile.js';

const BEGIN = '<!-- bench:table:begin -->';
const END = '<!-- bench:table:end -->';

const TABLES: Array<{ file: string; render: (records: BenchRecord[]) => string }> = [
  { file: fileURLToPath(new URL('../../README.md', import.meta.url)), render: (rs) => renderSummary(rs) },
  { file: fileURLToPath(new URL('../README.md', import.meta.url)), render: renderBenchFigures },
];

/** A markdown file without exactly one pair of table markers, in order. */
class TableMarkerError extends Error {
  constructor(file: string) {
    super(`${file}: needs exactly one '${BEGIN}' followed by one '${END}'`);
    this.name = 'TableMarkerError';
  }
}

/** `text` with the part between the markers replaced by `block`. */
function splice(file: string, text: string, block: string): string {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  const single = (m: string) => text.indexOf(m) === text.lastIndexOf(m);
  if (begin === -1 || end < begin || !single(BEGIN) || !single(END)) throw new TableMarkerError(file);
  return `${text.slice(0, begin + BEGIN.length)}\n${block}\n${text.slice(end)}`;
}

/** The files whose tables differ from what `records` generate; they are rewritten unless `check`. */
function update(records: BenchRecord[], check: boolean): string[] {
  const stale: string[] = [];
  for (const { file, render } of TABLES) {
    const text = readFileSync(file, 'utf8');
    const next = splice(file, text, render(records));
    if (next === text) continue;
    stale.push(file);
    if (!check) writeFileSync(file, next);
  }
  return stale;
}

function main(argv: string[]): number {
  const unknown = argv.filter((a) => a !== '--check' && a !== '--');
  if (unknown.length > 0)
    throw new Error(`unknown argument ${unknown.join(' ')}; usage: pnpm bench:tables [--check]`);
  const check = argv.includes('--check');
  const records = readResults();
  const stale = update(records, check);
  if (check && stale.length > 0) {
    process.stderr.write(
      `bench tables are out of date with bench/results/ (${records.length} result files): ${stale.join(', ')}\nrun \`pnpm bench:tables\`\n`,
    );
    return 1;
  }
  if (!check)
    process.stderr.write(
      `bench tables: ${stale.length} file(s) rewritten from ${records.length} result files\n`,
    );
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
