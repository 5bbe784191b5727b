import { getPapers } from '@paperline/core/es';
import { defineStage, PaperCache } from '@paperline/core/pipeline';
import { Embedder } from '@paperline/embeddings';
import { processEmbed, type EmbedDeps } from './process.js';

/**
 * embed: a paper whose title or abstract changed → its sentence embedding, written with the whole
 * document at a new merge version. Loading the model checks its files: a missing or corrupt one
 * stops the stage from starting, naming the file and how to get it (`MODEL_MISSING`,
 * `MODEL_INVALID`). Off with `PAPERLINE_EMBED=0`.
 */
export const embedStage = defineStage({
  queue: 'embed',
  worker: 'embedder',
  enabled: (cfg) => cfg.embed,
  concurrency: (cfg) => cfg.concurrency.embed,
  timeoutMs: (cfg) => cfg.jobTimeoutMs.embed,
  async wire(rt) {
    const { cfg } = rt;
    const embedder = await Embedder.load();
    const cache = new PaperCache(rt.redis, cfg.queuePrefix);
    const deps: EmbedDeps = {
      load: async (id) =>
        (await cache.load([id], (missing) => getPapers(rt.es, cfg.index, missing))).get(id)!,
      attach: async (id, state, embedding) =>
        (await cache.commitStates([{ id, state, views: [], embedding }])).get(id) ?? null,
      embed: async (text) => (await embedder.embed([text]))[0]!,
      markEmbedded: (crawlId, ids) => rt.crawls.markEmbedded(crawlId, ids),
    };
    return { deps, close: () => embedder.close() };
  },
  process: processEmbed,
});
