import { loadConfig, type PaperlineConfig } from '@paperline/core/config';
import { createPaperReader, type PaperReader } from '@paperline/core/es/reader';
import type { QueryEmbedder } from '@paperline/core/es/search';

/**
 * What `search`, `get` and `similar` need: the configuration, a reader of the papers index and,
 * for semantic search, the embedding model (loaded on first use only). It loads neither BullMQ,
 * ioredis nor the Elasticsearch client, so those commands answer quickly.
 */
export class QueryContext {
  readonly cfg: PaperlineConfig;
  readonly papers: PaperReader;
  private embedder:
    Promise<{ embed(texts: string[]): Promise<Float32Array[]>; close(): Promise<void> }> | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.cfg = loadConfig(env);
    this.papers = createPaperReader(this.cfg.elasticsearch);
  }

  /**
   * The query embedder, the model loaded once; rejects with `MODEL_MISSING` or `MODEL_INVALID`
   * (naming the file and how to get it) when set-up has not put the model in place.
   */
  async queryEmbedder(): Promise<QueryEmbedder> {
    this.embedder ??= import('@paperline/embeddings').then(({ Embedder }) => Embedder.load());
    const embedder = await this.embedder;
    return async (text) => (await embedder.embed([text]))[0]!;
  }

  /** Nothing stays open between the reader's requests; the model, if loaded, is freed. */
  async close(): Promise<void> {
    await (await this.embedder?.catch(() => undefined))?.close();
  }
}
