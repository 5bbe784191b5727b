/**
 * Prints a heap profile written by `survivors.mjs` (or any sampling heap profile) by allocation
 * site: the share of the sampled bytes each function allocated itself, and with what it called.
 *
 *   pnpm exec tsx bench/src/experiments/survivors-report.ts <file.heapprofile> [rows=30]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const [file, rowsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: survivors-report.ts <file.heapprofile> [rows]');
const rows = Number(rowsArg ?? 30);
const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: ProfileNode };

const site = ({ callFrame: f }: ProfileNode): string =>
  `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|packages|services)\//, '$1/')}:${f.lineNumber + 1}`;

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
(function walk(node: ProfileNode, stack: string[]): void {
  const here = [...stack, site(node)];
  total += node.selfSize;
  if (node.selfSize > 0) {
    self.set(here.at(-1)!, (self.get(here.at(-1)!) ?? 0) + node.selfSize);
    for (const s of new Set(here)) inclusive.set(s, (inclusive.get(s) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, here);
})(head, []);

const print = (title: string, sizes: Map<string, number>): void => {
  console.log(title);
  for (const [s, bytes] of [...sizes].sort((a, b) => b[1] - a[1]).slice(0, rows))
    console.log(`${((100 * bytes) / total).toFixed(1).padStart(6)} %  ${s}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} MB sampled`);
print('allocated by the function itself:', self);
print('allocated by the function and what it called:', inclusive);
