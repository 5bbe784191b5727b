/**
 * `pnpm exec tsx packages/embeddings/src/bench.ts [--rounds 3] [--threads 2]` — how many abstracts
 * per second the {@link Embedder} embeds on this machine (a measurement, not a test). The texts are
 * the real Hugging Face abstracts of the bundled snapshot site, embedded `rounds` times after one
 * warm-up pass; prints one human line on stderr and one JSON line on stdout.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadSnapshot } from '@paperline/snapshot-site';
import { Embedder } from './embedder.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, threads: { type: 'string', default: '2' } },
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a positive integer`);

const abstracts = loadSnapshot().days.flatMap((day) => day.entries.map((entry) => entry.summary));
const embedder = await Embedder.load({ threads: Number(values.threads) });
try {
  await embedder.embed(abstracts.slice(0, 8)); // warm-up: first-run allocations are not the steady state
  const load = loadavg()[0]!;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  for (let r = 0; r < rounds; r++) await embedder.embed(abstracts);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const result = {
    abstracts: abstracts.length * rounds,
    seconds: Number(seconds.toFixed(2)),
    abstractsPerSecond: Number(((abstracts.length * rounds) / seconds).toFixed(1)),
    /** CPU time this process spent per abstract: on a shared machine, the figure that does not depend on the others' load. */
    cpuMsPerAbstract: Number(((cpuSeconds * 1000) / (abstracts.length * rounds)).toFixed(1)),
    threads: Number(values.threads),
    maxTokens: embedder.maxTokens,
    loadAverageAtStart: Number(load.toFixed(2)),
  };
  process.stderr.write(
    `${result.abstracts} abstracts in ${result.seconds} s: ${result.abstractsPerSecond} abstracts/s, ` +
      `${result.cpuMsPerAbstract} ms of CPU each (${result.threads} threads, ${result.maxTokens} tokens max, ` +
      `load average ${result.loadAverageAtStart})\n`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await embedder.close();
}
