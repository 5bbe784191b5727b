/**
 * Self and inclusive CPU time of the last part of a V8 CPU profile (`pnpm bench --profile …`), for
 * a phase at the end of a worker's life, such as the reprocess after a crawl: only the samples of
 * the last `seconds` of busy time before the last busy sample count.
 *
 *   pnpm exec tsx bench/src/experiments/profile-tail.ts <file.cpuprofile> <seconds> [top]
 */
import { readFileSync } from 'node:fs';
import type { CpuProfile } from '../profile.js';

const [file, seconds, top = '30'] = process.argv.slice(2);
if (!file || !seconds) throw new Error('usage: profile-tail.ts <file.cpuprofile> <seconds> [top]');
const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const frameName = (id: number): string => {
  const f = byId.get(id)!.callFrame;
  const where = f.url.replace(/^.*\/(packages|services|node_modules)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
};
const isIdle = (id: number): boolean => byId.get(id)!.callFrame.functionName === '(idle)';

let t = prof.startTime;
const times = prof.timeDeltas.map((d) => (t += d));
const lastBusy = prof.samples.reduce((last, id, i) => (isIdle(id) ? last : times[i]!), 0);
const from = lastBusy - Number(seconds) * 1e6;

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
prof.samples.forEach((id, i) => {
  if (times[i]! < from || times[i]! > lastBusy || isIdle(id)) return;
  const us = prof.timeDeltas[i] ?? 0;
  total += us;
  self.set(frameName(id), (self.get(frameName(id)) ?? 0) + us);
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const name = frameName(n);
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + us);
  }
});

const show = (title: string, m: Map<string, number>) => {
  console.log(`-- ${title}`);
  for (const [name, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(top)))
    console.log(
      `${((100 * us) / total).toFixed(1).padStart(6)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
    );
};
console.log(`busy CPU in the last ${seconds} s: ${(total / 1000).toFixed(0)} ms`);
show('self time', self);
show(
  'inclusive time, Paperline code',
  new Map([...inclusive].filter(([k]) => /^\S+ (packages|services)\//.test(k))),
);
