import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { isPaperlineError } from '@paperline/contracts';
import {
  SearchParamsSchema,
  SimilarRequestSchema,
  type SearchHit,
  type SearchParams,
  type SearchResult,
  type SimilarRequest,
} from '@paperline/core/es/search';

/** What the search routes call (core's `searchPapers`, `getPaper`, `findSimilar`, bound to a client and alias). */
export interface SearchDeps {
  search: (params: SearchParams) => Promise<SearchResult>;
  getPaper: (id: string) => Promise<Record<string, unknown> | null>;
  similar: (req: SimilarRequest) => Promise<SearchHit[]>;
}

/** The HTTP answer to each typed error of a search or a similar request. */
const ERROR_REPLIES: Record<string, { status: number; error: string }> = {
  SEARCH_INVALID: { status: 400, error: 'bad_request' },
  EMBED_INPUT_INVALID: { status: 400, error: 'bad_request' },
  PAPER_NOT_FOUND: { status: 404, error: 'not_found' },
  VECTOR_MISSING: { status: 409, error: 'no_vector' },
  MODEL_MISSING: { status: 503, error: 'model_unavailable' },
  MODEL_INVALID: { status: 503, error: 'model_unavailable' },
};

/** Sends the answer to a typed error; false for any other error (the caller rethrows it). */
function sendTypedError(reply: FastifyReply, err: unknown): boolean {
  const known = isPaperlineError(err) ? ERROR_REPLIES[err.code] : undefined;
  if (!known) return false;
  void reply.code(known.status).send({ error: known.error, message: (err as Error).message });
  return true;
}

/** A zod failure as `400 {error, message}` naming the parameter. */
function sendInvalid(
  reply: FastifyReply,
  issue: { path: PropertyKey[]; message: string } | undefined,
  where: string,
): FastifyReply {
  const param = issue?.path.length ? String(issue.path[0]) : where;
  return reply
    .code(400)
    .send({ error: 'bad_request', message: paramMessage(param, issue?.message ?? 'invalid') });
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
    if (!parsed.success) return sendInvalid(reply, parsed.error.issues[0], 'query');
    const p = parsed.data;
    if (p.from && p.to && p.from > p.to) {
      return reply.code(400).send({ error: 'bad_request', message: `to: is before from (${p.from})` });
    }
    let res: SearchResult;
    try {
      res = await deps.search(p);
    } catch (err) {
      if (sendTypedError(reply, err)) return reply;
      if (!isIndexMissing(err)) throw err;
      res = { mode: p.mode ?? 'keyword', total: 0, hits: [], facets: EMPTY_FACETS };
    }
    return {
      mode: res.mode,
      total: res.total,
      page: p.page,
      size: p.size,
      hits: res.hits,
      facets: res.facets,
    };
  });

  app.post('/api/similar', async (req, reply) => {
    const parsed = SimilarRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) return sendInvalid(reply, parsed.error.issues[0], 'body');
    return similar(reply, parsed.data);
  });

  async function similar(reply: FastifyReply, request: SimilarRequest) {
    try {
      return { hits: await deps.similar(request) };
    } catch (err) {
      if (sendTypedError(reply, err)) return reply;
      if (!isIndexMissing(err)) throw err;
      if (request.ids)
        return reply.code(404).send({ error: 'not_found', message: `no paper ${request.ids[0]}` });
      return { hits: [] };
    }
  }

  // A wildcard, so that DOIs and old-style arXiv ids work with their slashes encoded or not;
  // `/api/papers/<id>/similar` is the papers nearest that one.
  app.get('/api/papers/*', async (req, reply) => {
    const path = ((req.params as { '*'?: string })['*'] ?? '').trim();
    const similarOf = path.endsWith('/similar') ? path.slice(0, -'/similar'.length).trim() : undefined;
    if (similarOf !== undefined) {
      const parsed = SimilarRequestSchema.safeParse({
        ids: [similarOf],
        size: (req.query as { size?: unknown }).size,
      });
      if (!parsed.success) return sendInvalid(reply, parsed.error.issues[0], 'id');
      return similar(reply, parsed.data);
    }
    const id = path;
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
