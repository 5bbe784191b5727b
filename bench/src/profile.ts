/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per package.
 * Also runnable alone: `pnpm exec tsx bench/src/profile.ts <file.cpuprofile> [top]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: Array<{ name: string; where: string; selfMs: number; pct: number }>;
  packages: Array<{ name: string; selfMs: number; pct: number }>;
}

/** Where code lives, coarsely: a package name, a workspace package, node internals, or V8. */
function packageOf(url: string): string {
  if (!url) return '(v8/native)';
  if (/^node:internal\/(modules|deps\/cjs-module-lexer|bootstrap)/.test(url) || /\/(tsx|esbuild)\//.test(url))
    return '(start-up: module loading, tsx)';
  if (url.startsWith('node:')) return 'node:internal';
  const nm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const ws = /\/(packages|services)\/([^/]+)\/src\//.exec(url);
  if (ws) return `@paperline/${ws[2]}`;
  return url.replace(/^file:\/\//, '');
}

const short = (url: string, line: number): string => {
  const u = url.replace(/^file:\/\//, '').replace(/.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
  return `${u.replace(/^.*?\/(packages|services)\//, '$1/')}:${line + 1}`;
};

export function summariseProfile(path: string, top = 25): ProfileSummary {
  const prof = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const fn = new Map<string, { name: string; where: string; us: number }>();
  const pkg = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const cf = n.callFrame;
    if (cf.functionName === '(idle)') continue;
    total += us;
    const key = `${cf.functionName}|${cf.url}|${cf.lineNumber}`;
    const e = fn.get(key) ?? {
      name: cf.functionName || '(anonymous)',
      where: short(cf.url, cf.lineNumber),
      us: 0,
    };
    e.us += us;
    fn.set(key, e);
    const p = cf.url ? packageOf(cf.url) : cf.functionName.startsWith('(') ? cf.functionName : '(v8/native)';
    pkg.set(p, (pkg.get(p) ?? 0) + us);
  }
  const pct = (us: number) => (total ? (100 * us) / total : 0);
  return {
    totalMs: total / 1000,
    functions: [...fn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, pct: pct(e.us) })),
    packages: [...pkg.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([name, us]) => ({ name, selfMs: us / 1000, pct: pct(us) })),
  };
}

export function formatProfile(s: ProfileSummary): string {
  const lines = [
    `busy (non-idle) CPU in profile: ${(s.totalMs / 1000).toFixed(2)} s`,
    'top self time by function:',
  ];
  for (const f of s.functions)
    lines.push(
      `  ${f.pct.toFixed(1).padStart(5)}%  ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.name}  ${f.where}`,
    );
  lines.push('self time by package:');
  for (const p of s.packages)
    lines.push(`  ${p.pct.toFixed(1).padStart(5)}%  ${p.selfMs.toFixed(0).padStart(7)} ms  ${p.name}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx bench/src/profile.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatProfile(summariseProfile(file, Number(process.argv[3] ?? 30)))}\n`);
}
