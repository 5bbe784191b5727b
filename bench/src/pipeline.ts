/**
 * Phase 1 — the pipeline under test: the real four workers (one process each) against the
 * synthetic site, a crawl started as `paperline crawl` starts one (the operations' `startCrawl`),
 * waited for with core's waitForCrawl, and timed from
 * the site's first listing request to the first `_count` poll that sees every distinct paper.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import type { RedisClient } from '@paperline/core/redis';
import type { CrawlSummary } from '@paperline/contracts';
import { loadConfig, type PaperlineConfig } from '@paperline/core/config';
import { ensureArchiveIndices, ensurePapersIndex } from '@paperline/core/es';
import {
  CrawlStore,
  Enqueuer,
  closeQueues,
  createQueues,
  stageCounts,
  waitForCrawl,
  type StageQueues,
} from '@paperline/core/pipeline';
import { STAGES, type WorkerKind } from '@paperline/contracts';
import { startCrawl } from '@paperline/ops';
import {
  diffIndexTimes,
  esCpuMs,
  indexTimes,
  redisCpuSeconds,
  redisUsedMb,
  type EsIndexTimes,
  type RunNames,
} from './infra.js';
import { dateOf, firstNew } from './model.js';
import { CpuWindow, RssSampler, hwmMb } from './procstat.js';
import { now, waitSearchable } from './searchable.js';
import type { SyntheticSite } from './site.js';
import { GcTally, gcPerPage, type GcPerPage } from './gc.js';
import { byKind, kindOf, startWorkers, type WorkerSet } from './workers.js';

export interface Pipeline {
  cfg: PaperlineConfig;
  env: NodeJS.ProcessEnv;
  queues: StageQueues;
  crawls: CrawlStore;
  enqueuer: Enqueuer;
  workers: WorkerSet;
  cpu: CpuWindow;
  rss: RssSampler;
  /** The workers' collections, when they trace them (`gcTrace`). */
  gc?: GcTally;
  /** Rejects when a worker exits while it should be running. */
  died: Promise<never>;
  close(): Promise<void>;
}

export interface PipelineOptions {
  names: RunNames;
  site: SyntheticSite;
  /** The local 404 stand-in for arXiv's URLs. */
  elsewhereUrl: string;
  redis: RedisClient;
  es: Client;
  profile?: { kinds: WorkerKind[]; dir: string };
  say: (msg: string) => void;
  /** Worker groups (`--groups`). @defaultValue 1 */
  groups?: number;
  /** Each group's stages in one process (`--chain`). */
  chain?: boolean;
  /** The workers print their collections (`--gc`), tallied instead of printed. */
  gcTrace?: boolean;
}

/**
 * The environment the workers get: the caller's (PAPERLINE_* tuning passes through) plus the
 * run's names. Every base URL points at 127.0.0.1: HF at the synthetic site, arXiv (pages, export
 * API, OAI-PMH) at a local stand-in that answers 404, so no request can leave the machine.
 * arXiv enrichment and embeddings are off unless PAPERLINE_ENRICH / PAPERLINE_EMBED are set: the
 * benchmark measures the Hugging Face path, the same work the peer and the ceiling do.
 */
export function workerEnv(names: RunNames, siteUrl: string, elsewhereUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PAPERLINE_QUEUE_PREFIX: names.prefix,
    PAPERLINE_INDEX: names.index,
    PAPERLINE_ARCHIVE_INDEX: names.archive,
    HF_BASE_URL: siteUrl,
    ARXIV_BASE_URL: `${elsewhereUrl}/arxiv`,
    ARXIV_API_URL: `${elsewhereUrl}/api/query`,
    ARXIV_OAI_URL: `${elsewhereUrl}/oai`,
    PAPERLINE_ENRICH: process.env.PAPERLINE_ENRICH ?? '0',
    // Embeddings are measured on their own (about 35 abstracts/s on this machine); the crawl
    // figures compare the keyword path with the peer and the ceiling, which embed nothing.
    PAPERLINE_EMBED: process.env.PAPERLINE_EMBED ?? '0',
    // The site is local and ours: no politeness gap (the peer has none either). Overridable.
    PAPERLINE_HOST_INTERVAL_MS: process.env.PAPERLINE_HOST_INTERVAL_MS ?? '0',
    PAPERLINE_LOG_LEVEL: process.env.PAPERLINE_LOG_LEVEL ?? 'warn',
  };
}

