import { PermanentError, type CrawlSummary } from '@paperline/contracts';
import { waitForCrawl } from '@paperline/core/pipeline';
import { startCrawl } from '@paperline/ops';
import type { CliContext } from '../context.js';
import { endProgress, printJson, progressReporter, summaryJson, summaryLine } from '../output.js';

export interface CrawlOptions {
  depth: number;
  wait: boolean;
  json: boolean;
  kind?: string;
  /** Show progress while waiting. @defaultValue stderr is a TTY */
  progress?: boolean;
}

/** Waits for a crawl, then makes its documents searchable and reports. */
export async function waitAndReport(
  ctx: CliContext,
  crawlId: string,
  opts: { json: boolean; progress?: boolean },
): Promise<CrawlSummary> {
  const s = await waitForCrawl(ctx.crawls, crawlId, {
    onProgress: progressReporter(opts.progress ?? (!opts.json && process.stderr.isTTY === true)),
  });
  endProgress();
  await ctx.es.indices.refresh({ index: ctx.cfg.index }).catch(() => undefined);
  if (opts.json) printJson(summaryJson(s));
  else process.stdout.write(`${summaryLine(s)}\n`);
  return s;
}

export async function crawlCommand(ctx: CliContext, seeds: string[], opts: CrawlOptions): Promise<number> {
  const crawlId = await startCrawl(ctx, seeds, opts);
  if (!opts.wait) {
    if (opts.json) printJson({ crawlId });
    else process.stdout.write(`${crawlId}\n`);
    return 0;
  }
  if (!opts.json) process.stderr.write(`crawl ${crawlId} started (${seeds.length} seeds)\n`);
  const s = await waitAndReport(ctx, crawlId, opts);
  return s.failed > 0 ? 3 : 0;
}

export async function waitCommand(
  ctx: CliContext,
  crawlId: string,
  opts: { json: boolean },
): Promise<number> {
  if (!(await ctx.crawls.exists(crawlId))) {
    throw new PermanentError(
      'INVALID_PAYLOAD',
      `no crawl with id ${crawlId} (see \`paperline status\` for recent crawls)`,
      {
        stage: 'cli',
      },
    );
  }
  const s = await waitAndReport(ctx, crawlId, opts);
  return s.failed > 0 ? 3 : 0;
}
