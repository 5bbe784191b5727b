import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { CliContext } from './context.js';
import type { QueryContext } from './query-context.js';

/*
 * Start-up is kept short: each command's module (and with it BullMQ, ioredis, the Elasticsearch
 * client) is imported only when that command runs, so `--version` and `--help` load commander
 * alone, and `search` and `get` load the configuration and a plain HTTP reader of the index.
 */

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

let opened: { close(): Promise<void> } | undefined;

async function open<C extends { close(): Promise<void> }>(make: () => Promise<C>): Promise<C> {
  const ctx = await make();
  opened = ctx;
  return ctx;
}

/** The configuration and a reader of the papers index: enough for `search` and `get`. */
const queryContext = (): Promise<QueryContext> =>
  open(async () => new (await import('./query-context.js')).QueryContext());
/** Everything the other commands use: Redis, the queues, the crawl books, Elasticsearch. */
const context = (): Promise<CliContext> => open(async () => new (await import('./context.js')).CliContext());

/** The message and exit code of a failed command: 2 for a typed Paperline error, 1 otherwise. */
async function describeFailure(err: unknown): Promise<{ message: string; code: number }> {
  const { isPaperlineError } = await import('@paperline/contracts');
  if (isPaperlineError(err)) return { message: `error [${err.code}]: ${err.message}`, code: 2 };
  return { message: `error: ${err instanceof Error ? err.message : String(err)}`, code: 1 };
}

/** Runs a command, maps errors to a clear message and an exit code, and closes connections. */
function run<A extends unknown[]>(fn: (...args: A) => Promise<number>) {
  return async (...args: A) => {
    let code: number;
    try {
      code = await fn(...args);
    } catch (err) {
      const failure = await describeFailure(err);
      process.stderr.write(`${failure.message}\n`);
      code = failure.code;
    }
    await opened?.close().catch(() => undefined);
    // Output to a pipe is written asynchronously: exiting now would cut it short.
    await (await import('./output.js')).flushOutput();
    process.exit(code);
  };
}

const program = new Command('paperline')
  .description('Paperline: crawl research-paper sites into Elasticsearch through BullMQ workers')
  .version(version)
  .showHelpAfterError();

program
  .command('stack')
  .description('the embedded local stack (Redis, Elasticsearch)')
  .argument('<action>', 'up | down | status')
  .option(
    '--cluster',
    'the local cluster instead: 3 Elasticsearch nodes on ports 9250-9252 and a 3+3 Redis Cluster on 7100-7105',
    false,
  )
  .option('--json', 'print JSON', false)
  .action(
    run(async (action: string, o: { cluster: boolean; json: boolean }) => {
      const { stackCommand, clusterCommand } = await import('./commands/stack.js');
      if (o.cluster) return clusterCommand(action, o);
      const { loadConfig } = await import('@paperline/core/config');
      return stackCommand(loadConfig(), action, o);
    }),
  );

program
  .command('workers')
  .description('run the stage workers until SIGINT/SIGTERM')
  .option(
    '--only <kinds>',
    'comma-separated: fetcher,parser,deduplicator,indexer,embedder,scheduler,webhooks',
  )
  .option(
    '--chain',
    'run the fetcher, parser, deduplicator and indexer in one process, which hands each page from stage to stage in memory',
  )
  .option(
    '--processes <n>',
    'processes of each stage worker (with --chain: chained processes), e.g. one per core',
  )
  .action(
    run(async (o: { only?: string; chain?: boolean; processes?: string }) =>
      (await import('./commands/workers.js')).workersCommand(o),
    ),
  );

program
  .command('crawl')
  .description('start a crawl from seed URLs')
  .argument('<url...>', 'seed URLs')
  .addOption(new Option('--depth <n>', 'links to follow from the seeds').default('0'))
  .option('--wait', 'block until the crawl is finished', false)
  .option('--json', 'print the summary as one JSON line', false)
  .action(
    run(async (urls: string[], o: { depth: string; wait: boolean; json: boolean }) =>
      (await import('./commands/crawl.js')).crawlCommand(await context(), urls, {
        depth: Number(o.depth),
        wait: o.wait,
        json: o.json,
      }),
    ),
  );

program
  .command('wait')
  .description('block until a crawl is finished, then print its summary')
  .argument('<crawlId>')
  .option('--json', 'print the summary as one JSON line', false)
  .action(
    run(async (id: string, o: { json: boolean }) =>
      (await import('./commands/crawl.js')).waitCommand(await context(), id, o),
    ),
  );

