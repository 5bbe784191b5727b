import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadApiOptions } from './config.js';

/** The names of the variables `loadApiOptions` reads from an empty environment. */
function variablesRead(): string[] {
  const read = new Set<string>();
  const env = new Proxy<NodeJS.ProcessEnv>(
    {},
    {
      get(_, name) {
        if (typeof name === 'string') read.add(name);
        return undefined;
      },
    },
  );
  loadApiOptions(env);
  return [...read];
}

describe('the API configuration reference', () => {
  it('docs/operations.md names every variable the API reads', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/operations.md', import.meta.url)), 'utf8');
    const read = variablesRead();
    expect(read).toContain('PAPERLINE_API_TOKEN');
    expect(read.filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  });
});
