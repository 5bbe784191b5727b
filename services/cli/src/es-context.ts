import { loadConfig, type PaperlineConfig } from '@paperline/core/config';
import { createEsClient, type EsClient } from '@paperline/core/es-client';

/**
 * What the Elasticsearch-only commands (`search`, `get`) need: the configuration and a client
 * opened on first use. It loads neither BullMQ nor ioredis, so those commands start quickly.
 */
export class EsContext {
  readonly cfg: PaperlineConfig;
  private _es?: EsClient;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.cfg = loadConfig(env);
  }

  get es(): EsClient {
    return (this._es ??= createEsClient(this.cfg.elasticsearch));
  }

  async close(): Promise<void> {
    if (this._es) await this._es.close();
  }
}