program
  .command('search')
  .description('search by keyword, by meaning, or both fused (hybrid: the default where vectors exist)')
  .argument('<query>')
  .option('--from <date>', 'published on or after YYYY-MM-DD')
  .option('--to <date>', 'published on or before YYYY-MM-DD')
  .option('--size <n>', 'results (max 100)', '10')
  .addOption(new Option('--mode <mode>', 'how results are ranked').choices(['keyword', 'semantic', 'hybrid']))
  .option('--json', 'print JSON', false)
  .action(
    run(async (q: string, o: { from?: string; to?: string; size?: string; mode?: string; json: boolean }) =>
      (await import('./commands/query.js')).searchCommand(await queryContext(), q, o),
    ),
  );

program
  .command('similar')
  .description('the papers nearest some papers (by id, arXiv id or DOI) or a text, by meaning')
  .argument('[ids...]', 'papers to find others like')
  .option('--text <text>', 'a text to find papers like (an abstract pasted in)')
  .option('--size <n>', 'results (max 100)', '10')
  .option('--json', 'print JSON', false)
  .action(
    run(async (ids: string[], o: { text?: string; size?: string; json: boolean }) =>
      (await import('./commands/query.js')).similarCommand(await queryContext(), ids, o),
    ),
  );

program
  .command('get')
  .description('one record by canonical id, arXiv id or DOI')
  .argument('<id>')
  .option('--json', 'print JSON', false)
  .action(
    run(async (id: string, o: { json: boolean }) =>
      (await import('./commands/query.js')).getCommand(await queryContext(), id, o),
    ),
  );

program
  .command('status')
  .description('queue counts per stage and recent crawls')
  .option('--json', 'print JSON', false)
  .action(
    run(async (o: { json: boolean }) =>
      (await import('./commands/queues.js')).statusCommand(await context(), o),
    ),
  );

program
  .command('failed')
  .description('failed jobs with stage, URL, error code and message')
  .option('--stage <stage>', 'a stage, or deliver (parked webhook batches)')
  .option('--code <code>', 'an error code, e.g. HTTP_NOT_FOUND')
  .option('--crawl <crawlId>', 'one crawl only')
  .option('--json', 'print JSON', false)
  .action(
    run(async (o: { json: boolean; stage?: string; code?: string; crawl?: string }) =>
      (await import('./commands/queues.js')).failedCommand(await context(), o),
    ),
  );

program
  .command('retry')
  .description('retry a failed job, all failed jobs, or those with one error code')
  .argument('[jobId]')
  .option('--all', 'every failed job', false)
  .option('--code <code>', 'failed jobs with this error code')
  .option('--stage <stage>', 'only this stage')
  .action(
    run(async (id: string | undefined, o: { all?: boolean; code?: string; stage?: string }) =>
      (await import('./commands/queues.js')).retryCommand(await context(), id, o),
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
      async (
        source: string,
        o: { from: string; to: string; wait: boolean; json: boolean; progress?: boolean; set?: string },
      ) => (await import('./commands/backfill.js')).backfillCommand(await context(), source, o),
    ),
  );

program
  .command('reprocess')
  .description('re-parse archived raw pages with the current parsers (no network); write only what changed')
  .option('--source <source>', 'hf | arxiv')
  .option('--since <date>', 'pages fetched on or after this date')
  .option('--rewrite', 'write every paper again, changed or not (after a parser version change)', false)
  .option('--wait', 'block until done', false)
  .option('--json', 'print the summary as one JSON line', false)
  .action(
    run(async (o: { source?: string; since?: string; rewrite: boolean; wait: boolean; json: boolean }) =>
      (await import('./commands/reprocess.js')).reprocessCommand(await context(), o),
    ),
  );

program
  .command('embed')
  .description('embed jobs for the papers in the index without a current vector')
  .option('--missing', 'papers with no vector, or one computed from another title or abstract', false)
  .option('--wait', 'block until they are embedded, with progress (done/total, rate, ETA)', false)
  .option('--progress', 'progress lines on stderr (default: unless --json)')
  .option('--json', 'print the outcome as one JSON line', false)
  .action(
    run(async (o: { missing: boolean; wait: boolean; json: boolean; progress?: boolean }) =>
      (await import('./commands/embed.js')).embedCommand(await context(), o),
    ),
  );

program
  .command('reindex')
  .description('rebuild the index from the current template and swap the alias, with no downtime')
  .option('--wait', 'run in the foreground until the alias is swapped', false)
  .option('--delete-old', 'delete the previous indices after the swap (kept by default)', false)
  .option('--json', 'print the report as one JSON line', false)
  .action(
    run(async (o: { wait: boolean; deleteOld: boolean; json: boolean }) =>
      (await import('./commands/reindex.js')).reindexCommand(await context(), o),
    ),
  );

