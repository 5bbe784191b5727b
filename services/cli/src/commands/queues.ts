import { DELIVER_QUEUE } from '@paperline/contracts';
import { listFailed, retryFailed, stageQueueList, status } from '@paperline/ops';
import type { CliContext } from '../context.js';
import { printJson, summaryLine, table } from '../output.js';

/** The stage queues and the crawl store, as the operations read them. */
const opsDeps = (ctx: CliContext) => ({ queues: stageQueueList(ctx.queues), crawls: ctx.crawls });

/** What `failed` and `retry` take: the stage queues and the webhook deliveries' (parked batches). */
const failedDeps = (ctx: CliContext) => ({
  ...opsDeps(ctx),
  queues: [...stageQueueList(ctx.queues), { name: DELIVER_QUEUE, queue: ctx.deliverQueue }],
});

export async function statusCommand(ctx: CliContext, opts: { json: boolean }): Promise<number> {
  const st = await status(opsDeps(ctx));
  if (opts.json) {
    printJson(st);
    return 0;
  }
  const rows = Object.entries(st.queues).map(([queue, c]) => ({
    queue,
    waiting: c.waiting,
    active: c.active,
    delayed: c.delayed,
    failed: c.failed,
    completed: c.completed,
  }));
  process.stdout.write(`${table(rows)}\n`);
  if (st.crawls.length) {
    process.stdout.write('\nrecent crawls:\n');
    for (const s of st.crawls) process.stdout.write(`  ${summaryLine(s)}${s.finished ? '' : ' (running)'}\n`);
  }
  return 0;
}

export async function failedCommand(
  ctx: CliContext,
  opts: { json: boolean; stage?: string; code?: string; crawl?: string },
): Promise<number> {
  const rows = await listFailed(failedDeps(ctx), opts);
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
  const retried = await retryFailed(
    failedDeps(ctx),
    jobId ? { jobId } : { code: opts.code, stage: opts.stage },
  );
  if (jobId && retried.length === 0) {
    process.stderr.write(`no failed job ${jobId}\n`);
    return 4;
  }
  process.stdout.write(`retried ${retried.length} job(s)\n`);
  return 0;
}
