import { RawArchive } from '@paperline/core/es';
import { lazyBody } from '@paperline/core/http';
import { defineStage } from '@paperline/core/pipeline';
import { basesForArchivedPage, parsePage, routeUrl } from '@paperline/sources';
import { processParse, type ParseDeps } from './process.js';

/** parse: an archived page → validated paper candidates, and the links worth following. */
export const parseStage = defineStage({
  queue: 'parse',
  worker: 'parser',
  concurrency: (cfg) => cfg.concurrency.parse,
  timeoutMs: (cfg) => cfg.jobTimeoutMs.parse,
  async wire(rt) {
    const { cfg } = rt;
    const archive = new RawArchive(rt.es, cfg.archiveIndex);
    const deps: ParseDeps = {
      readBody: (sha, url) => archive.getBody(sha, url),
      bodyOf: lazyBody,
      parse: (input, source) => parsePage(input, basesForArchivedPage(input.url, source, cfg.bases)),
      route: (url) => routeUrl(url, cfg.bases),
      markParsed: (crawlId, url) => rt.crawls.markParsed(crawlId, url),
      markYield: (crawlId, source, url, n) => rt.crawls.markYield(crawlId, source, url, n),
      quarantine: (f) =>
        rt.crawls.quarantine({ ...f, stage: 'parse', code: 'INVALID_RECORD', at: new Date().toISOString() }),
    };
    return { deps };
  },
  process: processParse,
});
