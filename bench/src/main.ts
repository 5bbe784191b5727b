/**
 * `pnpm bench [--pages N] [--json] …` — the Paperline throughput/latency benchmark (not a test).
 *
 * 1. a synthetic Hugging Face site (N daily listing pages × 50 papers, real page shape) on 127.0.0.1;
 * 2. the real pipeline (four worker processes) crawls all N pages: papers/s, CPU and RSS per stage;
 * 3. the same workers at a steady offered rate: p50/p99 latency from fetch to searchable;
 * 4. the physical ceiling: the pipeline's own documents bulk-indexed straight into a fresh index;
 * 5. a Crawlee CheerioCrawler peer crawling the same site into a fresh index.
 * Every index, Redis key and child process of the run is removed at the end, on failure and on SIGINT.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEsClient, createRedis, esReachable, loadConfig } from '@paperline/core';
import { parseArgs, type BenchArgs } from './args.js';
import { readBack, runCeiling } from './ceiling.js';
import { cleanupRun, runNames } from './infra.js';
import { runLatency } from './latency.js';
import { firstNew } from './model.js';
import { runPeer } from './peer.js';
import { startPipeline, runThroughput, type Pipeline, type PipelineOptions } from './pipeline.js';
import { formatProfile, summariseProfile } from './profile.js';
import { buildResult, formatTable } from './report.js';
import { startNullSite, startSite } from './site.js';
import { ROOT } from './workers.js';

const say = (m: string) => process.stderr.write(`${m}\n`);

/** The commit measured, and whether the code under test had uncommitted changes. */
function gitState(): { head: string; dirty: boolean } | undefined {
  try {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
    return {
      head: git('rev-parse', '--short', 'HEAD'),
      dirty: git('status', '--porcelain', '--', 'packages', 'services', 'infra') !== '',
    };
  } catch {
    return undefined;
  }
}

async function main(args: BenchArgs): Promise<number> {
  const started = new Date();
  const base = loadConfig(process.env);
  const names = runNames();
  const redis = createRedis(base.redisUrl, 'producer');
  redis.on('error', () => undefined);
  const es = createEsClient(base.elasticsearch, { requestTimeoutMs: 120_000 });
  if (!(await esReachable(es)) || (await redis.ping().catch(() => 'down')) !== 'PONG') {
    say('error: Redis or Elasticsearch does not answer; run `pnpm paperline stack up` first');
    return 2;
  }
  const pagesPerSecond = args.rate / 50;
  const latencyPages = Math.max(1, Math.round(pagesPerSecond * args.latencySeconds));
  const latencyFrom = args.pages + 1000; // far from the crawled days: every latency paper is new
  const site = await startSite({ seed: args.seed, maxPage: latencyFrom + latencyPages });
  const elsewhere = await startNullSite();
  const profileDir = args.profile.length ? mkdtempSync(join(tmpdir(), `${names.tag}-prof-`)) : undefined;
  let pipeline: Pipeline | undefined;
  let peerPid: number | undefined;
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    if (peerPid) {
      try {
        process.kill(peerPid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    await pipeline?.close().catch(() => undefined);
    await site.close().catch(() => undefined);
    await elsewhere.close().catch(() => undefined);
    const removed = await cleanupRun(redis, es, names).catch((e: unknown) => [
      `cleanup failed: ${String(e)}`,
    ]);
    say(`cleanup: ${removed.join(', ')} (${names.tag})`);
    redis.disconnect();
    await es.close().catch(() => undefined);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    say(`${sig}: stopping and cleaning up…`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    say(
      `run ${names.tag}: site ${site.url}, ${args.pages} pages, Redis prefix ${names.prefix}, index ${names.index}`,
    );
    const opts: PipelineOptions = {
      names,
      site,
      elsewhereUrl: elsewhere.url,
      redis,
      es,
      say,
      ...(profileDir ? { profile: { kinds: args.profile, dir: profileDir } } : {}),
    };
    pipeline = await startPipeline(opts);
    const cfg = pipeline.cfg;
    say(
      `pipeline config: concurrency ${JSON.stringify(cfg.concurrency)}, bulk ${cfg.bulk.size}/${cfg.bulk.waitMs} ms, max backlog ${cfg.maxBacklog}, host interval ${cfg.hostIntervalMs} ms`,
    );
    const expected = firstNew(args.pages);
    const thr = await runThroughput(pipeline, opts, args.pages, expected);
    say(
      `[pipeline] ${thr.papers} papers in ${thr.durationSeconds.toFixed(2)} s = ${thr.papersPerSecond.toFixed(1)} papers/s (crawl finished after ${thr.finishedAfterSeconds.toFixed(2)} s)`,
    );
    if (!thr.searchable.complete || thr.crawl.failed > 0) {
      throw new Error(
        `pipeline incomplete: ${thr.searchable.count}/${expected} searchable, ${thr.crawl.failed} failed jobs`,
      );
    }
    const latencyStart = new Date().toISOString();
    const lat = args.skipLatency
      ? undefined
      : await runLatency(pipeline, opts, {
          seed: args.seed,
          fromPage: latencyFrom,
          pages: latencyPages,
          pagesPerSecond,
        });
    if (lat)
      say(
        `[latency] p50 ${Math.round(lat.p50Ms)} ms, p99 ${Math.round(lat.p99Ms)} ms over ${lat.found}/${lat.papers} papers`,
      );
    await pipeline.close();
    pipeline = undefined;

    const profiles: Record<string, string> = {};
    if (profileDir) {
      for (const kind of args.profile) {
        const dir = join(profileDir, kind);
        // One file per thread (tsx's loader runs in a worker thread): the main thread's is the largest.
        const file = readdirSync(dir)
          .filter((f) => f.endsWith('.cpuprofile'))
          .sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0];
        if (!file) continue;
        profiles[kind] = join(dir, file);
        say(
          `\nCPU profile of the ${kind} (${profiles[kind]}):\n${formatProfile(summariseProfile(profiles[kind], 30))}\n`,
        );
      }
    }

    say('[ceiling] reading back the pipeline’s documents…');
    const back = await readBack(
      es,
      cfg.index,
      lat ? { range: { firstSeenAt: { lt: latencyStart } } } : undefined,
    );
    if (back.docs.length !== expected)
      throw new Error(`read back ${back.docs.length} docs, expected ${expected}`);
    const ceiling = await runCeiling(es, names, back.docs, back.bytes, say);
    back.docs.length = 0;
    say(
      `[ceiling] ${ceiling.papers} papers in ${ceiling.durationSeconds.toFixed(2)} s = ${ceiling.papersPerSecond.toFixed(1)} papers/s`,
    );

    const peer = args.skipPeer
      ? undefined
      : await runPeer(es, names, site, {
          pages: args.pages,
          expected,
          maxConcurrency: args.peerConcurrency,
          bulkSize: ceiling.bulkSize,
          bulkConcurrency: ceiling.concurrency,
          say,
          onChild: (pid) => (peerPid = pid),
        });
    peerPid = undefined;
    if (peer)
      say(
        `[peer] ${peer.papers} papers in ${peer.durationSeconds.toFixed(2)} s = ${peer.papersPerSecond.toFixed(1)} papers/s`,
      );

    const result = buildResult(thr, ceiling, peer, lat, cfg, {
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      run: names.tag,
      git: gitState(),
      arxivStandInRequests: elsewhere.requests(),
      seed: args.seed,
      ...(profileDir ? { profiles } : {}),
    });
    process.stdout.write(`${formatTable(result, thr, lat, peer)}\n`);
    if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await cleanup(); // profiles (if any) are kept in the temp dir printed above
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
