import { PermanentError, isPaperlineError } from '@paperline/contracts';
import {
  SearchParamsSchema,
  SimilarRequestSchema,
  findSimilar,
  getPaper,
  searchPapers,
  type QueryEmbedder,
  type SearchHit,
} from '@paperline/core/es/search';
import type { QueryContext } from '../query-context.js';
import { printJson } from '../output.js';

export async function searchCommand(
  ctx: QueryContext,
  q: string,
  opts: { from?: string; to?: string; size?: string; mode?: string; json: boolean },
): Promise<number> {
  const parsed = SearchParamsSchema.safeParse({
    q,
    from: opts.from,
    to: opts.to,
    size: opts.size,
    mode: opts.mode,
  });
  if (!parsed.success) throw badOption(parsed.error.issues[0]);
  const p = parsed.data;
  const wantsVectors = p.mode !== undefined ? p.mode !== 'keyword' : p.q.trim() !== '';
  const embed = wantsVectors ? await queryEmbedderFor(ctx, p.mode !== undefined) : undefined;
  const res = await searchPapers(ctx.papers, ctx.cfg.index, p, embed);
  if (opts.json) {
    printJson({
      mode: res.mode,
      total: res.total,
      hits: res.hits.map((h) => ({ id: h.id, score: h.score, ...h.record })),
    });
    return 0;
  }
  process.stdout.write(`${res.total} papers ${res.mode === 'keyword' ? 'match' : `ranked (${res.mode})`}\n`);
  printHits(res.hits);
  return 0;
}

/** `--option: what is wrong`, as a typed error. */
function badOption(issue: { path: PropertyKey[]; message: string } | undefined): PermanentError {
  return new PermanentError(
    'SEARCH_INVALID',
    `bad search option --${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
    { stage: 'cli' },
  );
}

/**
 * The model when asked for (`--mode semantic|hybrid`: its absence is an error naming the file), or
 * when it is there (no `--mode`: without it, keyword search, said on stderr).
 */
async function queryEmbedderFor(ctx: QueryContext, required: boolean): Promise<QueryEmbedder | undefined> {
  try {
    return await ctx.queryEmbedder();
  } catch (err) {
    if (required || !isPaperlineError(err)) throw err;
    process.stderr.write(`note: keyword search only: ${err.message}\n`);
    return undefined;
  }
}

function printHits(hits: SearchHit[]): void {
  for (const h of hits) {
    const r = h.record as { title?: string; publishedAt?: string; upvotes?: number; authors?: string[] };
    const date = r.publishedAt?.slice(0, 10) ?? '          ';
    const authors =
      (r.authors ?? []).slice(0, 3).join(', ') + ((r.authors?.length ?? 0) > 3 ? ' et al.' : '');
    process.stdout.write(
      `${date}  ${h.id.padEnd(20)}  ${r.title ?? ''}\n${' '.repeat(34)}${authors}${r.upvotes !== undefined ? ` · ▲${r.upvotes}` : ''}\n`,
    );
  }
}

/** `paperline similar <id>…` or `similar --text "…"`: the papers nearest those papers, or that text. */
export async function similarCommand(
  ctx: QueryContext,
  ids: string[],
  opts: { text?: string; size?: string; json: boolean },
): Promise<number> {
  const parsed = SimilarRequestSchema.safeParse({
    ...(opts.text !== undefined ? { text: opts.text } : {}),
    ...(ids.length > 0 ? { ids } : {}),
    size: opts.size,
  });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    const what = i?.path[0] === 'ids' ? 'ids' : i?.path[0] === 'size' ? '--size' : '--text';
    throw new PermanentError(
      'SEARCH_INVALID',
      `similar ${what}: ${i?.message ?? 'invalid'} (give <id>… or --text "…")`,
      {
        stage: 'cli',
      },
    );
  }
  // The model is needed only to embed a text; papers given by id bring their own vectors.
  const embed: QueryEmbedder = parsed.data.text !== undefined ? await ctx.queryEmbedder() : unusedEmbedder;
  const hits = await findSimilar(ctx.papers, ctx.cfg.index, parsed.data, embed);
  if (opts.json) printJson({ hits: hits.map((h) => ({ id: h.id, score: h.score, ...h.record })) });
  else printHits(hits);
  return 0;
}

const unusedEmbedder: QueryEmbedder = () => Promise.reject(new Error('no text to embed'));

export async function getCommand(ctx: QueryContext, id: string, opts: { json: boolean }): Promise<number> {
  const doc = await getPaper(ctx.papers, ctx.cfg.index, id);
  if (!doc) {
    process.stderr.write(`no paper known as ${id}\n`);
    return 4;
  }
  if (opts.json) printJson(doc);
  else process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  return 0;
}
