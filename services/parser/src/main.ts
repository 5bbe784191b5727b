import { RawArchive, createRuntime, runStageProcess } from '@paperline/core';
import { basesForArchivedPage, parsePage, routeUrl } from '@paperline/sources';
import { processParse, type ParseDeps } from './process.js';

const rt = createRuntime('parser');
const { cfg } = rt;
const archive = new RawArchive(rt.es, cfg.archiveIndex);
const deps: ParseDeps = {
  readBody: (sha, url) => archive.getText(sha, url),
  parse: (input, source) => parsePage(input, basesForArchivedPage(input.url, source, cfg.bases)),

  route: (url) => routeUrl(url, cfg.bases),
  markParsed: (crawlId, url) => rt.crawls.markParsed(crawlId, url),
  markYield: (crawlId, source, url, n) => rt.crawls.markYield(crawlId, source, url, n),
  quarantine: (f) =>
    rt.crawls.quarantine({ ...f, stage: 'parse', code: 'INVALID_RECORD', at: new Date().toISOString() }),
};
runStageProcess(rt, 'parse', (job, ctx) => processParse(job, deps, ctx), {
  concurrency: cfg.concurrency.parse,
});
