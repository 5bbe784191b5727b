/**
 * Phase 4 — the Crawlee peer (bench/peers/crawlee.ts), run the way its user would run it on this
 * machine: one process per core (`--peer-procs`), each crawling a contiguous share of the same
 * pages of the same site, all bulk-loading one fresh index created with Elastic's bulk-load
 * settings (no replicas, `refresh_interval: -1`), refreshed once when every process is done. The
 * processes start, load Crawlee, report ready and only then get the go: start-up is excluded, as
 * for the pipeline's workers. Timed from the site's first listing request to the `_count` after
 * the final refresh. The per-process CheerioCrawler concurrency is the fastest of a short
 * calibration unless given.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@elastic/elasticsearch';
import {
  BULK_LOAD_SETTINGS,
  createPapersIndex,
  deleteIndex,
  esCpuMs,
  indexTimesOf,
  type EsIndexTimes,
  type RunNames,
} from './infra.js';
import { dateOf, firstNew } from './model.js';
import { RssSampler } from './procstat.js';
import { searchableAfterRefresh } from './searchable.js';
import type { SyntheticSite } from './site.js';
import { ROOT } from './workers.js';
import { fastestOnAverage, type PeerTrial } from './peer-calibration.js';

const PEER = fileURLToPath(new URL('../peers/crawlee.ts', import.meta.url));

/** Concurrencies tried per process, and the pages of each trial (at most the run's own). */
export const PEER_CALIBRATION = { concurrencies: [4, 8, 16], pages: 200 } as const;

export interface PeerSettings {
  processes: number;
  /** CheerioCrawler min/maxConcurrency, per process. */
  maxConcurrency: number;
  bulkSize: number;
  /** Bulk requests in flight, per process. */
  bulkConcurrency: number;
}

export interface PeerOptions extends PeerSettings {
  pages: number;
  expected: number;
  say: (m: string) => void;
  /** The peer processes' pids while they run (for clean-up on a signal), then []. */
  onChildren: (pids: number[]) => void;
}

export interface PeerProcess {
  cpuSeconds: number;
  peakRssMb: number;
  counters: Record<string, number>;
}

export interface PeerResult extends PeerSettings {
  /** Distinct papers searchable at the end, of `expected`. */
  papers: number;
  expected: number;
  complete: boolean;
  durationSeconds: number;
  papersPerSecond: number;
  /** CPU of all peer processes, from crawler.run() on. */
  cpuSeconds: number;
  /** The largest process's peak RSS. */
  peakRssMb: number;
  perProcess: Record<string, PeerProcess>;
  /** The processes' counters, summed (pages, entries, docs, unchanged, bulk requests, failed items). */
  counters: Record<string, number>;
  esCpuSeconds: number;
  esIndexStats: Record<string, EsIndexTimes>;
}

export interface PeerCalibration {
  chosen: number;
  trials: PeerTrial[];
}

interface Child {
  name: string;
  child: ChildProcess;
  ready: Promise<void>;
  /** Resolves with the process's last stdout line (its counters); rejects on a non-zero exit. */
  done: Promise<string>;
}

/** Contiguous shares of `items`, one per process (repeats of a day's papers stay in one share). */
export function shares<T>(items: T[], n: number): T[][] {
  const size = Math.ceil(items.length / n);
  return Array.from({ length: n }, (_, i) => items.slice(i * size, (i + 1) * size)).filter((s) => s.length);
}

function spawnPeer(name: string, env: NodeJS.ProcessEnv, say: (m: string) => void): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', PEER], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => say(`[${name}] ${d.toString().trimEnd()}`));
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
  });
  const done = new Promise<string>((resolve, reject) =>
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve(out.trim().split('\n').pop() ?? '{}')
        : reject(new Error(`${name} exited with ${signal ?? code}`)),
    ),
  );
  ready.catch(() => undefined);
  done.catch(() => undefined);
  return { name, child, ready, done };
}

function peerEnv(dir: string, urlsFile: string, index: string, site: SyntheticSite, s: PeerSettings) {
  return {
    ...process.env,
    CRAWLEE_STORAGE_DIR: join(dir, 'storage'),
    PEER_SITE_URL: site.url,
    PEER_URLS_FILE: urlsFile,
    PEER_INDEX: index,
    PEER_BULK_SIZE: String(s.bulkSize),
    PEER_BULK_CONCURRENCY: String(s.bulkConcurrency),
    PEER_MAX_CONCURRENCY: String(s.maxConcurrency),
  };
}

/** Starts one peer process per share of the page URLs, each with its own storage directory. */
function startPeers(dir: string, index: string, site: SyntheticSite, o: PeerOptions): Child[] {
  const urls = Array.from({ length: o.pages }, (_, i) => `${site.url}/papers/date/${dateOf(i)}`);
  return shares(urls, o.processes).map((share, i) => {
    const name = `peer-${i + 1}`;
    const urlsFile = join(dir, `${name}.txt`);
    writeFileSync(urlsFile, share.join('\n'));
    return spawnPeer(name, peerEnv(join(dir, name), urlsFile, index, site, o), o.say);
  });
}

