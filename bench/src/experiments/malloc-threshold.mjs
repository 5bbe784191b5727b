/**
 * Experiment: what glibc's mmap threshold costs a loop of one listing page's large allocations
 * (a 448 KB body concatenated from 64 KB chunks, a 250 KB decoded blob copied into a fresh buffer,
 * a 200 KB request body encoded from a string), 3,000 times, the last 16 bodies kept alive. Run it
 * under each setting to compare; it prints this process's CPU per iteration (user, system), its
 * minor page faults and its RSS at the end:
 *   MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 node bench/src/experiments/malloc-threshold.mjs
 */
import { readFileSync } from 'node:fs';

const iterations = 3000;
const chunks = Array.from({ length: 7 }, () => Buffer.alloc(65536, 120));
const blob = Buffer.alloc(250000, 65);
const kept = [];
const started = process.cpuUsage();
for (let i = 0; i < iterations; i++) {
  const body = Buffer.concat(chunks);
  const decoded = Buffer.allocUnsafe(blob.length);
  blob.copy(decoded);
  Buffer.from('x'.repeat(200000) + i);
  kept.push(body.subarray(0, 10));
  if (kept.length > 16) kept.shift();
}
const cpu = process.cpuUsage(started);
const minorFaults = readFileSync('/proc/self/stat', 'utf8').split(' ')[9];
const perIteration = (us) => (us / iterations / 1000).toFixed(3);
console.log(
  `MALLOC_MMAP_THRESHOLD_=${process.env.MALLOC_MMAP_THRESHOLD_ ?? '(glibc default)'} ` +
    `MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '(glibc default)'}: ` +
    `user ${perIteration(cpu.user)} ms, system ${perIteration(cpu.system)} ms per iteration; ` +
    `minor faults ${minorFaults}; RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
);
