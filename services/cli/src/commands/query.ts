import { PermanentError } from '@paperline/contracts';
import { SearchParamsSchema, getPaper, searchPapers } from '@paperline/core/es/search';
import type { QueryContext } from '../query-context.js';
import { printJson } from '../output.js';

export async function searchCommand(
  ctx: QueryContext,
  q: string,
  opts: { from?: string; to?: string; size?: string; json: boolean },
): Promise<number> {
  const parsed = SearchParamsSchema.safeParse({ q, from: opts.from, to: opts.to, size: opts.size });
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new PermanentError('INVALID_PAYLOAD', `bad search option --${i?.path.join('.')}: ${i?.message}`, {
      stage: 'cli',
    });
  }
  const res = await searchPapers(ctx.papers, ctx.cfg.index, parsed.data);
  if (opts.json) {
    printJson({ total: res.total, hits: res.hits.map((h) => ({ id: h.id, score: h.score, ...h.record })) });
    return 0;
  }
  process.stdout.write(`${res.total} papers match\n`);
  for (const h of res.hits) {
    const r = h.record as { title?: string; publishedAt?: string; upvotes?: number; authors?: string[] };
    const date = r.publishedAt?.slice(0, 10) ?? '          ';
    const authors =
      (r.authors ?? []).slice(0, 3).join(', ') + ((r.authors?.length ?? 0) > 3 ? ' et al.' : '');
    process.stdout.write(
      `${date}  ${h.id.padEnd(20)}  ${r.title ?? ''}\n${' '.repeat(34)}${authors}${r.upvotes !== undefined ? ` · ▲${r.upvotes}` : ''}\n`,
    );
  }
  return 0;
}

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
