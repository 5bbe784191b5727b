import type { FastifyPluginAsync } from 'fastify';
import { SearchParamsSchema, type SearchParams, type SearchResult } from '@paperline/core/es/search';

/** What the search routes call (core's `searchPapers` and `getPaper`, bound to a client and alias). */
export interface SearchDeps {
  search: (params: SearchParams) => Promise<SearchResult>;
  getPaper: (id: string) => Promise<Record<string, unknown> | null>;
}

/** True for Elasticsearch's answer when the alias does not exist yet (nothing crawled). */
export function isIndexMissing(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('meta' in err)) return false;
  const meta = (err as { meta?: { statusCode?: unknown; body?: { error?: { type?: unknown } } } }).meta;
  return meta?.statusCode === 404 && meta.body?.error?.type === 'index_not_found_exception';
}

/** `<param>: <what is wrong>`, without repeating the parameter's name. */
export function paramMessage(param: string, message: string): string {
  const m = message.startsWith(`${param} `) ? message.slice(param.length + 1) : message;
  return `${param}: ${m}`;
}

const EMPTY_FACETS = { categories: [], year: [], source: [] };

/** `GET /api/search` and `GET /api/papers/:id`; user input only ever fills core's query builder. */
export const searchRoutes: FastifyPluginAsync<SearchDeps> = async (app, deps) => {
  app.get('/api/search', async (req, reply) => {
    const parsed = SearchParamsSchema.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue?.path.length ? String(issue.path[0]) : 'query';
      return reply
        .code(400)
        .send({ error: 'bad_request', message: paramMessage(param, issue?.message ?? 'invalid') });
    }
    const p = parsed.data;
    if (p.from && p.to && p.from > p.to) {
      return reply.code(400).send({ error: 'bad_request', message: `to: is before from (${p.from})` });
    }
    let res: SearchResult;
    try {
      res = await deps.search(p);
    } catch (err) {
      if (!isIndexMissing(err)) throw err;
      res = { total: 0, hits: [], facets: EMPTY_FACETS };
    }
    return { total: res.total, page: p.page, size: p.size, hits: res.hits, facets: res.facets };
  });

  // A wildcard, so that DOIs and old-style arXiv ids work with their slashes encoded or not.
  app.get('/api/papers/*', async (req, reply) => {
    const id = ((req.params as { '*'?: string })['*'] ?? '').trim();
    if (!id || id.length > 300) {
      return reply
        .code(400)
        .send({ error: 'bad_request', message: 'id: give a canonical id, an arXiv id or a DOI' });
    }
    let record: Record<string, unknown> | null;
    try {
      record = await deps.getPaper(id);
    } catch (err) {
      if (!isIndexMissing(err)) throw err;
      record = null;
    }
    if (!record) return reply.code(404).send({ error: 'not_found', message: `no paper ${id}` });
    return record;
  });
};
