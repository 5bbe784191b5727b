import { describe, expect, it } from 'vitest';
import type { Stage } from '@paperline/contracts';
import { forward, LocalStages, type LocalStage } from './chain.js';
import type { Enqueuer } from './enqueuer.js';
import type { Emit } from './routing.js';

const stage = { processor: async () => ({ outcome: 'indexed' as const }), timeoutMs: 1000 };

describe('LocalStages', () => {
  it('chains the main line only: fetch → parse → dedupe → index', () => {
    const local = new LocalStages();
    for (const s of ['fetch', 'parse', 'dedupe', 'index', 'embed'] as const) local.add(s, stage);
    expect(local.chained('fetch', 'parse')).toBe(stage);
    expect(local.chained('dedupe', 'index')).toBe(stage);
    expect(local.chained('parse', 'fetch')).toBeUndefined();
    expect(local.chained('dedupe', 'embed')).toBeUndefined();
    expect(local.chained('embed', 'index')).toBeUndefined();
  });

  it('says whether another stage of the process chains into a stage (the indexer sends early only then)', () => {
    const alone = new LocalStages();
    alone.add('index', stage);
    expect(alone.chainsInto('index')).toBe(false);
    const withDedupe = new LocalStages();
    withDedupe.add('dedupe', stage);
    withDedupe.add('index', stage);
    expect(withDedupe.chainsInto('index')).toBe(true);
    const off = new LocalStages(false);
    off.add('dedupe', stage);
    off.add('index', stage);
    expect(off.chainsInto('index')).toBe(false);
    expect(off.chained('dedupe', 'index')).toBeUndefined();
  });
});

const log = { child: () => log, info: () => undefined, debug: () => undefined, warn: () => undefined };
const run = { shutdown: undefined, log: log as never };
const emit = (stage: Stage, url: string): Emit => ({ stage, payload: { crawlId: 'c1', url } }) as never;
const urlOf = (p: unknown): string => (p as { url: string }).url;

/** A stage run in place that records itself in `events` and emits what `emits` gives. */
function recording(events: string[], name: string, emits: (p: unknown) => Emit[] = () => []): LocalStage {
  return {
    timeoutMs: 10_000,
    processor: async (p: unknown) => {
      events.push(`${name} ${urlOf(p)}`);
      return { outcome: 'done', emit: emits(p) } as never;
    },
  };
}

function recordingEnqueuer(events: string[]): Enqueuer {
  return {
    enqueue: async (from: Stage, emits: Emit[]) => {
      events.push(`queue ${from} > ${emits.map((e) => `${e.stage} ${urlOf(e.payload)}`).join(', ')}`);
      return [];
    },
  } as unknown as Enqueuer;
}

describe('forward', () => {
  it('runs what this process chains depth first, and queues the rest after the stage that emitted it', async () => {
    const events: string[] = [];
    const local = new LocalStages();
    local.add(
      'parse',
      recording(events, 'parse', (p) => [emit('fetch', `${urlOf(p)}/next`), emit('dedupe', urlOf(p))]),
    );
    local.add(
      'dedupe',
      recording(events, 'dedupe', (p) => [emit('index', urlOf(p))]),
    );
    local.add('index', recording(events, 'index'));
    await forward('fetch', [emit('parse', 'a'), emit('parse', 'b')], run, {
      enqueuer: recordingEnqueuer(events),
      local,
    });
    expect(events).toEqual([
      'parse a',
      'queue parse > fetch a/next',
      'dedupe a',
      'index a',
      'parse b',
      'queue parse > fetch b/next',
      'dedupe b',
      'index b',
    ]);
  });

  it('queues a chained job that failed as the job it would have been, and runs nothing after it here', async () => {
    const events: string[] = [];
    const local = new LocalStages();
    local.add(
      'parse',
      recording(events, 'parse', (p) => [emit('dedupe', urlOf(p))]),
    );
    local.add('dedupe', {
      timeoutMs: 10_000,
      processor: async () => {
        events.push('dedupe a');
        throw new Error('redis went away');
      },
    });
    local.add('index', recording(events, 'index'));
    await forward('fetch', [emit('parse', 'a')], run, { enqueuer: recordingEnqueuer(events), local });
    expect(events).toEqual(['parse a', 'dedupe a', 'queue parse > dedupe a']);
  });
});
