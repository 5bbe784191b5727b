import { STAGES, type Stage } from '@paperline/contracts';
import { listFailed as listFailedJobs, stageCounts, type FailedRow } from '@paperline/core';
import type { CliContext } from '../context.js';
import { printJson, summaryLine, table } from '../output.js';

export async function statusCommand(ctx: CliContext, opts: { json: boolean }): Promise<number> {
  const counts = await stageCounts(ctx.queues);
  const ids = await ctx.crawls.recent(5);
  const crawls = [];
  for (const id of ids) {
    const s = await ctx.crawls.summary(id);
    if (s) crawls.push(s);
  }
  if (opts.json) {
    printJson({ queues: counts, crawls });
    return 0;
  }
  process.stdout.write(
    `${table(STAGES.map((s) => ({ queue: s, waiting: counts[s].waiting, active: counts[s].active, delayed: counts[s].delayed, failed: counts[s].failed, completed: counts[s].completed })))}\n`,
  );
  if (crawls.length) {
    process.stdout.write('\nrecent crawls:\n');
    for (const s of crawls) process.stdout.write(`  ${summaryLine(s)}${s.finished ? '' : ' (running)'}\n`);
  }
  return 0;
}

/** Failed jobs of every stage (with their codes), as `failed` lists and `retry` picks them. */
export function listFailed(
  ctx: CliContext,
  filter: { stage?: string; code?: string; crawl?: string } = {},
): Promise<FailedRow[]> {
  return listFailedJobs(
    {
      queues: async () => STAGES.map((name) => ({ name, queue: ctx.queues[name] })),
      failures: (ids) => ctx.crawls.failures(ids),
      quarantined: () => ctx.crawls.quarantined(),
      reopen: (crawlId, jobId) => ctx.crawls.transition(crawlId, jobId, 'pending'),
    },
    filter,
    10_000,
  );
}

export async function failedCommand(
  ctx: CliContext,
  opts: { json: boolean; stage?: string; code?: string; crawl?: string },
): Promise<number> {
  const rows = await listFailed(ctx, opts);
  if (opts.json) {
    printJson(rows);
    return 0;
  }
  if (rows.length === 0) process.stdout.write('no failed jobs\n');
  for (const r of rows)
    process.stdout.write(`${r.jobId}  [${r.stage}] ${r.code}  ${r.url}\n    ${r.message}\n`);
  return 0;
}

/** Retries one failed job, all of them, or those with one code; their crawls reopen. */
export async function retryCommand(
  ctx: CliContext,
  jobId: string | undefined,
  opts: { all?: boolean; code?: string; stage?: string },
): Promise<number> {
  if (!jobId && !opts.all && !opts.code) {
    process.stderr.write('retry needs a job id, --all or --code CODE\n');
    return 2;
  }
  const rows = (
    await listFailed(ctx, {
      ...(opts.code ? { code: opts.code } : {}),
      ...(opts.stage ? { stage: opts.stage } : {}),
    })
  ).filter((r) => !jobId || r.jobId === jobId);
  if (jobId && rows.length === 0) {
    process.stderr.write(`no failed job ${jobId}\n`);
    return 4;
  }
  for (const r of rows) {
    const job = await ctx.queues[r.stage as Stage].getJob(r.jobId);
    if (!job) continue;
    if (r.crawlId) await ctx.crawls.transition(r.crawlId, r.jobId, 'pending');
    await job.retry('failed');
  }
  process.stdout.write(`retried ${rows.length} job(s)\n`);
  return 0;
}
