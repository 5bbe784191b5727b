import { describe, expect, it } from 'vitest';
import { ensureArchiveIndices, ensurePapersIndex } from '@paperline/core/es';
import { servicesFor } from '../helpers/services.js';

const { names, es } = servicesFor('layout');

async function layoutOf(index: string): Promise<{ shards: string; replicas: string; autoExpand: string }> {
  const res = await es.indices.getSettings({ index, flat_settings: true });
  const s = Object.values(res)[0]!.settings as Record<string, string>;
  return {
    shards: s['index.number_of_shards']!,
    replicas: s['index.number_of_replicas']!,
    autoExpand: s['index.auto_expand_replicas'] ?? 'unset',
  };
}

describe('index layout (PAPERLINE_INDEX_SHARDS, PAPERLINE_INDEX_REPLICAS)', () => {
  it('creates the indices with the shards asked for and replicas that follow the nodes, and moves existing ones to a new replica setting', async () => {
    const papers = await ensurePapersIndex(es, names.index, { shards: 2, replicas: '0-1' });
    await ensureArchiveIndices(es, names.archive, { shards: 2, replicas: '0-1' });
    // One node here: `0-1` means no replica, and the cluster stays green.
    for (const index of [papers, names.archive, `${names.archive}-urls`])
      expect(await layoutOf(index), index).toEqual({ shards: '2', replicas: '0', autoExpand: '0-1' });

    // A restart with another replica setting applies it to the existing indices (shards stay).
    await ensurePapersIndex(es, names.index, { shards: 5, replicas: '0' });
    expect(await layoutOf(papers)).toEqual({ shards: '2', replicas: '0', autoExpand: 'false' });
    const health = await es.cluster.health({ index: papers });
    expect(health.status).toBe('green');
  });
});
