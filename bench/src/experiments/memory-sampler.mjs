/**
 * A preload that samples where a process's memory is, every 2 s: RSS (`VmRSS`), V8's heap
 * (`heapTotal`, `heapUsed`, each space's size), and the buffers V8 tracks (`external`,
 * `arrayBuffers`). One JSON line per sample into `$MEMORY_SAMPLES_DIR/<pid>.jsonl`. Plain
 * JavaScript, so that the compiled workers load it as they are:
 *
 *   MEMORY_SAMPLES_DIR=/tmp/mem NODE_OPTIONS="--import $PWD/bench/src/experiments/memory-sampler.mjs" \
 *     pnpm bench --skip-peer --reprocess --chain --groups 2
 *
 * then `pnpm exec tsx bench/src/experiments/memory-split.ts /tmp/mem`.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { setInterval } from 'node:timers';
import { join } from 'node:path';
import v8 from 'node:v8';

const dir = process.env.MEMORY_SAMPLES_DIR ?? '/tmp/paperline-memory-samples';
mkdirSync(dir, { recursive: true });
const file = join(dir, `${process.pid}.jsonl`);
const started = Date.now();
const mb = (bytes) => Math.round(bytes / 1_048_576);

setInterval(() => {
  const m = process.memoryUsage();
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
  const spaces = Object.fromEntries(
    v8.getHeapSpaceStatistics().map((s) => [s.space_name.replace(/_space$/, ''), mb(s.space_size)]),
  );
  const sample = {
    t: (Date.now() - started) / 1000,
    argv: process.argv.slice(2).join(' '),
    rss: Math.round(rssKb / 1024),
    heapTotal: mb(m.heapTotal),
    heapUsed: mb(m.heapUsed),
    external: mb(m.external),
    arrayBuffers: mb(m.arrayBuffers),
    spaces,
  };
  appendFileSync(file, `${JSON.stringify(sample)}\n`);
}, 2000).unref();
