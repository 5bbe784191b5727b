/** The OpenAPI 3.1 description served at `/openapi.json` (hand-written; kept beside the routes). */
import { DELIVER_QUEUE, SCHEDULE_QUEUE, STAGES } from '@paperline/contracts';

const error = (example: string) => ({
  description: example,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const queryParam = (name: string, description: string, schema: object) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

/** Reads behind the token accept it as Bearer or as the basic-auth password. */
const readAuth = [{ bearer: [] }, { basic: [] }];
/** State-changing requests accept only the Bearer header (basic auth is what a forged form sends). */
const actionAuth = [{ bearer: [] }];

/** The answer of both similar-papers endpoints: hits best first, each with its kNN score. */
const similarHits = {
  description: "the nearest papers, best first (`score`: Elasticsearch's cosine score, (1 + cosine) / 2)",
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['hits'],
        properties: {
          hits: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'record'],
              properties: {
                id: { type: 'string' },
                score: { type: ['number', 'null'] },
                record: { $ref: '#/components/schemas/PaperRecord' },
              },
            },
          },
        },
      },
    },
  },
};

export const OPENAPI = {
  openapi: '3.1.0',
  info: {
    title: 'Paperline API',
    version: '1.0.0',
    description:
      'Search the Paperline paper index, follow its changes, inspect the pipeline, retry failed jobs. ' +
      'Search, the change feed, metrics and health are public unless PAPERLINE_API_PROTECT_ALL=1; the overview needs PAPERLINE_API_TOKEN ' +
      'whenever one is set (Bearer, or basic auth with the token as password); state-changing requests ' +
      'need it as `Authorization: Bearer <token>` (basic auth and query-string tokens are refused).',
  },
  paths: {
    '/api/search': {
      get: {
        summary:
          "Search by keyword, by meaning (kNN over the papers' vectors) or both fused, with filters and facets",
        operationId: 'searchPapers',
        parameters: [
          queryParam('q', 'words to search for (empty: every paper)', { type: 'string', maxLength: 500 }),
          queryParam('from', 'published on or after (YYYY-MM-DD)', { type: 'string', format: 'date' }),
          queryParam('to', 'published on or before (YYYY-MM-DD)', { type: 'string', format: 'date' }),
          queryParam('category', 'an arXiv category, e.g. cs.CL', { type: 'string', maxLength: 64 }),
          queryParam('source', 'papers seen on this source', { type: 'string', enum: ['hf', 'arxiv'] }),
          queryParam('sort', 'order of the hits', {
            type: 'string',
            enum: ['relevance', 'date', 'upvotes'],
            default: 'relevance',
          }),
          queryParam('size', 'hits per page', { type: 'integer', minimum: 1, maximum: 100, default: 10 }),
          queryParam('page', 'page number', { type: 'integer', minimum: 1, maximum: 100, default: 1 }),
          queryParam(
            'mode',
            '`keyword` (BM25 over title, abstract, authors), `semantic` (the papers whose vectors are nearest ' +
              "the query's) or `hybrid` (both lists fused by reciprocal rank fusion, k = 60). Default: `hybrid` " +
              'for a query sorted by relevance when the server has the embedding model and the index holds vectors, ' +
              'else `keyword`. ' +
              'Semantic and hybrid need `q` and `sort=relevance`, and go 1000 deep (page × size); a paper not ' +
              'embedded yet is found by keyword only',
            { type: 'string', enum: ['keyword', 'semantic', 'hybrid'] },
          ),
        ],
        responses: {
          '200': {
            description:
              'one page of hits (`mode`: how they were ranked), the total and facets (over all keyword matches; ' +
              'over the ranked list in semantic mode)',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/SearchResult' } } },
          },
          '400': error('a parameter is invalid: `{error: "bad_request", message: "size: is at most 100"}`'),
          '503': error(
            'Elasticsearch did not answer (`unavailable`), or the embedding model is missing (`model_unavailable`)',
          ),
        },
      },
    },
    '/api/papers/{id}/similar': {
      get: {
        summary: 'The papers nearest one paper by meaning (kNN over the vectors; the paper itself left out)',
        operationId: 'similarToPaper',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            description:
              'e.g. `arxiv:2402.13572`, `2402.13572v3`, `hep-th/9901001`, `10.48550/arXiv.2402.13572` ' +
              '(slashes may be URL-encoded)',
            schema: { type: 'string' },
          },
          queryParam('size', 'hits', { type: 'integer', minimum: 1, maximum: 100, default: 10 }),
        ],
        responses: {
          '200': similarHits,
          '400': error('the size is invalid'),
          '404': error('no paper with that id: `{error: "not_found"}`'),
          '409': error(
            'the paper has no vector yet (the embed stage is behind, or off): `{error: "no_vector"}`',
          ),
          '503': error(
            'Elasticsearch did not answer, or the embedding model is missing (`model_unavailable`)',
          ),
        },
      },
    },
    '/api/similar': {
      post: {
        summary: "The papers nearest a text (an abstract pasted in) or a set of papers (their vectors' mean)",
        operationId: 'similarPapers',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                description: 'exactly one of `text` and `ids`',
                properties: {
                  text: { type: 'string', minLength: 1, maxLength: 20000, description: 'not blank' },
                  ids: {
                    type: 'array',
                    minItems: 1,
                    maxItems: 20,
                    items: { type: 'string' },
                    description: 'canonical ids, arXiv ids or DOIs; the papers themselves are left out',
                  },
                  size: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
                },
              },
            },
          },
        },
        responses: {
          '200': similarHits,
          '400': error(
            'neither or both of text and ids, a blank or over-long text, too many ids: `{error: "bad_request"}`',
          ),
          '404': error('a given id is unknown: `{error: "not_found", message: "no paper …"}`'),
          '409': error('a given paper has no vector yet: `{error: "no_vector"}`'),
          '503': error(
            'Elasticsearch did not answer, or the embedding model is missing (`model_unavailable`, naming the file)',
          ),
        },
      },
    },
    '/api/papers/{id}': {
      get: {
        summary: 'One paper by canonical id, arXiv id (with or without version) or DOI',
        operationId: 'getPaper',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            description:
              'e.g. `arxiv:2402.13572`, `2402.13572v3`, `hep-th/9901001`, `10.48550/arXiv.2402.13572` ' +
              '(slashes may be URL-encoded)',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': {
            description: 'the paper record (schema v1)',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/PaperRecord' } } },
          },
          '404': error('no paper with that id: `{error: "not_found"}`'),
        },
      },
    },
    '/api/changes': {
      get: {
        summary:
          'The change feed: every write to a paper (new, changed, withdrawn, deleted, purged) in write order, after a cursor',
        description:
          'Keep a copy of the index current without re-reading it: read from a cursor, apply each entry, ' +
          'read on from `next`. Every write is appended after Elasticsearch took it, so a reader following ' +
          'from any cursor sees every write, none skipped; within one paper versions only grow, and its last ' +
          "entry is its latest state. An upsert carries the paper's current record (read when the page is " +
          'read: it may be newer than the entry); tombstones (`withdrawn`, `deleted`, `purged`) carry a ' +
          'reason and no record. Delivery is at least once: apply entries by `version` (docs/change-feed.md).',
        operationId: 'getChanges',
        parameters: [
          queryParam(
            'after',
            "a cursor: the `next` of an earlier read or an entry's `cursor`; none (or `0`) for the beginning",
            { type: 'string', pattern: '^(0|\\d{1,17}:\\d{1,15}-\\d{1,15})$' },
          ),
          queryParam('limit', 'entries at most', {
            type: 'integer',
            minimum: 1,
            maximum: 1000,
            default: 100,
          }),
        ],
        responses: {
          '200': {
            description: 'the entries after the cursor, oldest first, and the cursor to read on from',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ChangesPage' } } },
          },
          '400': error(
            'the cursor is not one this feed gave out, or the limit is invalid: `{error: "bad_request", message: "after: …"}`',
          ),
          '410': error(
            'the entries after the cursor are gone (trimmed to PAPERLINE_FEED_MAX_ENTRIES, or lost with Redis): ' +
              '`{error: "cursor_expired"}`; start again from an export, then follow from its cursor',
          ),
          '503': error('Redis or Elasticsearch did not answer'),
        },
      },
    },
    '/api/overview': {
      get: {
        summary: 'Queues per stage (counts, backlog, throughput), failures by code, recent crawls',
        operationId: 'getOverview',
        security: readAuth,
        responses: {
          '200': {
            description: 'the overview',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '401': error('a token is set and the request does not carry it'),
        },
      },
    },
    '/api/failed/{jobId}/retry': {
      post: {
        summary: 'Retry one failed job (its crawl reopens)',
        operationId: 'retryJob',
        security: actionAuth,
        parameters: [{ name: 'jobId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'retried',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Retried' } } },
          },
          '401': error('missing or wrong Bearer token (basic auth is refused here)'),
          '403': error('no token configured: actions are disabled'),
          '404': error('no failed job with that id'),
        },
      },
    },
    '/api/failed/retry': {
      post: {
        summary: 'Retry every failed job with an error code',
        operationId: 'retryByCode',
        security: actionAuth,
        parameters: [
          {
            name: 'code',
            in: 'query',
            required: true,
            schema: { type: 'string' },
            description: 'e.g. HTTP_TIMEOUT',
          },
          queryParam('stage', 'only this queue', {
            type: 'string',
            enum: [...STAGES, SCHEDULE_QUEUE, DELIVER_QUEUE],
          }),
        ],
        responses: {
          '200': {
            description: 'retried',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Retried' } } },
          },
          '400': error('code missing or unknown'),
          '401': error('missing or wrong Bearer token (basic auth is refused here)'),
          '403': error('no token configured: actions are disabled'),
        },
      },
    },
    '/healthz': {
      get: { summary: 'Liveness: 200 while the process is up', responses: { '200': { description: 'up' } } },
    },
    '/readyz': {
      get: {
        summary: 'Readiness: 200 when Redis answers PING and Elasticsearch answers cluster health',
        responses: {
          '200': { description: 'ready' },
          '503': { description: 'not ready; `checks` says which failed' },
        },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (text format): queues, job durations, fetches, bulk requests, papers',
        responses: {
          '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer' },
      basic: { type: 'http', scheme: 'basic', description: 'any user name, the token as password' },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'string' }, message: { type: 'string' } },
      },
      Facet: {
        type: 'array',
        items: { type: 'object', properties: { key: { type: 'string' }, count: { type: 'integer' } } },
      },
      SearchResult: {
        type: 'object',
        required: ['mode', 'total', 'page', 'size', 'hits', 'facets'],
        properties: {
          mode: { type: 'string', enum: ['keyword', 'semantic', 'hybrid'] },
          total: {
            type: 'integer',
            description: 'keyword: papers that match; semantic and hybrid: papers in the ranked list',
          },
          page: { type: 'integer' },
          size: { type: 'integer' },
          hits: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'record'],
              properties: {
                id: { type: 'string' },
                score: { type: ['number', 'null'] },
                record: { $ref: '#/components/schemas/PaperRecord' },
                highlight: {
                  type: 'object',
                  additionalProperties: { type: 'array', items: { type: 'string' } },
                },
              },
            },
          },
          facets: {
            type: 'object',
            properties: {
              categories: { $ref: '#/components/schemas/Facet' },
              year: { $ref: '#/components/schemas/Facet' },
              source: { $ref: '#/components/schemas/Facet' },
            },
          },
        },
      },
      PaperRecord: {
        type: 'object',
        description: 'Record schema v1 (docs/record-schema.md)',
        required: ['id', 'title'],
        properties: {
          id: { type: 'string' },
          arxivId: { type: 'string' },
          arxivVersion: { type: 'integer' },
          doi: { type: 'string' },
          title: { type: 'string' },
          abstract: { type: 'string' },
          authors: { type: 'array', items: { type: 'string' } },
          authorCount: { type: 'integer' },
          publishedAt: { type: 'string', format: 'date-time' },
          categories: { type: 'array', items: { type: 'string' } },
          keywords: { type: 'array', items: { type: 'string' } },
          upvotes: { type: 'integer' },
          codeUrls: { type: 'array', items: { type: 'string' } },
          links: { type: 'object', additionalProperties: { type: 'string' } },
          versions: {
            type: 'array',
            items: {
              type: 'object',
              required: ['version'],
              properties: {
                version: { type: 'integer' },
                submittedAt: { type: 'string', format: 'date-time' },
                sizeKb: { type: 'integer' },
              },
            },
          },
          license: { type: 'string' },
          journalRef: { type: 'string' },
          comments: { type: 'string' },
          githubRepo: { type: 'string' },
          githubStars: { type: 'integer' },
          organization: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' }, fullname: { type: 'string' } },
          },
          aiSummary: { type: 'string' },
          linkedModelCount: { type: 'integer' },
          linkedDatasetCount: { type: 'integer' },
          linkedSpaceCount: { type: 'integer' },
          sources: { type: 'array', items: { type: 'object' } },
          withdrawn: { type: 'boolean' },
          firstSeenAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
          contentHash: { type: 'string' },
          embedding: {
            type: 'object',
            description:
              "sha256 of the title and abstract the paper's vector was computed from (the vector itself is not returned)",
            properties: { textHash: { type: 'string' } },
          },
        },
      },
      ChangesPage: {
        type: 'object',
        required: ['entries', 'next'],
        properties: {
          entries: { type: 'array', items: { $ref: '#/components/schemas/Change' } },
          next: {
            type: 'string',
            description:
              "the last entry's cursor, or the cursor given when there were none: read on after it",
          },
        },
      },
      Change: {
        type: 'object',
        required: ['cursor', 'id', 'op', 'version', 'at'],
        properties: {
          cursor: {
            type: 'string',
            description: 'reading after it returns the entries that follow this one',
          },
          id: { type: 'string', description: "the paper's canonical id" },
          op: {
            type: 'string',
            enum: ['upsert', 'withdrawn', 'deleted', 'purged'],
            description:
              '`upsert`: written (new or changed); `withdrawn`: written marked withdrawn (a tombstone); ' +
              '`deleted`: merged into another id, its document removed; `purged`: removed by `purge --withdrawn`',
          },
          version: {
            type: 'integer',
            description: "the write's external version (merge version); within one paper it only grows",
          },
          reason: {
            type: 'string',
            description: 'tombstones: why, e.g. `withdrawn on arxiv`, `merged into arxiv:…`',
          },
          at: { type: 'string', format: 'date-time', description: 'when the entry was appended' },
          record: {
            oneOf: [{ $ref: '#/components/schemas/PaperRecord' }, { type: 'null' }],
            description:
              "upserts only: the paper's current record when the page was read (null: it has no document any more, a tombstone follows)",
          },
          recordVersion: { type: 'integer', description: "upserts only: that record's version" },
        },
      },
      Retried: {
        type: 'object',
        properties: { retried: { type: 'integer' }, jobId: { type: 'string' }, stage: { type: 'string' } },
      },
    },
  },
} as const;
