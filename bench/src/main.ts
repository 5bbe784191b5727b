/**
 * `pnpm bench [--pages N] [--json] [--record] …` — the Paperline throughput/latency benchmark (not a test).
 *
 * 1. a synthetic Hugging Face site (N daily listing pages × 50 papers, real page shape) on 127.0.0.1;
 * 2. the real pipeline (four worker processes) crawls all N pages: papers/s, CPU and RSS per stage;
 * 3. the same workers at a steady offered rate: p50/p99 latency from fetch to searchable (before it,
 *    with --reprocess, the archive re-parsed; with --recrawl, the pages crawled again, unchanged,
 *    answered 304 and then with the whole page; with --embed, `embed --missing` per embedder variant);
 * 4. the physical ceiling: the pipeline's own documents bulk-indexed straight into a fresh index;
 * 5. a Crawlee CheerioCrawler peer, one process per core, crawling the same site into a fresh index.
 * Every run writes a result file (bench/results/ with --record). A contender or a latency phase
 * that does not reach every document fails the run (exit 1).
 * Every index, Redis key and child process of the run is removed at the end, on failure and on SIGINT.
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { loadConfig } from '@paperline/core/config';
import { createRedis, type RedisClient } from '@paperline/core/redis';
import { createEsClient, esReachable } from '@paperline/core/es';
import { parseArgs, type BenchArgs } from './args.js';
import { readBack, runCeiling, type CeilingResult } from './ceiling.js';
import { cleanupRun, runNames, type RunNames } from './infra.js';
import { runLatency } from './latency.js';
import { runRecrawl, type RecrawlResult } from './recrawl.js';
import { runReprocess } from './reprocess.js';
import { runEmbed } from './embed.js';
import { commitState, endLoadavg, machineInfo } from './machine.js';
import { firstNew } from './model.js';
import { calibratePeer, runPeer, type PeerCalibration, type PeerResult } from './peer.js';
import {
  startPipeline,
  runThroughput,
  warmUp,
  type Pipeline,
  type PipelineOptions,
  type WarmUpRound,
} from './pipeline.js';
import { formatProfile, summariseProfile } from './profile.js';
import { formatSummary } from './report.js';
import { buildRecord, type Measured } from './result.js';
import { RESULTS_DIR, SCRATCH_DIR, writeResult } from './resultfile.js';
import { startNullSite, startSite, type SyntheticSite } from './site.js';

const say = (m: string) => process.stderr.write(`${m}\n`);

/** Everything a run holds that clean-up must release. */
interface Run {
  args: BenchArgs;
  names: RunNames;
  /** The warm-up crawl's names, inside the run's tag. */
  warmup: RunNames;
  redis: RedisClient;
  es: Client;
  site: SyntheticSite;
  elsewhere: Awaited<ReturnType<typeof startNullSite>>;
  profileDir: string | undefined;
  pipeline: Pipeline | undefined;
  peerPids: number[];
}

/**
 * The crawled pages the site renders before anything is timed (about 440 KB each): both contenders
 * crawl pages [0, --pages); past this many, the rest are rendered on request for both alike.
 */
const MAX_PRE_RENDERED = 2000;

/** The steady-rate phase's pages: far from the crawled days, so every latency paper is new. */
function latencyPlan(args: BenchArgs) {
  const pagesPerSecond = args.rate / 50;
  return {
    seed: args.seed,
    pagesPerSecond,
    // Past the pages the crawl and the --embed variants read.
    fromPage: args.pages * Math.max(1, args.embed?.length ?? 1) + 1000,
    pages: Math.max(1, Math.round(pagesPerSecond * args.latencySeconds)),
  };
}

