#!/usr/bin/env node
import { Command, Option } from 'commander';
import { isPaperlineError } from '@paperline/contracts';
import { CliContext } from './context.js';
import { crawlCommand, waitCommand } from './commands/crawl.js';
import { getCommand, searchCommand } from './commands/query.js';
import { failedCommand, retryCommand, statusCommand } from './commands/queues.js';
import { workersCommand } from './commands/workers.js';
import { stackCommand } from './commands/stack.js';
import { demoCommand } from './commands/demo.js';
import { rawCommand, reprocessCommand } from './commands/reprocess.js';
import { backfillCommand } from './commands/backfill.js';
import { scheduleAdd, scheduleList, scheduleRemove } from './commands/schedule.js';
import { reindexCommand } from './commands/reindex.js';
import { serveCommand } from './commands/serve.js';

let ctx: CliContext | undefined;
const context = (): CliContext => (ctx ??= new CliContext());

/** Runs a command, maps errors to a clear message and an exit code, and closes connections. */
function run<A extends unknown[]>(fn: (...args: A) => Promise<number>) {
  return async (...args: A) => {
    let code: number;
    try {
      code = await fn(...args);
    } catch (err) {
      if (isPaperlineError(err)) {
        process.stderr.write(`error [${err.code}]: ${err.message}\n`);
        code = 2;
      } else {
        process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        code = 1;
      }
    }
    await ctx?.close().catch(() => undefined);
    process.exit(code);
  };
}

const program = new Command('paperline')
  .description('Paperline: crawl research-paper sites into Elasticsearch through BullMQ workers')
  .showHelpAfterError();

program
  .command('stack')
  .description('the embedded local stack (Redis, Elasticsearch)')
  .argument('<action>', 'up | down | status')
  .option('--json', 'print JSON', false)
  .action(run((action: string, o: { json: boolean }) => stackCommand(context().cfg, action, o)));

program
  .command('workers')
  .description('run the stage workers until SIGINT/SIGTERM')
  .option('--only <kinds>', 'comma-separated: fetcher,parser,deduplicator,indexer,scheduler')
  .action(run((o: { only?: string }) => workersCommand(o)));

program
  .command('crawl')
  .description('start a crawl from seed URLs')
  .argument('<url...>', 'seed URLs')
  .addOption(new Option('--depth <n>', 'links to follow from the seeds').default('0'))
  .option('--wait', 'block until the crawl is finished', false)
  .option('--json', 'print the summary as one JSON line', false)
  .action(
    run((urls: string[], o: { depth: string; wait: boolean; json: boolean }) =>
      crawlCommand(context(), urls, { depth: Number(o.depth), wait: o.wait, json: o.json }),
    ),
  );

program
  .command('wait')
  .description('block until a crawl is finished, then print its summary')
  .argument('<crawlId>')
  .option('--json', 'print the summary as one JSON line', false)
  .action(run((id: string, o: { json: boolean }) => waitCommand(context(), id, o)));

program
  .command('search')
  .description('full-text search over title, abstract, authors')
  .argument('<query>')
  .option('--from <date>', 'published on or after YYYY-MM-DD')
  .option('--to <date>', 'published on or before YYYY-MM-DD')
  .option('--size <n>', 'results (max 100)', '10')
  .option('--json', 'print JSON', false)
  .action(
    run((q: string, o: { from?: string; to?: string; size?: string; json: boolean }) =>
      searchCommand(context(), q, o),
    ),
  );

program
  .command('get')
  .description('one record by canonical id, arXiv id or DOI')
  .argument('<id>')
  .option('--json', 'print JSON', false)
  .action(run((id: string, o: { json: boolean }) => getCommand(context(), id, o)));

program
  .command('status')
  .description('queue counts per stage and recent crawls')
  .option('--json', 'print JSON', false)
  .action(run((o: { json: boolean }) => statusCommand(context(), o)));

program
  .command('failed')
  .description('failed jobs with stage, URL, error code and message')
  .option('--stage <stage>', 'fetch | parse | dedupe | index')
  .option('--code <code>', 'an error code, e.g. HTTP_NOT_FOUND')
  .option('--crawl <crawlId>', 'one crawl only')
  .option('--json', 'print JSON', false)
  .action(
    run((o: { json: boolean; stage?: string; code?: string; crawl?: string }) => failedCommand(context(), o)),
  );

