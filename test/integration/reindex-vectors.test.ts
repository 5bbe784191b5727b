import { afterAll, describe, expect, it } from 'vitest';
import { ShadowTarget, aliasTargets, reindexPapers } from '@paperline/core/es';
import { servicesFor } from '../helpers/services.js';

const { names, redis, es } = servicesFor('reindex-vec');
const legacy = `${names.index}-legacy`;

afterAll(async () => {
  await es.indices.delete({ index: legacy, ignore_unavailable: true });
});

/** A unit vector of 384 dimensions, different for each seed. */
function unitVector(seed: number): number[] {
  const v = Array.from({ length: 384 }, (_, i) => Math.sin(seed * 7.1 + i * 0.37));
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function cosine(a: number[], b: number[]): number {
  return a.reduce((s, x, i) => s + x * b[i]!, 0) / (Math.hypot(...a) * Math.hypot(...b));
}

/**
 * An index as an earlier release made it: plain float HNSW, with vectors kept in `_source` (what
 * Elasticsearch 8 did) or left out of it (Elasticsearch 9's default).
 */
async function legacyIndexWithVectors(ids: string[], vectorsInSource: boolean): Promise<void> {
  const earlier = await es.indices.get({ index: `${names.index}-*`, allow_no_indices: true });
  for (const index of Object.keys(earlier)) await es.indices.delete({ index });
  await es.indices.create({
    index: legacy,
    settings: { 'index.mapping.exclude_source_vectors': !vectorsInSource },
    mappings: {
      properties: {
        id: { type: 'keyword' },
        contentHash: { type: 'keyword' },
        embedding: {
          properties: {
            vector: {
              type: 'dense_vector',
              dims: 384,
              similarity: 'cosine',
              index_options: { type: 'hnsw' },
            },
            textHash: { type: 'keyword' },
          },
        },
      },
    },
    aliases: { [names.index]: { is_write_index: true } },
  });
  await es.bulk({
    refresh: true,
    operations: ids.flatMap((id, i) => [
      { index: { _index: legacy, _id: id } },
      { id, contentHash: `h${i}`, embedding: { vector: unitVector(i), textHash: 'a'.repeat(64) } },
    ]),
  });
}

describe('reindex of an index with vectors', () => {
  it.each([
    ['in `_source` (Elasticsearch 8)', true],
    ['left out of `_source` (Elasticsearch 9)', false],
  ])(
    'moves every vector kept %s to the template index, where kNN finds each paper by it',
    async (_, inSource) => {
      const ids = ['arxiv:2401.00001', 'arxiv:2401.00002', 'arxiv:2401.00003'];
      await legacyIndexWithVectors(ids, inSource);

      await reindexPapers(es, new ShadowTarget(redis, names.prefix, names.index, 10), names.index);

      const [target] = await aliasTargets(es, names.index);
      expect(target).toBe(`${names.index}-v1-000001`);
      const mapping = await es.indices.getMapping({ index: target! });
      const vectorField = (
        mapping[target!]!.mappings.properties!.embedding as { properties: Record<string, unknown> }
      ).properties.vector as { index_options: { type: string } };
      expect(vectorField.index_options.type).toBe('bbq_hnsw');

      const got = await es.mget<{ embedding?: { vector: number[] } }>({
        index: names.index,
        ids,
        querystring: { _source_exclude_vectors: false },
      });
      got.docs.forEach((d, i) => {
        const vector = 'found' in d && d.found ? d._source?.embedding?.vector : undefined;
        expect(vector, ids[i]).toHaveLength(384);
        expect(cosine(vector!, unitVector(i))).toBeGreaterThan(0.9999);
      });
      await es.indices.refresh({ index: names.index });
      for (const [i, id] of ids.entries()) {
        const res = await es.search({
          index: names.index,
          knn: { field: 'embedding.vector', query_vector: unitVector(i), k: 1, num_candidates: 10 },
          _source: false,
        });
        expect(res.hits.hits[0]?._id).toBe(id);
      }
    },
  );
});
