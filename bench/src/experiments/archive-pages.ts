/**
 * What the archive experiments share: the synthetic listing pages they archive, written as a crawl
 * writes them, waiting until Elasticsearch has what they wrote in segments, their variants run in
 * rotating order, and their cleanup.
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

/**
 * Runs `round` for every variant in each of `rounds` rounds, printing what it returns. The machine
 * drifts within a round, so the variants' order rotates: each takes each place in turn.
 */
export async function rotatedRounds<V>(
  rounds: number,
  variants: Record<string, V>,
  round: (name: string, variant: V, r: number) => Promise<string>,
): Promise<void> {
  const entries = Object.entries(variants);
  for (let r = 0; r < rounds; r++)
    for (let k = 0; k < entries.length; k++) {
      const [name, v] = entries[(k + r) % entries.length]!;
      console.log(await round(name, v, r));
    }
}

/** Deletes what an experiment left under `tag`: its indices, and its index templates when it made some. */
export async function dropExperiment(es: Client, tag: string): Promise<void> {
  const left = await es.indices
    .get({ index: `${tag}-*`, ignore_unavailable: true, allow_no_indices: true })
    .catch(() => ({}));
  if (Object.keys(left).length) await es.indices.delete({ index: Object.keys(left) });
  await es.indices.deleteIndexTemplate({ name: `${tag}-*` }).catch(() => undefined);
}