program
  .command('export')
  .description('a consistent snapshot of the papers into one file, with a manifest beside it')
  .requiredOption('--format <format>', 'jsonl | parquet')
  .requiredOption('--out <file>', 'the file to write (<file>.manifest.json beside it)')
  .option(
    '--since <date|cursor>',
    'papers updated at or after this (YYYY-MM-DD or an ISO time), or written after this change-feed cursor (a manifest\'s "cursor")',
  )
  .option('--query <text>', 'papers the keyword search finds for this text')
  .option('--with-vectors', "include each paper's embedding vector (384 floats)", false)
  .option('--json', 'print the manifest as one JSON line', false)
  .action(
    run(
      async (o: {
        format: string;
        out: string;
        since?: string;
        query?: string;
        withVectors: boolean;
        json: boolean;
      }) => (await import('./commands/export.js')).exportCommand(await context(), o),
    ),
  );

program
  .command('changes')
  .description('the change feed: every write to a paper, in write order, with tombstones')
  .option('--after <cursor>', 'start after this cursor (a printed cursor or "next"; default: the beginning)')
  .option('--limit <n>', 'at most this many entries (without --follow)')
  .option('--follow', 'then wait for new entries and print them as they come, until Ctrl-C', false)
  .option('--json', 'one JSON entry per line', false)
  .action(
    run(async (o: { after?: string; limit?: string; follow: boolean; json: boolean }) =>
      (await import('./commands/changes.js')).changesCommand(await context(), o),
    ),
  );

program
  .command('purge')
  .description('retention: delete withdrawn papers not updated for a while (a dry run unless --yes)')
  .option('--withdrawn', 'withdrawn papers (the only kind purged)')
  .option('--older-than <d>', 'not updated for this long (30d, 12h, 2w) or since a date (YYYY-MM-DD)', '30d')
  .option('--dry-run', 'only count and list what would go (the default)')
  .option('--yes', 'really delete them')
  .option('--json', 'print the report as one JSON line', false)
  .action(
    run(
      async (o: { withdrawn?: boolean; olderThan: string; dryRun?: boolean; yes?: boolean; json: boolean }) =>
        (await import('./commands/purge.js')).purgeCommand(await context(), o),
    ),
  );

program
  .command('raw')
  .description('print an archived page body, by sha256 or URL')
  .argument('<ref>')
  .action(
    run(async (ref: string) => (await import('./commands/reprocess.js')).rawCommand(await context(), ref)),
  );

const webhooks = program
  .command('webhooks')
  .description('webhook endpoints fed from the change feed (PAPERLINE_WEBHOOKS)');
webhooks
  .command('list')
  .description('endpoints with their cursor, lag in feed entries and parked batches')
  .option('--json', 'print JSON', false)
  .action(
    run(async (o: { json: boolean }) =>
      (await import('./commands/webhooks.js')).webhooksList(await context(), o),
    ),
  );
webhooks
  .command('test')
  .description('send a signed ping to one endpoint now')
  .argument('<name>')
  .action(
    run(async (name: string) => (await import('./commands/webhooks.js')).webhooksTest(await context(), name)),
  );

const schedule = program.command('schedule').description('recurring crawls, kept in the schedules file');
schedule
  .command('list')
  .option('--json', 'print JSON', false)
  .action(
    run(async (o: { json: boolean }) =>
      (await import('./commands/schedule.js')).scheduleList(await context(), o),
    ),
  );
schedule
  .command('add')
  .argument('<name>')
  .requiredOption('--cron <pattern>', "cron pattern, e.g. '7 * * * *' (6 fields for seconds)")
  .option('--tz <zone>', 'IANA time zone', 'UTC')
  .requiredOption('--seed <url...>', 'seed URLs; {hf}, {arxiv}, {date:-N} are filled in when it fires')
  .option('--depth <n>', 'links to follow', '0')
  .option('--disabled', 'save it switched off')
  .action(
    run(
      async (
        name: string,
        o: { cron: string; tz: string; seed: string[]; depth: string; disabled?: boolean },
      ) => (await import('./commands/schedule.js')).scheduleAdd(await context(), name, o),
    ),
  );
schedule
  .command('remove')
  .argument('<name>')
  .action(
    run(async (name: string) =>
      (await import('./commands/schedule.js')).scheduleRemove(await context(), name),
    ),
  );

program
  .command('serve')
  .description('the HTTP side: overview page, queue dashboard, search API, /metrics, /healthz')
  .option('--port <n>', 'port to listen on (env PAPERLINE_API_PORT, default 8080)')
  .option('--host <host>', 'address to bind (env PAPERLINE_API_HOST, default 127.0.0.1)')
  .action(
    run(async (o: { port?: string; host?: string }) => (await import('./commands/serve.js')).serveCommand(o)),
  );

program
  .command('demo')
  .description('the whole pipeline on the embedded local stack and a bundled snapshot site')
  .action(run(async () => (await import('./commands/demo.js')).demoCommand(await context())));

await program.parseAsync(process.argv);
