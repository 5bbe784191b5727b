import { getPapers } from '@paperline/core/es';
import { defineStage, PaperCache } from '@paperline/core/pipeline';
import { Embedder } from '@paperline/embeddings';
import { EmbedBatcher } from './batcher.js';
import { processEmbed, type EmbedDeps } from './process.js';

/** A batch that is not full leaves this long after its first text (an inference takes ~30 ms). */
const BATCH_WAIT_MS = 10;

/**
 * embed: a paper whose title or abstract changed → its sentence embedding, written with the whole
 * document at a new merge version. Loading the model checks its files: a missing or corrupt one
 * stops the stage from starting, naming the file and how to get it (`MODEL_MISSING`,
 * `MODEL_INVALID`). The model is loaded once per process; the texts of concurrent jobs
 * (`PAPERLINE_EMBED_CONCURRENCY`) share it through one {@link EmbedBatcher}, up to
 * `PAPERLINE_EMBED_BATCH` per inference. Off with `PAPERLINE_EMBED=0`.
 */
export const embedStage = defineStage({
  queue: 'embed',
  worker: 'embedder',
  enabled: (cfg) => cfg.embed,
  concurrency: (cfg) => cfg.concurrency.embed,
  timeoutMs: (cfg) => cfg.jobTimeoutMs.embed,
  async wire(rt) {
    const { cfg } = rt;
    // Batches fill from concurrent jobs only: more texts than jobs never wait together.
    const batch = Math.min(cfg.embedBatch, cfg.concurrency.embed);
    const embedder = await Embedder.load({ batch });
    const batcher = new EmbedBatcher((texts) => embedder.embed(texts), {
      maxTexts: batch,
      maxWaitMs: BATCH_WAIT_MS,
    });
    const cache = new PaperCache(rt.redis, cfg.queuePrefix);
    const deps: EmbedDeps = {
      load: async (id) =>
        (await cache.load([id], (missing) => getPapers(rt.es, cfg.index, missing))).get(id)!,
      attach: async (id, state, embedding) =>
        (await cache.commitStates([{ id, state, views: [], embedding }])).get(id) ?? null,
      embed: (text) => batcher.add(text),
      markEmbedded: (crawlId, ids) => rt.crawls.markEmbedded(crawlId, ids),
    };
    return {
      deps,
      close: async () => {
        await batcher.drain();
        await embedder.close();
      },
    };
  },
  process: processEmbed,
});
