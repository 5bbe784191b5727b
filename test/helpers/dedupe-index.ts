import type { IndexJob, PaperCandidate } from '@paperline/contracts';
import { createRuntime, type Runtime, type StageWiring } from '@paperline/core/pipeline';
import { dedupeStage, processDedupe, type DedupeDeps } from '@paperline/deduplicator';
import { indexStage, processIndex, type IndexDeps } from '@paperline/indexer';
import { testEnv } from './env.js';
import { stageContext as ctx } from './stage-context.js';

/**
 * The dedupe and index stages wired as their workers wire them, on a runtime of their own, for
 * calling their processors directly: one page at a time, in order, with no queue in between.
 */
export class DedupeAndIndex {
  private constructor(
    readonly rt: Runtime,
    readonly dedupe: StageWiring<DedupeDeps>,
    readonly index: StageWiring<IndexDeps>,
    private readonly alias: string,
  ) {}

  static async wire(
    service: string,
    names: { prefix: string; index: string; archive: string },
  ): Promise<DedupeAndIndex> {
    const rt = createRuntime(service, testEnv(names, { PAPERLINE_BULK_WAIT_MS: '10' }));
    const dedupe = await dedupeStage.wire(rt);
    const index = await indexStage.wire(rt);
    return new DedupeAndIndex(rt, dedupe, index, names.index);
  }

  /**
   * One page through dedupe (with `deps` over the wired ones) and, when it hands papers on, index;
   * then the index is refreshed, so what was written is searchable. Returns the index job.
   */
  async sight(
    jobId: string,
    candidates: PaperCandidate[],
    deps: Partial<DedupeDeps> = {},
  ): Promise<IndexJob | undefined> {
    const res = await processDedupe(
      { crawlId: 'ci', url: `http://127.0.0.1:1/${jobId}`, candidates },
      { ...this.dedupe.deps, ...deps },
      ctx(jobId),
    );
    const job = res.emit?.find((e) => e.stage === 'index')?.payload as IndexJob | undefined;
    if (job) await processIndex(job, this.index.deps, ctx(`${jobId}-index`));
    await this.rt.es.indices.refresh({ index: this.alias });
    return job;
  }

  async close(): Promise<void> {
    for (const w of [this.dedupe, this.index]) await w.close?.();
    await this.rt.close();
  }
}
