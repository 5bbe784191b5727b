import { describe, expect, it } from 'vitest';
import { PaperlineError, STAGES, type Stage } from '@paperline/contracts';
import { checkRegistry, defineStage, type AnyStageDefinition } from './stage.js';

const stage = (queue: Stage): AnyStageDefinition =>
  defineStage({
    queue,
    worker: 'fetcher',
    concurrency: () => 1,
    timeoutMs: () => 1000,
    wire: async () => ({ deps: {} }),
    process: async () => ({ outcome: 'empty' }),
  }) as AnyStageDefinition;

describe('stage registry', () => {
  it('accepts one stage per queue of the routing table', () => {
    const registry = checkRegistry(STAGES.map(stage));
    expect([...registry.keys()]).toEqual([...STAGES]);
  });

  it('refuses a queue without a stage, naming it', () => {
    const err = (() => {
      try {
        checkRegistry(STAGES.filter((s) => s !== 'dedupe').map(stage));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(PaperlineError);
    expect((err as PaperlineError).code).toBe('CONFIG_INVALID');
    expect((err as PaperlineError).message).toContain(`queue 'dedupe' has no stage`);
  });

  it('refuses two stages on one queue', () => {
    expect(() => checkRegistry([...STAGES.map(stage), stage('index')])).toThrow(
      /queue 'index' has two stages/,
    );
  });

  it('refuses a stage whose queue has no route', () => {
    const stray = { ...stage('fetch'), queue: 'summarize' as Stage };
    expect(() => checkRegistry([...STAGES.map(stage), stray])).toThrow(/stage 'summarize' has no route/);
  });

  it('gives each stage the payload schema of its queue from the contracts', () => {
    const fetch = stage('fetch');
    expect(
      fetch.payload.safeParse({ crawlId: 'c1', url: 'https://huggingface.co/papers', depth: 0 }).success,
    ).toBe(true);
    expect(fetch.payload.safeParse({ crawlId: 'c1', url: 'not a url', depth: 0 }).success).toBe(false);
  });
});
