/**
 * Node flags the stage workers run with. A larger young generation: a worker allocates a few MB of
 * short-lived strings and objects per page (bodies, JSON, records), and with V8's default 16 MB
 * semi-space much of it survives a scavenge and is copied, then promoted. 32 MB cut the workers'
 * CPU per paper by 3–5% in `pnpm bench` for about 30 MB more RSS each. A flag already given
 * (in `base` or NODE_OPTIONS) wins.
 */
export function workerExecArgv(base: readonly string[] = process.execArgv): string[] {
  const given = [...base, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const out = [...base];
  if (!given.some((a) => a.startsWith('--max-semi-space-size'))) out.push('--max-semi-space-size=32');
  return out;
}