/** Connects to Redis and Elasticsearch and starts the sites; undefined when a service is down. */
async function openRun(args: BenchArgs): Promise<Run | undefined> {
  const base = loadConfig(process.env);
  const redis = createRedis(base, 'producer');
  redis.on('error', () => undefined);
  const es = createEsClient(base.elasticsearch, { requestTimeoutMs: 120_000 });
  if (!(await esReachable(es)) || (await redis.ping().catch(() => 'down')) !== 'PONG') {
    redis.disconnect();
    await es.close().catch(() => undefined);
    return undefined;
  }
  const names = runNames();
  const plan = latencyPlan(args);
  return {
    args,
    names,
    warmup: runNames(`${names.tag}-warmup`),
    redis,
    es,
    site: await startSite({
      seed: args.seed,
      maxPage: plan.fromPage + plan.pages,
      preRendered: Math.min(args.pages, MAX_PRE_RENDERED),
    }),
    elsewhere: await startNullSite(),
    profileDir: args.profile.length ? mkdtempSync(join(tmpdir(), `${names.tag}-prof-`)) : undefined,
    pipeline: undefined,
    peerPids: [],
  };
}

/** Stops every child, closes the sites and removes the run's keys and indices. Idempotent. */
function closer(run: Run): () => Promise<void> {
  let closed: Promise<void> | undefined;
  const close = async () => {
    for (const pid of run.peerPids) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    await run.pipeline?.close().catch(() => undefined);
    await run.site.close().catch(() => undefined);
    await run.elsewhere.close().catch(() => undefined);
    await cleanupRun(run.redis, run.es, run.warmup).catch(() => undefined);
    const removed = await cleanupRun(run.redis, run.es, run.names).catch((e: unknown) => [
      `cleanup failed: ${String(e)}`,
    ]);
    say(`cleanup: ${removed.join(', ')} (${run.names.tag})`);
    run.redis.disconnect();
    await run.es.close().catch(() => undefined);
  };
  return () => (closed ??= close());
}

function pipelineOptions(run: Run): PipelineOptions {
  return {
    names: run.names,
    site: run.site,
    elsewhereUrl: run.elsewhere.url,
    redis: run.redis,
    es: run.es,
    say,
    groups: run.args.groups,
    chain: run.args.chain,
    ...(run.profileDir ? { profile: { kinds: run.args.profile, dir: run.profileDir } } : {}),
    ...(run.args.gc ? { gcTrace: true } : {}),
  };
}

/** Listing pages crawled in each round of the warm-up. */
const WARMUP_ROUND_PAGES = 250;

/**
 * Throwaway crawls by workers of their own into indices and a Redis prefix of their own, removed
 * afterwards, until Elasticsearch's CPU per paper settles (`warmUp`): the first crawl after
 * `stack up` or an idle while otherwise meets an Elasticsearch whose JIT has not compiled its
 * indexing paths (again), which the ceiling and the peer, running later, never do.
 */
async function warmUpPhase(run: Run): Promise<WarmUpRound[]> {
  if (run.args.warmupPages === 0) return [];
  const { profile: _notProfiled, ...opts } = { ...pipelineOptions(run), names: run.warmup };
  const started = Date.now();
  const pipeline = (run.pipeline = await startPipeline(opts));
  const rounds = await warmUp(pipeline, opts, {
    roundPages: WARMUP_ROUND_PAGES,
    maxPages: run.args.warmupPages,
  });
  await pipeline.close();
  run.pipeline = undefined;
  await cleanupRun(run.redis, run.es, run.warmup);
  const perPaper = rounds.map((r) => r.esMsPerPaper.toFixed(3)).join(', ');
  say(
    `[warm-up] ${rounds.length} round${rounds.length === 1 ? '' : 's'} of up to ${WARMUP_ROUND_PAGES} pages in ${((Date.now() - started) / 1000).toFixed(1)} s, Elasticsearch CPU ms per paper ${perPaper}; removed`,
  );
  return rounds;
}