export async function startPipeline(o: PipelineOptions): Promise<Pipeline> {
  const env = workerEnv(o.names, o.site.url, o.elsewhereUrl);
  const cfg = loadConfig(env);
  await ensurePapersIndex(o.es, cfg.index);
  await ensureArchiveIndices(o.es, cfg.archiveIndex);
  const queues = createQueues(o.redis, cfg.queuePrefix, cfg);
  const crawls = new CrawlStore(o.redis, cfg.queuePrefix, { failureTtlSeconds: cfg.failedRetentionSeconds });
  const enqueuer = new Enqueuer(queues, crawls, { maxBacklog: cfg.maxBacklog });
  let stopping = false;
  let rejectDied: (e: Error) => void = () => undefined;
  const died = new Promise<never>((_, reject) => (rejectDied = reject));
  died.catch(() => undefined);
  const gc = o.gcTrace ? new GcTally() : undefined;
  const workers = startWorkers({
    env,
    groups: o.groups ?? 1,
    chain: o.chain ?? false,
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.gcTrace ? { gcTrace: true } : {}),
    onLine: (name, line) => {
      if (!gc?.take(kindOf(name), line)) o.say(`[${name}] ${line}`);
    },
  });
  for (const [kind, child] of workers.children) {
    child.once('exit', (code, signal) => {
      if (!stopping) rejectDied(new Error(`worker ${kind} exited unexpectedly (${signal ?? code})`));
    });
  }
  const started = Date.now();
  // The embed and enrich stages have no worker when PAPERLINE_EMBED=0 / PAPERLINE_ENRICH=0 (the
  // bench's defaults).
  const running = STAGES.filter((s) => (s !== 'embed' || cfg.embed) && (s !== 'enrich' || cfg.enrich));
  for (;;) {
    const counts = await Promise.all(running.map((s) => queues[s].getWorkersCount()));
    if (counts.every((n) => n > 0)) break;
    if (Date.now() - started > 90_000) throw new Error(`workers not ready after 90 s (${counts.join(',')})`);
    await Promise.race([sleep(200), died]);
  }
  o.say(
    `workers ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pids ${[...workers.pids().values()].join(', ')})`,
  );
  const rss = new RssSampler(() => workers.pids());
  rss.start();
  return {
    cfg,
    env,
    queues,
    crawls,
    enqueuer,
    workers,
    cpu: new CpuWindow(() => workers.pids()),
    ...(gc ? { gc } : {}),
    rss,
    died,
    async close() {
      stopping = true;
      rss.stop();
      await workers.stop();
      await closeQueues(queues);
    },
  };
}

export interface ServiceCpu {
  esSeconds: number;
  redisSeconds: number;
  benchSeconds: number;
}

/** CPU of Elasticsearch, Redis and this process (the site server) over a window. */
export async function serviceCpuWindow(es: Client, redis: RedisClient): Promise<() => Promise<ServiceCpu>> {
  const [e0, r0, b0] = [await esCpuMs(es), await redisCpuSeconds(redis), process.cpuUsage()];
  return async () => {
    const b = process.cpuUsage(b0);
    return {
      esSeconds: ((await esCpuMs(es)) - e0) / 1000,
      redisSeconds: (await redisCpuSeconds(redis)) - r0,
      benchSeconds: (b.user + b.system) / 1e6,
    };
  };
}

export interface ThroughputResult {
  pages: number;
  papers: number;
  crawl: CrawlSummary;
  durationSeconds: number;
  papersPerSecond: number;
  /** Seconds from the first fetch to the crawl being finished (all jobs done), and to searchable. */
  finishedAfterSeconds: number;
  searchable: { count: number; complete: boolean };
  cpuSeconds: Record<string, number>;
  /** Per kind, of {@link cpuSeconds}: the kernel's share, and the minor page faults behind much of it. */
  systemSeconds: Record<string, number>;
  minorFaults: Record<string, number>;
  peakRssMb: Record<string, number>;
  hwmMb: Record<string, number>;
  services: ServiceCpu;
  redisMemoryGrowthMb: number;
  avgPageKb: number;
  siteRenderSeconds: number;
  /** Waiting jobs per stage every ~2 s: the stage whose queue grows is the bottleneck. */
  backlog: Array<Record<string, number>>;
  /** Worker RSS (MB) every 5 s. */
  rssTimeline: Array<Record<string, number>>;
  /** Per-index Elasticsearch time (ms) spent on this run's indices during the phase. */
  esIndexStats: Record<string, EsIndexTimes>;
  /** Per kind, the workers' collections per page crawled (`--gc`). */
  gcPerPage?: Record<string, GcPerPage>;
}

