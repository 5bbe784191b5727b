import { readFileSync, readdirSync } from 'node:fs';
import { STAGES, SCHEDULE_QUEUE } from '@paperline/contracts';
import { describe, expect, it } from 'vitest';
import { RedisKeys } from './keys.js';
import { slotOf } from './slots.js';

/**
 * Redis Cluster runs a script, a MULTI or a pipeline only when its keys share a slot. These tests
 * compute the slots of the keys `RedisKeys` builds: for every Lua script in packages/core/lua (the
 * KEYS its header lists, matched to the builder that makes each), and for the key families that
 * transactions and BullMQ span. A new script or key that would break a cluster fails here.
 */

const LUA_DIR = new URL('../../lua/', import.meta.url);
const PREFIX = 'paperline';
const keys = new RedisKeys(PREFIX);

/** Stand-ins for a builder's arguments, so its output shows where each argument goes. */
const marker = (i: number) => `§${i}§`;

/** One key shape `RedisKeys` builds: a method or getter (and a part, for `crawl`'s record). */
interface Builder {
  name: string;
  part?: string;
  arity: number;
  build(args: string[]): string;
}

/** Every key builder of `RedisKeys` (SCAN patterns and the BullMQ prefix left out). */
function builders(): Builder[] {
  const out: Builder[] = [];
  const proto = RedisKeys.prototype as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor' || name === 'queuePrefix') continue;
    const desc = Object.getOwnPropertyDescriptor(proto, name)!;
    const call = desc.get
      ? () => desc.get!.call(keys) as unknown
      : (args: string[]) => (desc.value as (...a: string[]) => unknown).apply(keys, args);
    const arity = desc.get ? 0 : (desc.value as (...a: unknown[]) => unknown).length;
    const sample = call(Array.from({ length: arity }, (_, i) => marker(i)));
    const parts = typeof sample === 'string' ? [undefined] : Object.keys(sample as object);
    for (const part of parts) {
      const build = (args: string[]) => {
        const v = call(args);
        return part === undefined ? (v as string) : (v as Record<string, string>)[part]!;
      };
      const shape = build(Array.from({ length: arity }, (_, i) => marker(i)));
      if (shape.includes('*')) continue;
      out.push({ name, ...(part ? { part } : {}), arity, build });
    }
  }
  return out;
}

/** A builder's output for the marker arguments, without the prefix and the braces of hash tags. */
const bare = (key: string) => key.slice(PREFIX.length + 1).replace(/[{}]/g, '');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One KEYS entry of a script's header: `KEYS[2] crawl:<id>:open …` or `KEYS[1..n] paper:<id> …`. */
interface KeyDecl {
  index: string;
  variadic: boolean;
  template: string;
}

function keyDecls(file: string): KeyDecl[] {
  const text = readFileSync(new URL(file, LUA_DIR), 'utf8');
  const header = text.slice(0, text.indexOf(']]'));
  return [...header.matchAll(/^\s*KEYS\[(\d+(?:\.\.\w+)?)\]\s+(\S+)/gm)].map((m) => ({
    index: m[1]!,
    variadic: m[1]!.includes('..'),
    template: m[2]!,
  }));
}

/** How a KEYS entry is built: the builder, and per argument a `<placeholder>` or a literal. */
interface Resolved {
  builder: Builder;
  args: string[];
}

/** The builder whose shape the template has (the most specific when several fit). */
function resolve(template: string, all: Builder[]): Resolved | undefined {
  const wanted = template.replace(/[{}]/g, '');
  let best: { r: Resolved; literal: number } | undefined;
  for (const builder of all) {
    const shape = bare(builder.build(Array.from({ length: builder.arity }, (_, i) => marker(i))));
    const order: number[] = [];
    const pattern = shape
      .split(/(§\d+§)/)
      .map((piece) => {
        const m = /^§(\d+)§$/.exec(piece);
        if (!m) return escape(piece);
        order.push(Number(m[1]));
        return '(.+?)';
      })
      .join('');
    const match = new RegExp(`^${pattern}$`).exec(wanted);
    if (!match) continue;
    const args = new Array<string>(builder.arity).fill('');
    order.forEach((argIndex, g) => (args[argIndex] = match[g + 1]!));
    const literal = shape.replace(/§\d+§/g, '').length;
    if (!best || literal > best.literal) best = { r: { builder, args }, literal };
  }
  return best?.r;
}

/** Sample values of a placeholder: distinct per placeholder name and per trial. */
const sampleValue = (placeholder: string, trial: number) =>
  `${placeholder.slice(1, -1)}-${trial}-${(trial * 7919 + placeholder.length * 104_729).toString(36)}`;

