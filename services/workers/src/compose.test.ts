import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVICE_KINDS } from '@paperline/contracts';

/** docker-compose.yml cannot be run here (no Docker engine); this keeps its services in step. */
describe('docker-compose.yml', () => {
  const compose = readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8');

  it('runs one service for every worker kind and the scheduler, and none for a kind that does not exist', () => {
    const kinds = [...compose.matchAll(/command: \['workers', '--only', '([a-z]+)'\]/g)].map((m) => m[1]);
    expect(kinds.sort()).toEqual([...SERVICE_KINDS].sort());
  });

  it('runs the Elasticsearch major the client speaks', () => {
    expect(compose).toMatch(/image: docker\.elastic\.co\/elasticsearch\/elasticsearch:9\.\d+\.\d+/);
  });
});
