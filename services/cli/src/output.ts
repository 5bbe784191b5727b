import { once } from 'node:events';
import type { CrawlSummary } from '@paperline/contracts';

/** One JSON line on stdout (the machine-readable contract of `--json`). */
export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v)}\n`);
}

/**
 * Writes a line to stdout and, when its buffer is full (a slow reader), waits until it drains, so
 * that a long stream of lines (`changes`) holds at most one buffer in memory.
 */
export async function writeLine(line: string): Promise<void> {
  if (!process.stdout.write(`${line}\n`)) await once(process.stdout, 'drain');
}

/**
 * Resolves once everything written to stdout and stderr so far has been handed to the OS. A pipe
 * to a parent process is asynchronous: `process.exit` before this would cut the output short.
 */
export async function flushOutput(): Promise<void> {
  await Promise.all(
    [process.stdout, process.stderr].map(
      (stream) => new Promise<void>((resolve) => stream.write('', () => resolve())),
    ),
  );
}

export function summaryLine(s: CrawlSummary): string {
  const degraded = Object.entries(s.health ?? {})
    .filter(([, h]) => h.status === 'degraded')
    .map(
      ([src, h]) =>
        `\n  ⚠ source '${src}' is degraded: ${h.papersPerPage} papers per page, usually ${h.baseline} (nothing was deleted)`,
    );
  return (
    `crawl ${s.crawlId}: fetched ${s.fetched}, parsed ${s.parsed}, indexed ${s.indexed}, ` +
    `embedded ${s.embedded}, ` +
    `unchanged ${s.unchanged}, duplicates ${s.duplicates}, failed ${s.failed}${degraded.join('')}`
  );
}

/** The summary fields docs/operations.md#crawl-summaries lists, in order. */
export function summaryJson(s: CrawlSummary): Record<string, unknown> {
  return {
    crawlId: s.crawlId,
    fetched: s.fetched,
    parsed: s.parsed,
    indexed: s.indexed,
    embedded: s.embedded,
    unchanged: s.unchanged,
    duplicates: s.duplicates,
    failed: s.failed,
    finished: s.finished,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    ...(s.health ? { health: s.health } : {}),
  };
}

/** A progress line for terminals (stderr, rewritten in place). */
export function progressReporter(enabled: boolean): (s: CrawlSummary, open: number) => void {
  let last = '';
  return (s, open) => {
    if (!enabled) return;
    const line = `  … fetched ${s.fetched} · parsed ${s.parsed} · indexed ${s.indexed} · unchanged ${s.unchanged} · failed ${s.failed} · pending ${open}`;
    if (line === last) return;
    last = line;
    if (process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(100)}`);
    else process.stderr.write(`${line}\n`);
  };
}

export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\n');
}

export function table(rows: Array<Record<string, string | number>>): string {
  if (rows.length === 0) return '(none)';
  const cols = Object.keys(rows[0]!);
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(w[i]!)).join('  ');
  return [
    line(cols),
    line(w.map((n) => '-'.repeat(n))),
    ...rows.map((r) => line(cols.map((c) => String(r[c] ?? '')))),
  ].join('\n');
}