const concrete = (r: Resolved, value: (placeholder: string) => string) =>
  r.builder.build(r.args.map((a) => (/^<[^>]+>$/.test(a) ? value(a) : a)));

const luaFiles = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua'));
const allBuilders = builders();

describe('every Lua script keeps the keys of one call in one slot', () => {
  it('finds scripts and the KEYS each header declares', () => {
    expect(luaFiles.length).toBeGreaterThan(0);
    for (const f of luaFiles)
      expect(keyDecls(f).length, `${f}: no KEYS[…] lines in its header`).toBeGreaterThan(0);
  });

  for (const file of luaFiles) {
    it(file, () => {
      const decls = keyDecls(file).map((d) => {
        const r = resolve(d.template, allBuilders);
        expect(
          r,
          `${file} KEYS[${d.index}] '${d.template}': no RedisKeys builder makes this key`,
        ).toBeDefined();
        return { ...d, r: r! };
      });
      const fixed = decls.filter((d) => !d.variadic);
      const variadic = decls.filter((d) => d.variadic);
      for (let trial = 0; trial < 20; trial++) {
        const fixedKeys = fixed.map((d) => concrete(d.r, (p) => sampleValue(p, trial)));
        const slots = new Set(fixedKeys.map(slotOf));
        expect(
          slots.size,
          `${file}: KEYS ${JSON.stringify(fixedKeys)} span ${slots.size} slots`,
        ).toBeLessThanOrEqual(1);
        // Keys given in any number must join the fixed keys' slot; alone, callers group them by slot.
        if (fixedKeys.length === 0) continue;
        for (const d of variadic) {
          const more = [0, 1, 2].map((n) => concrete(d.r, (p) => sampleValue(p, trial * 3 + n + 100)));
          for (const k of more)
            expect(slotOf(k), `${file}: ${k} beside ${fixedKeys[0]}`).toBe(slotOf(fixedKeys[0]!));
        }
      }
    });
  }
});

describe('key families', () => {
  it("a crawl's books share the crawl's slot (its transactions span them), and crawls spread", () => {
    const crawlSlots = new Set<number>();
    for (const id of ['c20250314101500-3fa2b1', 'c20250315000000-000000', 'c20990101235959-ffffff']) {
      const slots = new Set(Object.values(keys.crawl(id)).map(slotOf));
      expect(slots.size, id).toBe(1);
      crawlSlots.add([...slots][0]!);
    }
    expect(crawlSlots.size).toBe(3);
  });

  it("each queue's BullMQ keys share its slot, and the queues spread over slots", () => {
    const types = [
      '',
      'wait',
      'active',
      'paused',
      'meta',
      'id',
      'events',
      'delayed',
      'prioritized',
      'pc',
      'marker',
    ];
    const more = [
      'completed',
      'failed',
      'stalled',
      'stalled-check',
      'limiter',
      'repeat',
      'de',
      'metrics',
      'job-1.fetch.x',
    ];
    const queues = [...STAGES, SCHEDULE_QUEUE];
    const slots = queues.map((q) => {
      const s = new Set([...types, ...more].map((t) => slotOf(keys.queue(q, t))));
      expect(s.size, q).toBe(1);
      return [...s][0]!;
    });
    expect(new Set(slots).size).toBe(queues.length);
  });

  it('the metrics hashes share one slot (flushed in one pipeline, folded by one script)', () => {
    const names = ['paperline_job_duration_seconds', 'paperline_papers_total', 'papers_folded', 'x'];
    expect(new Set(names.map((n) => slotOf(keys.metric(n)))).size).toBe(1);
  });

  it("papers' cache entries and failure records spread, one slot per key", () => {
    const ids = Array.from({ length: 50 }, (_, i) => `arxiv:2501.${String(i).padStart(5, '0')}`);
    expect(new Set(ids.map((id) => slotOf(keys.paper(id)))).size).toBeGreaterThan(40);
    expect(new Set(ids.map((id) => slotOf(keys.failure(id)))).size).toBeGreaterThan(40);
  });

  it('enrichment claims share the {enrich} slot: one script claims ids and queues them together', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `2501.${String(i).padStart(5, '0')}`);
    expect(new Set(ids.map((id) => slotOf(keys.enrichClaim(id)))).size).toBe(1);
  });

  it('matches a header template to its builder, and finds none for a key no builder makes', () => {
    expect(resolve('crawl:<id>:jobs', allBuilders)?.builder).toMatchObject({ name: 'crawl', part: 'jobs' });
    expect(resolve('metrics:papers_folded', allBuilders)?.args).toEqual(['papers_folded']);
    expect(resolve('nowhere:<id>', allBuilders)).toBeUndefined();
  });
});
