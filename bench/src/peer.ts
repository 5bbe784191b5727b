/**
 * Phase 4 — the Crawlee peer (bench/peers/crawlee.ts) in its own process, crawling the same pages
 * of the same site into a fresh index, timed exactly like the pipeline: from the site's first
 * listing request to the first `_count` poll that sees every distinct paper.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@elastic/elasticsearch';
import {
  createPapersIndex,
  diffIndexTimes,
  esCpuMs,
  indexTimes,
  type EsIndexTimes,
  type RunNames,
} from './infra.js';
import { dateOf } from './model.js';
import { CpuWindow, RssSampler } from './procstat.js';
import { waitSearchable } from './searchable.js';
import type { SyntheticSite } from './site.js';
import { ROOT } from './workers.js';

const PEER = fileURLToPath(new URL('../peers/crawlee.ts', import.meta.url));

export interface PeerResult {
  papers: number;
  durationSeconds: number;
  papersPerSecond: number;
  cpuSeconds: number;
  peakRssMb: number;
  maxConcurrency: number;
  bulkSize: number;
  bulkConcurrency: number;
  counters: Record<string, number>;
  esCpuSeconds: number;
  esIndexStats: Record<string, EsIndexTimes>;
}

export async function runPeer(
  es: Client,
  names: RunNames,
  site: SyntheticSite,
  o: {
    pages: number;
    expected: number;
    maxConcurrency: number;
    bulkSize: number;
    bulkConcurrency: number;
    say: (m: string) => void;
    onChild: (pid: number | undefined) => void;
  },
): Promise<PeerResult> {
  await createPapersIndex(es, names.peer);
  const dir = mkdtempSync(join(tmpdir(), `${names.tag}-crawlee-`));
  const urlsFile = join(dir, 'urls.txt');
  writeFileSync(
    urlsFile,
    Array.from({ length: o.pages }, (_, i) => `${site.url}/papers/date/${dateOf(i)}`).join('\n'),
  );
  site.reset();
  const esCpu0 = await esCpuMs(es);
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', PEER], {
      cwd: ROOT,
      env: {
        ...process.env,
        CRAWLEE_STORAGE_DIR: join(dir, 'storage'),
        PEER_SITE_URL: site.url,
        PEER_URLS_FILE: urlsFile,
        PEER_INDEX: names.peer,
        PEER_BULK_SIZE: String(o.bulkSize),
        PEER_BULK_CONCURRENCY: String(o.bulkConcurrency),
        PEER_MAX_CONCURRENCY: String(o.maxConcurrency),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    o.onChild(child.pid);
    const pids = () => new Map(child.pid && child.exitCode === null ? [['peer', child.pid]] : []);
    const cpu = new CpuWindow(pids);
    const rss = new RssSampler(pids);
    let lastCpu = 0;
    const cpuTimer = setInterval(() => (lastCpu = cpu.read().peer ?? lastCpu), 250);
    cpu.mark();
    rss.start();
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => o.say(`[peer] ${d.toString().trimEnd()}`));
    let exited = false;
    let exitCode: number | null = null;
    const done = new Promise<void>((r) =>
      child.once('exit', (code) => {
        exited = true;
        exitCode = code;
        r();
      }),
    );
    let last = 0;
    const seen = await waitSearchable(es, names.peer, o.expected, {
      pollMs: 100,
      stop: () => exited && exitCode !== 0,
      onPoll: (c) => {
        const t = Date.now();
        if (t - last > 2000 && site.log.first) {
          last = t;
          o.say(
            `[peer] ${((t - site.log.first) / 1000).toFixed(1)} s  pages ${site.log.pageFetchedAt.size}/${o.pages}  searchable ${c}/${o.expected}`,
          );
        }
      },
    });
    await done;
    clearInterval(cpuTimer);
    const peak = rss.take().peer ?? 0;
    rss.stop();
    if (exitCode !== 0) throw new Error(`peer exited with ${exitCode}`);
    const first = site.log.first ?? seen.at;
    const durationSeconds = (seen.at - first) / 1000;
    const lastLine = out.trim().split('\n').pop() ?? '{}';
    const counters = JSON.parse(lastLine) as Record<string, number>;
    return {
      papers: seen.count,
      durationSeconds,
      papersPerSecond: seen.count / durationSeconds,
      // The peer reports its CPU from crawler.run() on (start-up excluded, as for the workers).
      cpuSeconds: counters.cpuSeconds ?? lastCpu,
      peakRssMb: Math.max(peak, counters.maxRssMb ?? 0),
      maxConcurrency: o.maxConcurrency,
      bulkSize: o.bulkSize,
      bulkConcurrency: o.bulkConcurrency,
      counters,
      esCpuSeconds: ((await esCpuMs(es)) - esCpu0) / 1000,
      esIndexStats: Object.fromEntries(
        Object.entries(diffIndexTimes(await indexTimes(es, names.tag), {})).filter(([k]) => k === 'peer'),
      ),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
