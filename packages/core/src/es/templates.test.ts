import { describe, expect, it } from 'vitest';
import {
  addTemplateFields,
  concreteIndexName,
  layoutSettings,
  papersTemplate,
  type MappingWriter,
} from './templates.js';

/** Records the put-mapping requests it is given. */
function recordingClient(): MappingWriter & { requests: Array<Record<string, unknown>> } {
  const requests: Array<Record<string, unknown>> = [];
  return {
    requests,
    indices: {
      putMapping: (request) => {
        requests.push(request);
        return Promise.resolve({ acknowledged: true });
      },
    },
  };
}

describe('addTemplateFields', () => {
  const file = papersTemplate();

  it('puts the whole papers mapping on the indices of the same schema version', async () => {
    const es = recordingClient();
    const current = [
      concreteIndexName('papers', file.version, 1),
      concreteIndexName('papers', file.version, 2),
    ];
    await addTemplateFields(es, current, file);
    expect(es.requests).toEqual([{ index: current.join(','), ...file.template.mappings }]);
    const props = (file.template.mappings as { properties: Record<string, unknown> }).properties;
    for (const field of ['versions', 'license', 'journalRef', 'comments', 'githubStars', 'organization'])
      expect(props, field).toHaveProperty(field);
  });

  it('leaves indices of another schema version, or named otherwise, to a reindex', async () => {
    const es = recordingClient();
    await addTemplateFields(
      es,
      [concreteIndexName('papers', file.version + 1, 1), `papers-v${file.version}-1`, 'papers'],
      file,
    );
    expect(es.requests).toEqual([]);
  });
});

describe('layoutSettings', () => {
  it('sets a replica count, or a range Elasticsearch follows; shards only for a new index', () => {
    expect(layoutSettings({ replicas: '0-1' }, true)).toEqual({ auto_expand_replicas: '0-1' });
    expect(layoutSettings({ shards: 3, replicas: '2' }, true)).toEqual({
      number_of_shards: 3,
      auto_expand_replicas: false,
      number_of_replicas: 2,
    });
    expect(layoutSettings({ shards: 3, replicas: '0-all' }, false)).toEqual({
      auto_expand_replicas: '0-all',
    });
  });
});