program
  .command('retry')
  .description('retry a failed job, all failed jobs, or those with one error code')
  .argument('[jobId]')
  .option('--all', 'every failed job', false)
  .option('--code <code>', 'failed jobs with this error code')
  .option('--stage <stage>', 'only this stage')
  .action(
    run((id: string | undefined, o: { all?: boolean; code?: string; stage?: string }) =>
      retryCommand(context(), id, o),
    ),
  );

program
  .command('backfill')
  .description('crawl the daily listings of every date in a range (resumable)')
  .argument('<source>', 'hf (daily listings) | arxiv (OAI-PMH harvest)')
  .option('--set <spec>', 'arxiv: an OAI-PMH set, e.g. cs or physics:hep-th')
  .requiredOption('--from <date>', 'first date, YYYY-MM-DD')
  .requiredOption('--to <date>', 'last date, YYYY-MM-DD')
  .option('--wait', 'block until done, with progress (done/total, rate, ETA)', false)
  .option('--progress', 'print progress lines even when stderr is not a terminal')
  .option('--json', 'print the summary as one JSON line', false)
  .action(
    run(
      (
        source: string,
        o: { from: string; to: string; wait: boolean; json: boolean; progress?: boolean; set?: string },
      ) => backfillCommand(context(), source, o),
    ),
  );

program
  .command('reprocess')
  .description('re-parse archived raw pages with the current parsers (no network); write only what changed')
  .option('--source <source>', 'hf | arxiv')
  .option('--since <date>', 'pages fetched on or after this date')
  .option('--wait', 'block until done', false)
  .option('--json', 'print the summary as one JSON line', false)
  .action(
    run((o: { source?: string; since?: string; wait: boolean; json: boolean }) =>
      reprocessCommand(context(), o),
    ),
  );

program
  .command('reindex')
  .description('rebuild the index from the current template and swap the alias, with no downtime')
  .option('--wait', 'run in the foreground until the alias is swapped', false)
  .option('--delete-old', 'delete the previous indices after the swap (kept by default)', false)
  .option('--json', 'print the report as one JSON line', false)
  .action(run((o: { wait: boolean; deleteOld: boolean; json: boolean }) => reindexCommand(context(), o)));

program
  .command('raw')
  .description('print an archived page body, by sha256 or URL')
  .argument('<ref>')
  .action(run((ref: string) => rawCommand(context(), ref)));

const schedule = program.command('schedule').description('recurring crawls, kept in the schedules file');
schedule
  .command('list')
  .option('--json', 'print JSON', false)
  .action(run((o: { json: boolean }) => scheduleList(context(), o)));
schedule
  .command('add')
  .argument('<name>')
  .requiredOption('--cron <pattern>', "cron pattern, e.g. '7 * * * *' (6 fields for seconds)")
  .option('--tz <zone>', 'IANA time zone', 'UTC')
  .requiredOption('--seed <url...>', 'seed URLs; {hf}, {arxiv}, {date:-N} are filled in when it fires')
  .option('--depth <n>', 'links to follow', '0')
  .option('--disabled', 'save it switched off')
  .action(
    run((name: string, o: { cron: string; tz: string; seed: string[]; depth: string; disabled?: boolean }) =>
      scheduleAdd(context(), name, o),
    ),
  );
schedule
  .command('remove')
  .argument('<name>')
  .action(run((name: string) => scheduleRemove(context(), name)));

program
  .command('serve')
  .description('the HTTP side: overview page, queue dashboard, search API, /metrics, /healthz')
  .option('--port <n>', 'port to listen on (env PAPERLINE_API_PORT, default 8080)')
  .option('--host <host>', 'address to bind (env PAPERLINE_API_HOST, default 127.0.0.1)')
  .action(run((o: { port?: string; host?: string }) => serveCommand(o)));

program
  .command('demo')
  .description('the whole pipeline on the embedded local stack and a bundled snapshot site')
  .action(run(() => demoCommand(context())));

await program.parseAsync(process.argv);
