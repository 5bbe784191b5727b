import { afterAll, describe, expect, it } from 'vitest';
import { ReindexError, ShadowTarget, aliasTargets, reindexPapers } from '@paperline/core/es';
import { servicesFor } from '../helpers/services.js';

const { names, redis, es } = servicesFor('reindex-fail');
const legacy = `${names.index}-legacy`;

afterAll(async () => {
  await es.indices.delete({ index: legacy, ignore_unavailable: true });
});

/** An index made before the current template, holding a field the strict template refuses. */
async function legacyIndexWithAStrayField(): Promise<void> {
  await es.indices.create({
    index: legacy,
    mappings: { properties: { id: { type: 'keyword' }, contentHash: { type: 'keyword' } } },
    aliases: { [names.index]: { is_write_index: true } },
  });
  await es.bulk({
    refresh: true,
    operations: [
      { index: { _index: legacy, _id: 'arxiv:2401.00001' } },
      { id: 'arxiv:2401.00001', contentHash: 'a' },
      { index: { _index: legacy, _id: 'arxiv:2401.00002' } },
      { id: 'arxiv:2401.00002', contentHash: 'b', strayField: 'not in the template' },
    ],
  });
}

describe('reindex that fails partway', () => {
  it('stops the dual writes, deletes the half-built index, leaves the alias where it was, and says why', async () => {
    await legacyIndexWithAStrayField();
    const shadow = new ShadowTarget(redis, names.prefix, names.index, 10);

    const failure = await reindexPapers(es, shadow, names.index).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(ReindexError);
    const err = failure as ReindexError;
    expect(err.code).toBe('REINDEX_FAILED');
    expect(err.message).toContain('arxiv:2401.00002');
    expect(err.context.index).toBe(`${names.index}-v1-000001`);
    // What an indexer on any machine would see now: no shadow, so each write goes to one index.
    expect(await new ShadowTarget(redis, names.prefix, names.index, 0).current()).toBeNull();
    expect(await es.indices.exists({ index: `${names.index}-v1-000001` })).toBe(false);
    expect(await aliasTargets(es, names.index)).toEqual([legacy]);
  });
});