/** The pipeline's crawl and its latency phase; the workers are stopped at the end. */
async function pipelinePhases(run: Run, expected: number) {
  const opts = pipelineOptions(run);
  const pipeline = (run.pipeline = await startPipeline(opts));
  const cfg = pipeline.cfg;
  say(
    `pipeline config: concurrency ${JSON.stringify(cfg.concurrency)}, bulk ${cfg.bulk.size}/${cfg.bulk.waitMs} ms, backfill refresh ${cfg.backfill.refreshInterval} above ${cfg.backfill.docsPerSecond} docs/s, max backlog ${cfg.maxBacklog}`,
  );
  const thr = await runThroughput(pipeline, opts, run.args.pages, expected);
  say(
    `[pipeline] ${thr.papers}/${expected} papers in ${thr.durationSeconds.toFixed(2)} s = ${thr.papersPerSecond.toFixed(1)} papers/s (crawl finished after ${thr.finishedAfterSeconds.toFixed(2)} s)`,
  );
  // The later phases use the pipeline's documents and workers: a pipeline that fell short ends the run.
  if (!thr.searchable.complete || thr.crawl.failed > 0)
    throw new Error(
      `pipeline incomplete: ${thr.searchable.count}/${expected} searchable, ${thr.crawl.failed} failed jobs`,
    );
  const rep = run.args.reprocess ? await runReprocess(pipeline, opts) : undefined;
  if (rep)
    say(
      `[reprocess] ${rep.papers} papers of ${rep.pages} archived pages rewritten in ${rep.durationSeconds.toFixed(2)} s = ${rep.papersPerSecond.toFixed(1)} papers/s`,
    );
  const recrawl: RecrawlResult[] = [];
  for (const wholePages of run.args.recrawl ? [false, true] : []) {
    const r = await runRecrawl(pipeline, opts, run.args.pages, wholePages);
    say(
      `[recrawl] ${r.pages} pages (${r.notModified} answered 304, ${r.crawl.parsed} parsed, ${r.crawl.unchanged} papers unchanged) in ${r.durationSeconds.toFixed(2)} s = ${r.pagesPerSecond.toFixed(1)} pages/s`,
    );
    recrawl.push(r);
  }
  const embedStart = new Date().toISOString();
  const emb = run.args.embed ? await runEmbed(pipeline, opts, run.args.embed, run.args.pages) : undefined;
  const latencyStart = new Date().toISOString();
  const lat = run.args.skipLatency ? undefined : await runLatency(pipeline, opts, latencyPlan(run.args));
  if (lat)
    say(
      `[latency] p50 ${Math.round(lat.p50Ms)} ms, p99 ${Math.round(lat.p99Ms)} ms, ${lat.found}/${lat.total} papers searchable`,
    );
  await pipeline.close();
  run.pipeline = undefined;
  // The ceiling loads the crawl's documents as the crawl wrote them: none of what came later.
  return { cfg, thr, rep, recrawl, emb, lat, crawlEnd: emb ? embedStart : latencyStart };
}

/**
 * The largest `.cpuprofile` of each profiled worker process (a helper thread may write a small
 * one too), by process name: its kind, or `pipeline` for a group's chained stages.
 */
function collectProfiles(dir: string): Record<string, string> {
  const profiles: Record<string, string> = {};
  for (const kind of readdirSync(dir).sort()) {
    const sub = join(dir, kind);
    const file = readdirSync(sub)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort((a, b) => statSync(join(sub, b)).size - statSync(join(sub, a)).size)[0];
    if (!file) continue;
    profiles[kind] = join(sub, file);
    say(
      `\nCPU profile of the ${kind} (${profiles[kind]}):\n${formatProfile(summariseProfile(profiles[kind], 30))}\n`,
    );
  }
  return profiles;
}

/**
 * The ceiling on the documents the pipeline's crawl wrote: the papers of later phases (latency,
 * --embed's further pages) left out, and the vectors --embed added.
 */
async function ceilingPhase(run: Run, index: string, crawlEnd: string) {
  say('[ceiling] reading back the pipeline’s documents…');
  const back = await readBack(
    run.es,
    index,
    { range: { firstSeenAt: { lt: crawlEnd } } },
    run.args.embed ? ['embedding'] : [],
  );
  const ceiling = await runCeiling(run.es, run.names, back.docs, back.bytes, say);
  say(
    `[ceiling] ${ceiling.papers}/${ceiling.expected} papers in ${ceiling.durationSeconds.toFixed(2)} s = ${ceiling.papersPerSecond.toFixed(1)} papers/s`,
  );
  return ceiling;
}

