import { describe, expect, it } from 'vitest';
import { GcTally, gcPerPage, parseGcLine } from './gc.js';

/** A scavenge as a worker printed it with --trace-gc-nvp during a crawl (Node 20). */
const SCAVENGE =
  '[10647:0x34a85eb0]    10243 ms: pause=2.9 mutator=40.2 gc=s reduce_memory=0 time_to_safepoint=0.00 heap.prologue=0.00 heap.epilogue=0.00 heap.epilogue.reduce_new_space=0.00 heap.external.prologue=0.00 heap.external.epilogue=0.00 heap.external_weak_global_handles=0.14 fast_promote=0.00 complete.sweep_array_buffers=0.00 scavenge=2.71 scavenge.free_remembered_set=0.03 scavenge.roots=0.07 scavenge.weak=0.00 scavenge.weak_global_handles.identify=0.00 scavenge.weak_global_handles.process=0.02 scavenge.parallel=2.13 scavenge.update_refs=0.00 scavenge.sweep_array_buffers=0.05 background.scavenge.parallel=2.65 background.unmapper=0.00 unmapper=0.00 incremental.steps_count=0 incremental.steps_took=0.0 scavenge_throughput=1617126 total_size_before=62334088 total_size_after=56276024 holes_size_before=29692624 holes_size_after=28959864 allocated=6715672 promoted=729960 new_space_survived=740888 nodes_died_in_new=170 nodes_copied_in_new=0 nodes_promoted=0 promotion_ratio=9.6% average_survival_ratio=21.6% promotion_rate=86.4% new_space_survive_rate_=9.7% new_space_allocation_throughput=143389.7 unmapper_chunks=0';
/** The start of a mark-compact's line from the same worker. */
const MARK_COMPACT =
  '[10647:0x34a85eb0]     9267 ms: pause=11.2 mutator=2.0 gc=mc reduce_memory=0 time_to_safepoint=0.00 heap.prologue=2.93 heap.embedder_tracing_epilogue=0.03 heap.epilogue=0.00 heap.epilogue.reduce_new_s';

describe('parseGcLine', () => {
  it("reads a collection's name=value pairs", () => {
    const f = parseGcLine(SCAVENGE);
    expect(f?.get('gc')).toBe('s');
    expect(f?.get('pause')).toBe('2.9');
    expect(f?.get('promoted')).toBe('729960');
  });

  it("leaves a worker's other output alone", () => {
    expect(parseGcLine('{"level":40,"msg":"chained dedupe did not finish here: queued instead"}')).toBeNull();
    expect(parseGcLine('workers ready in 3.5 s (pids 1, 2)')).toBeNull();
  });
});

describe('GcTally', () => {
  it('adds up each kind over the window since mark, and takes only collection lines', () => {
    const tally = new GcTally();
    expect(tally.take('pipeline', SCAVENGE)).toBe(true);
    tally.mark();
    expect(tally.take('pipeline', SCAVENGE)).toBe(true);
    expect(tally.take('pipeline', SCAVENGE)).toBe(true);
    expect(tally.take('pipeline', MARK_COMPACT)).toBe(true);
    expect(tally.take('embedder', 'a log line')).toBe(false);
    const t = tally.read().pipeline!;
    expect(t.scavenges).toBe(2);
    expect(t.promotedBytes).toBe(2 * 729960);
    expect(t.survivedBytes).toBe(2 * 740888);
    expect(t.scavengePauseMs).toBeCloseTo(5.8);
    expect(t.fullCollections).toBe(1);
    expect(t.fullPauseMs).toBeCloseTo(11.2);
    expect(tally.read().embedder).toBeUndefined();
  });

  it('gives the totals per page', () => {
    const tally = new GcTally();
    tally.take('pipeline', SCAVENGE);
    const perPage = gcPerPage(tally.read().pipeline!, 2);
    expect(perPage.scavenges).toBe(0.5);
    expect(perPage.promotedKb).toBeCloseTo(729960 / 1024 / 2, 2);
  });
});
