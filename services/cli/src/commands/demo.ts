import { startSnapshotSite } from '@paperline/snapshot-site';
import { stackUp } from '@paperline/stack';
import { searchPapers, SearchParamsSchema } from '@paperline/core/es/search';
import { CliContext } from '../context.js';
import { startCrawl } from '@paperline/ops';
import { waitAndReport } from './crawl.js';
import { stackOptions } from './stack.js';
import { startWorkers } from './workers.js';

const out = (s = '') => process.stdout.write(`${s}\n`);

/**
 * The main job on the embedded default: stack up, the four workers, a bundled snapshot of
 * Hugging Face daily pages served locally as HF_BASE_URL, a crawl with progress, and a report.
 */
export async function demoCommand(
  baseCtx: CliContext,
  opts: { keepWorkers?: boolean } = {},
): Promise<number> {
  out('Paperline demo — bringing the local stack up (Redis, Elasticsearch)…');
  const stack = await stackUp(stackOptions(baseCtx.cfg));
  out(
    `  redis ${stack.redis.url} · elasticsearch ${stack.elasticsearch.url}${stack.elasticsearch.version ? ` v${stack.elasticsearch.version}` : ''}`,
  );

  // Fixed ports, so a second demo finds the same URLs (conditional GETs, reprocessing); random
  // ones when they are taken.
  const site = await startSnapshotSite({ port: 8731, arxivPort: 8732 }).catch(() =>
    startSnapshotSite({ port: 0 }),
  );

  out(
    `Serving the bundled snapshot: Hugging Face (${site.days.length} listing days) at ${site.url}, arXiv at ${site.arxivBaseUrl}`,
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HF_BASE_URL: site.url,
    ARXIV_BASE_URL: site.arxivBaseUrl,
    ARXIV_API_URL: site.arxivApiUrl,
    // The stand-in is local: keep arXiv's one-request-per-3-s manners, just shorter.
    PAPERLINE_ARXIV_INTERVAL_MS: process.env.PAPERLINE_ARXIV_INTERVAL_MS ?? '300',

    PAPERLINE_HOST_INTERVAL_MS: process.env.PAPERLINE_HOST_INTERVAL_MS ?? '0',
    PAPERLINE_LOG_LEVEL: process.env.PAPERLINE_LOG_LEVEL ?? 'warn',
  };
  const ctx = new CliContext(env);
  const workers = startWorkers(['fetcher', 'parser', 'deduplicator', 'indexer'], env);
  try {
    const seeds = site.days.map((d) => `${site.url}/papers/date/${d}`);
    out(
      `Crawling ${seeds.length} daily listings through fetch → parse → dedupe → index (new papers are enriched from arXiv's API):`,
    );
    const crawlId = await startCrawl(ctx, seeds, { depth: 0, kind: 'demo' });
    const s = await waitAndReport(ctx, crawlId, { json: false, progress: true });
    const all = await searchPapers(
      ctx.es,
      ctx.cfg.index,
      SearchParamsSchema.parse({ q: '', sort: 'upvotes', size: 5 }),
    );
    out();
    const bySource = all.facets.source?.map((f) => `${f.key} ${f.count}`).join(' · ') ?? '';
    out(`Index '${ctx.cfg.index}' now holds ${all.total} papers (by source: ${bySource}).`);
    out(
      `  ${s.duplicates} repeat sightings were merged (a paper on several days, or on both sites); ${s.unchanged} papers were unchanged since an earlier run.`,
    );
    out('Most upvoted:');
    for (const h of all.hits) {
      const r = h.record as { title?: string; upvotes?: number; authors?: string[] };
      out(`  ▲${String(r.upvotes ?? 0).padStart(4)}  ${h.id.padEnd(18)} ${r.title ?? ''}`);
    }
    const q = 'transformer';
    const hits = await searchPapers(ctx.es, ctx.cfg.index, SearchParamsSchema.parse({ q, size: 3 }));
    out(`Sample search "${q}": ${hits.total} matches`);
    for (const h of hits.hits) out(`  ${h.id.padEnd(18)} ${(h.record as { title?: string }).title ?? ''}`);
    out();
    out(
      `Try: pnpm paperline search "${q}"   ·   pnpm paperline get ${hits.hits[0]?.id ?? 'arxiv:2402.13572'}   ·   pnpm paperline stack down`,
    );
    return s.failed > 0 ? 3 : 0;
  } finally {
    if (!opts.keepWorkers) await workers.stop();
    await ctx.close();
    await site.close();
  }
}