/** Redis memory sampled every second: the growth from the start to the peak, when stopped. */
async function redisMemoryGrowth(redis: RedisClient): Promise<() => number> {
  const mem0 = await redisUsedMb(redis);
  let peak = mem0;
  const timer = setInterval(() => {
    redisUsedMb(redis).then(
      (m) => (peak = Math.max(peak, m)),
      () => undefined,
    );
  }, 1000);
  return () => {
    clearInterval(timer);
    return peak - mem0;
  };
}

/** What the site served from now on: mean page size and rendering time. */
function siteWindow(site: SyntheticSite): () => { avgPageKb: number; siteRenderSeconds: number } {
  const { bytes, count, renderMs } = site.log;
  return () => {
    const served = site.log.count - count;
    return {
      avgPageKb: served ? (site.log.bytes - bytes) / served / 1024 : 0,
      siteRenderSeconds: (site.log.renderMs - renderMs) / 1000,
    };
  };
}

/** Every 2 s: progress, and each stage's waiting/active jobs (kept in `backlog`). */
function progressReporter(
  p: Pipeline,
  o: PipelineOptions,
  total: { pages: number; expected: number },
  searchable: () => number,
  backlog: Array<Record<string, number>>,
): (s: CrawlSummary) => void {
  let lastSay = 0;
  return (s) => {
    const t = now();
    if (t - lastSay < 2000) return;
    lastSay = t;
    const el = o.site.log.first ? (t - o.site.log.first) / 1000 : 0;
    void stageCounts(p.queues).then(
      (c) => {
        const q = STAGES.map((st) => `${st} ${c[st].waiting}/${c[st].active}`).join(', ');
        backlog.push({ t: el, ...Object.fromEntries(STAGES.map((st) => [st, c[st].waiting])) });
        const n = searchable();
        o.say(
          `[pipeline] ${el.toFixed(1)} s  fetched ${s.fetched}/${total.pages}  parsed ${s.parsed}  indexed ${s.indexed}  searchable ${n}/${total.expected}  (${el > 0 ? Math.round(n / el) : 0} papers/s)  waiting/active: ${q}`,
        );
      },
      () => undefined,
    );
  };
}

/**
 * Crawls `pages` pages from `fromPage` on and polls until `expected` papers are searchable, the
 * crawl failed, or 30 s after the crawl finished: the crawl's summary, when it finished and the
 * last poll.
 */
async function crawlUntilSearchable(
  p: Pipeline,
  o: PipelineOptions,
  total: { pages: number; expected: number; fromPage?: number },
  backlog: Array<Record<string, number>>,
) {
  const from = total.fromPage ?? 0;
  const seeds = Array.from(
    { length: total.pages },
    (_, i) => `${o.site.url}/papers/date/${dateOf(from + i)}`,
  );
  const crawlId = await startCrawl(p, seeds, { depth: 0 });
  o.say(`crawl ${crawlId}: ${total.pages} pages, ${total.expected} distinct papers expected`);
  let searchable = 0;
  let finishedAt: number | undefined;
  let failed = false;
  const onProgress = progressReporter(p, o, total, () => searchable, backlog);
  const crawlDone = Promise.race([waitForCrawl(p.crawls, crawlId, { pollMs: 250, onProgress }), p.died]);
  crawlDone.then(
    () => (finishedAt = now()),
    () => (failed = true),
  );
  const seen = await waitSearchable(o.es, p.cfg.index, total.expected, {
    pollMs: 100,
    stop: () => failed || (finishedAt !== undefined && now() - finishedAt > 30_000),
    onPoll: (c) => (searchable = c),
  });
  return { crawl: await crawlDone, finishedAt, seen };
}

/**
 * Waits for a later phase's crawl to finish, or for a worker to die, saying `line(summary,
 * seconds since started)` at most every 2 s.
 */
