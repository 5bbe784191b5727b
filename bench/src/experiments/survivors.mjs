/**
 * Experiment (a preload): which allocations outlive a scavenge in the stage workers. Loaded into
 * every Node process through NODE_OPTIONS, it acts only in worker processes
 * (`services/workers/dist/main.js`, the embedder left out): SURVIVORS_START_MS after start (3000)
 * it starts V8's sampling heap profiler without the objects minor collections free
 * (`includeObjectsCollectedByMinorGC: false`), so what is left is what survived scavenges (and
 * was promoted) or is still alive; SURVIVORS_MS later (15000) it writes the profile to
 * `$SURVIVORS_DIR/survivors-<pid>.heapprofile`. `survivors-report.ts` prints it by allocation site.
 *
 *   SURVIVORS_DIR=/tmp/s NODE_OPTIONS=--import=./bench/src/experiments/survivors.mjs \
 *     pnpm bench --pages 1000 --skip-peer --skip-latency --warmup-pages 250 --chain --groups 2
 *   pnpm exec tsx bench/src/experiments/survivors-report.ts /tmp/s/survivors-<pid>.heapprofile
 *
 * The warm-up's workers end before SURVIVORS_START_MS + SURVIVORS_MS as a rule; the newest files
 * are the measured crawl's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const isWorker =
  process.argv.some((a) => a.endsWith('workers/dist/main.js')) && !process.argv.includes('embedder');
if (isWorker && process.env.SURVIVORS_DIR) {
  const dir = process.env.SURVIVORS_DIR;
  const session = new Session();
  session.connect();
  const post = (method, params) =>
    new Promise((resolve, reject) =>
      session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))),
    );
  setTimeout(
    async () => {
      await post('HeapProfiler.enable');
      await post('HeapProfiler.startSampling', {
        samplingInterval: 16384,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: false,
      });
      setTimeout(
        async () => {
          const { profile } = await post('HeapProfiler.stopSampling');
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, `survivors-${process.pid}.heapprofile`), JSON.stringify(profile));
        },
        Number(process.env.SURVIVORS_MS ?? 15_000),
      ).unref();
    },
    Number(process.env.SURVIVORS_START_MS ?? 3000),
  ).unref();
}
