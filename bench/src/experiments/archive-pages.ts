/**
 * What the archive experiments share: the synthetic listing pages they archive, written as a crawl
 * writes them, and waiting until Elasticsearch has what they wrote in segments.
 */
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import type { ArchivedPage } from '@paperline/core/es';
import { renderDailyPage } from '../html.js';
import { dateOf, pageEntries } from '../model.js';

/** `count` listing pages of days the crawls do not use (seed 7), as a fetcher hands them to the archive. */
export function archivedPages(count: number): ArchivedPage[] {
  return Array.from({ length: count }, (_, p) => {
    const date = dateOf(p + 5000);
    const body = Buffer.from(renderDailyPage('http://127.0.0.1:1', date, null, pageEntries(7, p + 5000)));
    const url = `http://127.0.0.1:1/papers/date/${date}`;
    return {
      url,
      finalUrl: url,
      sha256: createHash('sha256').update(body).digest('hex'),
      status: 200,
      contentType: 'text/html; charset=utf-8',
      fetchedAt: new Date().toISOString(),
      source: 'hf',
      size: body.length,
      body,
    };
  });
}

/** Runs `f` for 0 … count-1, 8 at a time, at most `perSecond` a second (Infinity: no pacing). */
export async function paced(
  count: number,
  perSecond: number,
  f: (i: number) => Promise<unknown>,
): Promise<void> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = next++;
        const due = started + (i * 1000) / perSecond - performance.now();
        if (due > 0) await delay(due);
        await f(i);
      }
    }),
  );
}

/** Flushes the indices and waits until no merge runs on them. */
export async function settle(es: Client, indices: string[]): Promise<void> {
  await es.indices.flush({ index: indices });
  for (;;) {
    const s = await es.indices.stats({ index: indices, metric: 'merge' });
    if ((s._all.total?.merges?.current ?? 0) === 0) return;
    await delay(200);
  }
}
