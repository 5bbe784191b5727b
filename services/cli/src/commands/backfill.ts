import { PermanentError, type CrawlSummary } from '@paperline/contracts';
import { RedisKeys } from '@paperline/core/redis';
import { waitForCrawl } from '@paperline/core/pipeline';
import { startCrawl } from '@paperline/ops';
import type { CliContext } from '../context.js';
import { endProgress, printJson, summaryJson, summaryLine } from '../output.js';

const DAY = 86_400_000;

/** Every date from `from` to `to`, inclusive (UTC, YYYY-MM-DD). */
export function dateRange(from: string, to: string): string[] {
  const ok = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`));
  if (!ok(from))
    throw new PermanentError('INVALID_PAYLOAD', `--from must be a date YYYY-MM-DD, got '${from}'`, {
      stage: 'cli',
    });
  if (!ok(to))
    throw new PermanentError('INVALID_PAYLOAD', `--to must be a date YYYY-MM-DD, got '${to}'`, {
      stage: 'cli',
    });
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  if (b < a)
    throw new PermanentError('INVALID_PAYLOAD', `--to (${to}) is before --from (${from})`, { stage: 'cli' });
  if ((b - a) / DAY > 20_000)
    throw new PermanentError('INVALID_PAYLOAD', 'the range is longer than 20,000 days', { stage: 'cli' });
  const out: string[] = [];
  for (let t = a; t <= b; t += DAY) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** done/total, rate, ETA on a terminal (stderr). */
function backfillProgress(total: number, enabled: boolean): (s: CrawlSummary) => void {
  const started = Date.now();
  let last = '';
  return (s) => {
    if (!enabled) return;
    const done = total > 0 ? Math.min(total, s.fetched + s.failed) : s.fetched + s.failed;
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? (s.indexed + s.unchanged) / secs : 0;
    const pageRate = secs > 0 ? done / secs : 0;
    const eta = pageRate > 0 && total > 0 ? Math.round((total - done) / pageRate) : undefined;
    const line = `  ${done}/${total > 0 ? total : '?'} ${total > 0 ? 'days' : 'pages'} · ${(s.indexed + s.unchanged).toLocaleString('en')} papers · ${rate.toFixed(1)} papers/s · ETA ${eta === undefined ? '?' : `${eta}s`} · failed ${s.failed}`;
    if (line === last) return;
    last = line;
    process.stderr.write(process.stderr.isTTY ? `\r${line.padEnd(100)}` : `${line}\n`);
  };
}

/**
 * A crawl of every daily listing in a date range. Running the same backfill again while its
 * crawl is unfinished resumes that crawl instead of starting another.
 */
export async function backfillCommand(
  ctx: CliContext,
  source: string,
  opts: { from: string; to: string; wait: boolean; json: boolean; progress?: boolean; set?: string },
): Promise<number> {
  if (source !== 'hf' && source !== 'arxiv') {
    throw new PermanentError(
      'INVALID_PAYLOAD',
      `backfill sources are 'hf' (daily listings) and 'arxiv' (OAI-PMH); got '${source}'`,
      {
        stage: 'cli',
      },
    );
  }
  const days = dateRange(opts.from, opts.to);
  // arXiv: one OAI-PMH ListRecords harvest of the range; its resumption tokens are followed.
  const seeds =
    source === 'hf'
      ? days.map((d) => `${ctx.cfg.bases.hfBaseUrl}/papers/date/${d}`)
      : [
          `${ctx.cfg.bases.oaiBaseUrl}?verb=ListRecords&metadataPrefix=arXiv&from=${opts.from}&until=${opts.to}${opts.set ? `&set=${encodeURIComponent(opts.set)}` : ''}`,
        ];
  const key = new RedisKeys(ctx.cfg.queuePrefix).backfillCrawl(source, opts.from, opts.to);
  const previous = await ctx.redis.get(key);
  const prevSummary = previous ? await ctx.crawls.summary(previous) : null;
  const resume = prevSummary !== null && !prevSummary.finished;
  if (resume && !opts.json) process.stderr.write(`backfill: resuming crawl ${previous}\n`);
  const crawlId = await startCrawl(ctx, seeds, {
    depth: 0,
    kind: `backfill:${source}`,
    ...(resume ? { crawlId: previous!, resume } : {}),
  });
  if (!resume) await ctx.redis.set(key, crawlId, 'EX', 30 * 86_400);
  if (!opts.wait) {
    if (opts.json) printJson({ crawlId, days: days.length });
    else process.stdout.write(`${crawlId}\n`);
    return 0;
  }
  if (!opts.json)
    process.stderr.write(`backfill ${source} ${crawlId}: ${days.length} days (${opts.from} … ${opts.to})\n`);
  const progress = backfillProgress(
    source === 'hf' ? days.length : 0,
    opts.progress ?? (!opts.json && process.stderr.isTTY === true),
  );
  const s = await waitForCrawl(ctx.crawls, crawlId, { onProgress: (x) => progress(x) });
  endProgress();
  await ctx.es.indices.refresh({ index: ctx.cfg.index }).catch(() => undefined);
  if (opts.json) printJson(summaryJson(s));
  else process.stdout.write(`${summaryLine(s)}\n`);
  return s.failed > 0 ? 3 : 0;
}