/** The peer: as many processes as asked (the core count by default), its concurrency calibrated or given. */
async function peerPhase(
  run: Run,
  ceiling: CeilingResult,
  expected: number,
): Promise<{ peer?: PeerResult; calibration?: PeerCalibration }> {
  const { args, es, names, site } = run;
  if (args.skipPeer) return {};
  const base = {
    pages: args.pages,
    processes: args.peerProcs,
    bulkSize: ceiling.bulkSize,
    // The ceiling's best number of bulk requests in flight, shared out between the processes.
    bulkConcurrency: Math.max(1, Math.ceil(ceiling.concurrency / args.peerProcs)),
    say,
    onChildren: (pids: number[]) => (run.peerPids = pids),
  };
  const calibration =
    args.peerConcurrency === undefined ? await calibratePeer(es, names, site, base) : undefined;
  const maxConcurrency = args.peerConcurrency ?? calibration!.chosen;
  const peer = await runPeer(es, names.peer, site, { ...base, expected, maxConcurrency });
  say(
    `[peer] ${peer.papers}/${peer.expected} papers in ${peer.durationSeconds.toFixed(2)} s = ${peer.papersPerSecond.toFixed(1)} papers/s (${peer.processes} × concurrency ${maxConcurrency})`,
  );
  return { peer, ...(calibration ? { calibration } : {}) };
}

async function measure(
  run: Run,
): Promise<{ measured: Measured; profiles: Record<string, string>; warmup: WarmUpRound[] }> {
  const expected = firstNew(run.args.pages);
  const warmup = await warmUpPhase(run);
  const { cfg, thr, rep, recrawl, emb, lat, crawlEnd } = await pipelinePhases(run, expected);
  const profiles = run.profileDir ? collectProfiles(run.profileDir) : {};
  const ceiling = await ceilingPhase(run, cfg.index, crawlEnd);
  const { peer, calibration } = await peerPhase(run, ceiling, expected);
  return {
    measured: {
      args: run.args,
      cfg,
      expected,
      thr,
      rep,
      recrawl,
      emb,
      lat,
      ceiling,
      peer,
      peerCalibration: calibration,
    },
    profiles,
    warmup,
  };
}

async function main(args: BenchArgs): Promise<number> {
  const startedAt = new Date().toISOString();
  const run = await openRun(args);
  if (!run) {
    say('error: Redis or Elasticsearch does not answer; run `pnpm paperline stack up` first');
    return 2;
  }
  const close = closer(run);
  const onSignal = (sig: NodeJS.Signals) => {
    say(`${sig}: stopping and cleaning up…`);
    void close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    say(`run ${run.names.tag}: site ${run.site.url}, ${args.pages} pages, Redis prefix ${run.names.prefix}`);
    const [commit, machine] = [commitState(), await machineInfo(run.es, run.redis)];
    const { measured, profiles, warmup } = await measure(run);
    const record = buildRecord(measured, {
      run: run.names.tag,
      startedAt,
      finishedAt: new Date().toISOString(),
      commit,
      machine: endLoadavg(machine),
      detail: {
        arxivStandInRequests: run.elsewhere.requests(),
        warmup,
        ...(run.profileDir ? { profiles } : {}),
      },
    });
    const file = await writeResult(args.record ? RESULTS_DIR : SCRATCH_DIR, record);
    process.stdout.write(`${formatSummary(record, file)}\n`);
    if (args.json) process.stdout.write(`${JSON.stringify(record)}\n`);
    if (!record.ok) say(`error: the run failed:\n  ${record.failures.join('\n  ')}`);
    return record.ok ? 0 : 1;
  } finally {
    await close(); // profiles (if any) are kept in the temp dir printed above
  }
}

let code: number;
try {
  code = await main(parseArgs(process.argv.slice(2)));
} catch (err) {
  say(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  code = 1;
}
process.exit(code);
