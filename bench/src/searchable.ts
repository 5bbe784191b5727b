/**
 * When documents count as searchable. The pipeline (and the latency phase) is polled with `_count`
 * every `pollMs` WITHOUT forcing a refresh (its own refresh settings apply; the steady polling
 * also keeps the shard from going search-idle), and the end time is the start of the first poll
 * that sees every expected document: at most one poll interval plus one round trip late, never
 * early. The ceiling and the peer load with `refresh_interval: -1` and end with one refresh, then
 * one `_count` (`searchableAfterRefresh`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import { countDocs } from './infra.js';

export const now = (): number => performance.timeOrigin + performance.now();

export interface SearchableOptions {
  pollMs?: number;
  timeoutMs?: number;
  /** Stops waiting (e.g. the producer failed): resolves with what was seen. */
  stop?: () => boolean;
  onPoll?: (count: number) => void;
}

export interface Searchable {
  /** Epoch ms of the poll that first saw `expected` documents (or the last poll when stopped). */
  at: number;
  count: number;
  complete: boolean;
}

export async function waitSearchable(
  es: Client,
  index: string,
  expected: number,
  opts: SearchableOptions = {},
): Promise<Searchable> {
  const pollMs = opts.pollMs ?? 100;
  const deadline = now() + (opts.timeoutMs ?? 30 * 60_000);
  for (;;) {
    const at = now();
    const count = await countDocs(es, index);
    opts.onPoll?.(count);
    if (count >= expected) return { at, count, complete: true };
    if (opts.stop?.() || at > deadline) return { at, count, complete: false };
    await sleep(Math.max(0, pollMs - (now() - at)));
  }
}

/**
 * The end of a bulk load run with `refresh_interval: -1`: one refresh, then one `_count`. The
 * time is taken after the refresh returns, when every document it made visible is searchable.
 */
export async function searchableAfterRefresh(
  es: Client,
  index: string,
  expected: number,
): Promise<Searchable> {
  await es.indices.refresh({ index });
  return waitSearchable(es, index, expected, { stop: () => true });
}
