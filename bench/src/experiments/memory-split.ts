/**
 * Where the chained workers' memory was, from the samples of `memory-sampler.mjs`: for each
 * directory of samples (one bench run), each chained worker's peak RSS and V8 heap, and the median
 * after its first minute of the RSS that is neither V8's heap nor the buffers V8 tracks (the
 * binary and its libraries, and what malloc keeps).
 *
 *   pnpm exec tsx bench/src/experiments/memory-split.ts <samples dir> [<samples dir> …]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

interface Sample {
  t: number;
  argv: string;
  rss: number;
  heapTotal: number;
  external: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const outsideHeap = (s: Sample): number => s.rss - s.heapTotal - s.external;

function summarise(dir: string): string[] {
  const lines: string[] = [];
  for (const file of readdirSync(dir).sort()) {
    const samples = readFileSync(join(dir, file), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Sample);
    // The chained workers: the process that runs the main line's four stages.
    if (!samples[0]?.argv.startsWith('fetcher,parser,deduplicator,indexer')) continue;
    const late = samples.filter((s) => s.t > 60);
    lines.push(
      `${basename(dir)} pid ${file.replace(/\..*$/, '')}: peak RSS ${Math.max(...samples.map((s) => s.rss))} MB, ` +
        `peak heapTotal ${Math.max(...samples.map((s) => s.heapTotal))} MB, ` +
        `outside heap and tracked buffers: ${outsideHeap(samples[0])} MB at the first sample, ` +
        `median ${median(late.map(outsideHeap))} MB after the first minute (${late.length} samples)`,
    );
  }
  return lines;
}

console.log(process.argv.slice(2).flatMap(summarise).join('\n'));
