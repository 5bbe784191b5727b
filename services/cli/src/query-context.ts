import { loadConfig, type PaperlineConfig } from '@paperline/core/config';
import { createPaperReader, type PaperReader } from '@paperline/core/es/reader';

/**
 * What `search` and `get` need: the configuration and a reader of the papers index. It loads
 * neither BullMQ, ioredis nor the Elasticsearch client, so those commands answer quickly.
 */
export class QueryContext {
  readonly cfg: PaperlineConfig;
  readonly papers: PaperReader;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.cfg = loadConfig(env);
    this.papers = createPaperReader(this.cfg.elasticsearch);
  }

  /** Nothing stays open between the reader's requests. */
  async close(): Promise<void> {}
}