export function waitForPhaseCrawl(
  p: Pipeline,
  o: PipelineOptions,
  crawlId: string,
  {
    started,
    pollMs,
    line,
  }: { started: number; pollMs: number; line: (s: CrawlSummary, seconds: number) => string },
): Promise<CrawlSummary> {
  let lastSay = 0;
  return Promise.race([
    waitForCrawl(p.crawls, crawlId, {
      pollMs,
      onProgress: (s) => {
        if (now() - lastSay < 2000) return;
        lastSay = now();
        o.say(line(s, (lastSay - started) / 1000));
      },
    }),
    p.died,
  ]);
}

/** One round of the warm-up: its pages, the papers it wrote and Elasticsearch's CPU for each. */
export interface WarmUpRound {
  pages: number;
  papers: number;
  esMsPerPaper: number;
}

/**
 * The bench's warm-up, which measures nothing: crawls of `roundPages` further pages at a time,
 * until Elasticsearch's CPU per paper written falls by less than a tenth from one round to the
 * next (its JIT has compiled what a crawl runs) or `maxPages` are crawled. Fails unless every
 * paper of each round became searchable.
 */
export async function warmUp(
  p: Pipeline,
  o: PipelineOptions,
  { roundPages, maxPages }: { roundPages: number; maxPages: number },
): Promise<WarmUpRound[]> {
  const rounds: WarmUpRound[] = [];
  for (let from = 0; from < maxPages; from += roundPages) {
    const pages = Math.min(roundPages, maxPages - from);
    const expected = firstNew(from + pages);
    const services = await serviceCpuWindow(o.es, o.redis);
    const { crawl, seen } = await crawlUntilSearchable(p, o, { fromPage: from, pages, expected }, []);
    if (!seen.complete || seen.count !== expected || crawl.failed > 0)
      throw new Error(
        `warm-up incomplete: ${seen.count}/${expected} searchable, ${crawl.failed} failed jobs`,
      );
    const papers = expected - firstNew(from);
    rounds.push({ pages, papers, esMsPerPaper: ((await services()).esSeconds * 1000) / papers });
    const [before, last] = rounds.slice(-2);
    if (last && before && last.esMsPerPaper > 0.9 * before.esMsPerPaper) break;
  }
  return rounds;
}

export async function runThroughput(
  p: Pipeline,
  o: PipelineOptions,
  pages: number,
  expected: number,
): Promise<ThroughputResult> {
  const { site, es, redis } = o;
  site.reset();
  const served = siteWindow(site);
  p.rss.take();
  p.cpu.mark();
  p.gc?.mark();
  const services = await serviceCpuWindow(es, redis);
  const memoryGrowth = await redisMemoryGrowth(redis);
  const stats0 = await indexTimes(es, o.names.tag);
  const backlog: Array<Record<string, number>> = [];
  const { crawl, finishedAt, seen } = await crawlUntilSearchable(p, o, { pages, expected }, backlog);
  const redisMemoryGrowthMb = memoryGrowth();
  const first = site.log.first ?? seen.at;
  const durationSeconds = (seen.at - first) / 1000;
  // Per kind: with several worker groups, the CPU of a kind's processes adds up; memory is the
  // largest of them.
  const cpuSeconds = byKind(p.cpu.read(), (a, b) => a + b);
  const systemSeconds = byKind(p.cpu.read('systemSeconds'), (a, b) => a + b);
  const minorFaults = byKind(p.cpu.read('minorFaults'), (a, b) => a + b);
  const rssTimeline = p.rss.timeline;
  const peakRssMb = byKind(p.rss.take(), Math.max);
  const gc = p.gc?.read();
  const hwm = byKind(
    Object.fromEntries([...p.workers.pids()].map(([k, pid]) => [k, hwmMb(pid) ?? 0])),
    Math.max,
  );
  return {
    pages,
    papers: seen.count,
    crawl,
    durationSeconds,
    papersPerSecond: seen.count / durationSeconds,
    finishedAfterSeconds: ((finishedAt ?? seen.at) - first) / 1000,
    searchable: { count: seen.count, complete: seen.complete && seen.count === expected },
    cpuSeconds,
    systemSeconds,
    minorFaults,
    peakRssMb,
    hwmMb: hwm,
    services: await services(),
    redisMemoryGrowthMb,
    ...served(),
    backlog,
    rssTimeline,
    esIndexStats: diffIndexTimes(await indexTimes(es, o.names.tag), stats0),
    ...(gc
      ? { gcPerPage: Object.fromEntries(Object.entries(gc).map(([k, t]) => [k, gcPerPage(t, pages)])) }
      : {}),
  };
}