/** Pages fetched so far, every 2 s. */
function progress(site: SyntheticSite, o: PeerOptions): NodeJS.Timeout {
  return setInterval(() => {
    if (site.log.first === undefined) return;
    const s = ((Date.now() - site.log.first) / 1000).toFixed(1);
    o.say(`[peer] ${s} s  pages ${site.log.pageFetchedAt.size}/${o.pages}`);
  }, 2000);
}

/** Runs the peer processes to their end: CPU (from their own counters) and peak RSS of each. */
async function runChildren(
  children: Child[],
  site: SyntheticSite,
  o: PeerOptions,
): Promise<Record<string, PeerProcess>> {
  const pids = () =>
    new Map(children.filter((c) => c.child.exitCode === null).map((c) => [c.name, c.child.pid!]));
  o.onChildren(children.map((c) => c.child.pid!));
  const rss = new RssSampler(pids);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.all(children.map((c) => c.ready));
    timer = progress(site, o);
    site.reset();
    rss.start();
    for (const c of children) c.child.send('go');
    const lines = await Promise.all(children.map((c) => c.done));
    const peaks = rss.take();
    return Object.fromEntries(
      children.map((c, i) => {
        const { cpuSeconds, maxRssMb, ...counters } = JSON.parse(lines[i]!) as Record<string, number>;
        const peakRssMb = Math.max(peaks[c.name] ?? 0, maxRssMb ?? 0);
        return [c.name, { cpuSeconds: cpuSeconds ?? 0, peakRssMb, counters }];
      }),
    );
  } finally {
    clearInterval(timer);
    rss.stop();
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGTERM');
    o.onChildren([]);
  }
}

const sumCounters = (ps: PeerProcess[]): Record<string, number> =>
  ps.reduce<Record<string, number>>((acc, p) => {
    for (const [k, v] of Object.entries(p.counters)) acc[k] = (acc[k] ?? 0) + v;
    return acc;
  }, {});

/** One timed peer run into `index` (created here with the bulk-load settings). */
export async function runPeer(
  es: Client,
  index: string,
  site: SyntheticSite,
  o: PeerOptions,
): Promise<PeerResult> {
  await createPapersIndex(es, index, BULK_LOAD_SETTINGS);
  const dir = mkdtempSync(join(tmpdir(), 'paperline-bench-crawlee-'));
  const esCpu0 = await esCpuMs(es);
  try {
    const perProcess = await runChildren(startPeers(dir, index, site, o), site, o);
    const seen = await searchableAfterRefresh(es, index, o.expected);
    const durationSeconds = (seen.at - (site.log.first ?? seen.at)) / 1000;
    const procs = Object.values(perProcess);
    return {
      processes: procs.length,
      maxConcurrency: o.maxConcurrency,
      bulkSize: o.bulkSize,
      bulkConcurrency: o.bulkConcurrency,
      papers: seen.count,
      expected: o.expected,
      complete: seen.complete,
      durationSeconds,
      papersPerSecond: seen.count / durationSeconds,
      cpuSeconds: procs.reduce((s, p) => s + p.cpuSeconds, 0),
      peakRssMb: Math.max(0, ...procs.map((p) => p.peakRssMb)),
      perProcess,
      counters: sumCounters(procs),
      esCpuSeconds: ((await esCpuMs(es)) - esCpu0) / 1000,
      esIndexStats: await indexTimesOf(es, index),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The per-process concurrency a Crawlee user would pick: each candidate on the first pages of the
 * site (at most the run's own), into a fresh index each, twice, the second round in reverse order
 * so that a machine whose speed drifts during the calibration favours none; the best mean wins.
 * With one trial each, three trials within 5 % of each other once picked 4 where 16 had been
 * chosen in every run around it (bench/README.md).
 */
export async function calibratePeer(
  es: Client,
  names: RunNames,
  site: SyntheticSite,
  o: Omit<PeerOptions, 'maxConcurrency' | 'expected'>,
): Promise<PeerCalibration> {
  const pages = Math.min(o.pages, PEER_CALIBRATION.pages);
  const candidates = PEER_CALIBRATION.concurrencies;
  const trials: PeerCalibration['trials'] = [];
  for (const [k, maxConcurrency] of [...candidates, ...[...candidates].reverse()].entries()) {
    const index = names.peerTune(k);
    const r = await runPeer(es, index, site, { ...o, pages, expected: firstNew(pages), maxConcurrency });
    await deleteIndex(es, index);
    if (!r.complete) throw new Error(`peer calibration at ${maxConcurrency}: ${r.papers}/${r.expected}`);
    trials.push({ maxConcurrency, papersPerSecond: r.papersPerSecond });
    o.say(
      `[peer] trial: ${o.processes} × concurrency ${maxConcurrency} → ${Math.round(r.papersPerSecond)} papers/s`,
    );
  }
  return { chosen: fastestOnAverage(trials), trials };
}
