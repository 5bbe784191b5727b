/**
 * Tuning aid: runs the Crawlee peer alone over the first P pages of the synthetic site at several
 * CheerioCrawler concurrencies (each into a fresh index, cleaned up). The bench itself calibrates
 * the peer's concurrency on every run; this looks at more values, or other process counts.
 *
 *   pnpm exec tsx bench/src/experiments/peer-tune.ts [pages=300] [bulkSize=1000] [bulkConcurrency=1] [concurrencies=4,8,16,32] [processes=cores]
 */
import { availableParallelism } from 'node:os';
import { loadConfig } from '@paperline/core/config';
import { createRedis } from '@paperline/core/redis';
import { createEsClient } from '@paperline/core/es';
import { cleanupRun, deleteIndex, runNames } from '../infra.js';
import { firstNew } from '../model.js';
import { runPeer } from '../peer.js';
import { startSite } from '../site.js';

const pages = Number(process.argv[2] ?? 300);
const bulkSize = Number(process.argv[3] ?? 1000);
const bulkConcurrency = Number(process.argv[4] ?? 1);
const concurrencies = (process.argv[5] ?? '4,8,16,32').split(',').map(Number);
const processes = Number(process.argv[6] ?? availableParallelism());
const cfg = loadConfig(process.env);
const es = createEsClient(cfg.elasticsearch, { requestTimeoutMs: 120_000 });
const redis = createRedis(cfg, 'producer');
const names = runNames();
const site = await startSite({ seed: 1, maxPage: pages, preRendered: pages });
try {
  for (const maxConcurrency of concurrencies) {
    const r = await runPeer(es, names.peer, site, {
      pages,
      expected: firstNew(pages),
      processes,
      maxConcurrency,
      bulkSize,
      bulkConcurrency,
      say: () => undefined,
      onChildren: () => undefined,
    });
    process.stdout.write(
      `${processes} × concurrency ${String(maxConcurrency).padStart(2)}: ${r.papersPerSecond.toFixed(0).padStart(5)} papers/s  ${r.papers}/${r.expected}  ${r.durationSeconds.toFixed(1)} s  peer cpu ${r.cpuSeconds.toFixed(1)} s  es cpu ${r.esCpuSeconds.toFixed(1)} s  rss ${r.peakRssMb.toFixed(0)} MB\n`,
    );
    await deleteIndex(es, names.peer);
  }
} finally {
  await site.close();
  await cleanupRun(redis, es, names);
  redis.disconnect();
  await es.close();
}
