/**
 * The embedding phase (`--embed`): papers indexed while the embed stage was off get their vectors
 * through `paperline embed --missing` (the operations' `startEmbedMissing`), taken by one embedder
 * process started for the purpose, once per variant of batch size × concurrency. Each variant
 * embeds papers of its own: the first those of the crawl, each next one those of `pages` further
 * listing pages crawled just before it (with the embed stage off). papers/s is timed from the
 * operation's start to its crawl finishing with the index refreshed; the embedder's RSS is read
 * when its model is loaded, before the first job, and after the last one.
 */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CrawlSummary } from '@paperline/contracts';
import { waitForCrawl } from '@paperline/core/pipeline';
import { startCrawl, startEmbedMissing } from '@paperline/ops';
import type { EmbedVariant } from './args.js';
import { dateOf } from './model.js';
import type { Pipeline, PipelineOptions } from './pipeline.js';
import { cpuSeconds, rssMb } from './procstat.js';
import { now } from './searchable.js';
import { exited, startWorker } from './workers.js';

export interface EmbedResult extends EmbedVariant {
  /** Papers `embed --missing` found without a vector. */
  found: number;
  /** Papers the crawl booked as embedded. */
  papers: number;
  crawl: CrawlSummary;
  durationSeconds: number;
  papersPerSecond: number;
  /** utime + stime of the embedder process over the timed window. */
  cpuSeconds: number;
  /** The embedder's VmRSS once its model is loaded, after the last paper, and the largest sample. */
  rssMb: { start: number; end: number; peak: number };
}

/** Every variant in turn; `pages` listing pages per variant (the first uses the crawl's). */
export async function runEmbed(
  p: Pipeline,
  o: PipelineOptions,
  variants: EmbedVariant[],
  pages: number,
): Promise<EmbedResult[]> {
  const results: EmbedResult[] = [];
  for (const [i, variant] of variants.entries()) {
    if (i > 0) await crawlMore(p, o, i * pages, pages);
    results.push(await embedMissing(p, o, variant));
    const r = results[results.length - 1]!;
    o.say(
      `[embed] batch ${r.batch} × concurrency ${r.concurrency}: ${r.papers}/${r.found} papers in ${r.durationSeconds.toFixed(2)} s = ${r.papersPerSecond.toFixed(1)} papers/s, ${((1000 * r.cpuSeconds) / Math.max(1, r.papers)).toFixed(1)} CPU ms/paper, RSS ${Math.round(r.rssMb.start)} → ${Math.round(r.rssMb.end)} MB (peak ${Math.round(r.rssMb.peak)})`,
    );
  }
  return results;
}

/** Papers for the next variant: `count` more listing pages from `from`, crawled with embedding off. */
async function crawlMore(p: Pipeline, o: PipelineOptions, from: number, count: number): Promise<void> {
  const seeds = Array.from({ length: count }, (_, k) => `${o.site.url}/papers/date/${dateOf(from + k)}`);
  const crawlId = await startCrawl(p, seeds, { depth: 0 });
  const crawl = await Promise.race([waitForCrawl(p.crawls, crawlId, { pollMs: 250 }), p.died]);
  if (crawl.failed > 0) throw new Error(`embed: the crawl of pages ${from}… had ${crawl.failed} failed jobs`);
  await o.es.indices.refresh({ index: p.cfg.index });
}

async function embedMissing(p: Pipeline, o: PipelineOptions, v: EmbedVariant): Promise<EmbedResult> {
  const embedder = await startEmbedder(p, o, v);
  const pid = embedder.pid!;
  let stopping = false;
  const died = exited(embedder).then(() => {
    if (!stopping) throw new Error('the embedder exited during the phase');
  });
  died.catch(() => undefined);
  const rssStart = rssMb(pid) ?? 0;
  let peak = rssStart;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid) ?? 0)), 250);
  try {
    const cpu0 = cpuSeconds(pid) ?? 0;
    const started = now();
    const start = await startEmbedMissing({ ...p, es: o.es, redis: o.redis });
    if (start.crawlId === null) throw new Error('embed: no paper without a vector to embed');
    const crawl = await Promise.race([
      waitForCrawl(p.crawls, start.crawlId, { pollMs: 100 }),
      p.died,
      died.then(() => Promise.reject(new Error('the embedder exited during the phase'))),
    ]);
    await o.es.indices.refresh({ index: p.cfg.index });
    const durationSeconds = (now() - started) / 1000;
    const cpu = (cpuSeconds(pid) ?? cpu0) - cpu0;
    const rssEnd = rssMb(pid) ?? 0;
    return {
      ...v,
      found: start.found,
      papers: crawl.embedded,
      crawl,
      durationSeconds,
      papersPerSecond: crawl.embedded / durationSeconds,
      cpuSeconds: cpu,
      rssMb: { start: rssStart, end: rssEnd, peak: Math.max(peak, rssEnd) },
    };
  } finally {
    clearInterval(sampler);
    stopping = true;
    embedder.kill('SIGTERM');
    await exited(embedder);
  }
}

/** An embedder process with the variant's settings, once its worker takes jobs (model loaded). */
async function startEmbedder(p: Pipeline, o: PipelineOptions, v: EmbedVariant): Promise<ChildProcess> {
  const child = startWorker(['embedder'], {
    env: {
      ...p.env,
      PAPERLINE_EMBED: '1',
      PAPERLINE_EMBED_BATCH: String(v.batch),
      PAPERLINE_EMBED_CONCURRENCY: String(v.concurrency),
    },
    onLine: (kind, line) => o.say(`[${kind}] ${line}`),
  });
  const started = Date.now();
  while ((await p.queues.embed.getWorkersCount()) === 0) {
    if (child.exitCode !== null) throw new Error(`the embedder exited at start-up (${child.exitCode})`);
    if (Date.now() - started > 60_000) throw new Error('the embedder was not ready after 60 s');
    await sleep(100);
  }
  return child;
}
