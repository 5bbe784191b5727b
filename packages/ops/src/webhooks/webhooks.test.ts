import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWebhooks } from './config.js';
import { passesFilter } from './delivery.js';
import { signatureHeader, verifySignature } from './signature.js';
import type { ChangeView } from '../changes.js';

const dir = mkdtempSync(join(tmpdir(), 'paperline-webhooks-'));
const SECRET = 'a-secret-of-at-least-16';
function configFile(content: unknown): string {
  const file = join(dir, `hooks-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('loadWebhooks', () => {
  it('reads endpoints with their defaults, and a secret from a file beside the config', () => {
    writeFileSync(join(dir, 'crm.secret'), `${SECRET}-from-file\n`);
    const file = configFile({
      endpoints: [
        { name: 'warehouse', url: 'https://hooks.example.org/in', secret: SECRET },
        {
          name: 'crm',
          url: 'http://crm.example.org/x',
          secretFile: 'crm.secret',
          filter: { ops: ['upsert'], newOnly: true },
          batchSize: 10,
        },
      ],
    });
    expect(loadWebhooks(file)).toEqual([
      { name: 'warehouse', url: 'https://hooks.example.org/in', secret: SECRET, filter: {}, batchSize: 100 },
      {
        name: 'crm',
        url: 'http://crm.example.org/x',
        secret: `${SECRET}-from-file`,
        filter: { ops: ['upsert'], newOnly: true },
        batchSize: 10,
      },
    ]);
  });

  it('has no endpoints when no file is configured', () => {
    expect(loadWebhooks('')).toEqual([]);
  });

  it.each([
    [{ endpoints: [{ name: 'a', url: 'ftp://x.org/', secret: SECRET }] }, /endpoints\[0\] \(a\)\.url/],
    [
      { endpoints: [{ name: 'a', url: 'https://x.org/', secret: SECRET, filter: { ops: ['update'] } }] },
      /\(a\)\.filter\.ops\.0/,
    ],
    [{ endpoints: [{ name: 'a', url: 'https://x.org/', secret: SECRET, batchSize: 0 }] }, /\(a\)\.batchSize/],
    [
      { endpoints: [{ name: 'a', url: 'https://x.org/' }] },
      /\(a\)\.secret: give exactly one of secret and secretFile/,
    ],
    [{ endpoints: [{ name: 'a', url: 'https://x.org/', secret: 'short' }] }, /\(a\)\.secret: at least 16/],
    [{ endpoints: [{ name: 'a b', url: 'https://x.org/', secret: SECRET }] }, /\(a b\)\.name/],
    [{ endpoints: [{ name: 'a', url: 'https://x.org/', secret: SECRET, colour: 1 }] }, /\(a\)/],
    [
      { endpoints: [{ name: 'a', url: 'https://x.org/', secretFile: 'missing.secret' }] },
      /endpoint 'a' secretFile: cannot read/,
    ],
    ['{ not json', /is not JSON/],
  ])('refuses %j as CONFIG_INVALID naming the endpoint and field', (content, message) => {
    const file = configFile(content);
    expect(() => loadWebhooks(file)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) }),
    );
  });

  it('never puts a secret in its messages', () => {
    const file = configFile({ endpoints: [{ name: 'a', url: 'nope', secret: 'a-very-secret-value-here' }] });
    expect(() => loadWebhooks(file)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('a-very-secret') }),
    );
  });

  it('refuses a missing file and doubled names', () => {
    expect(() => loadWebhooks(join(dir, 'none.json'))).toThrow(/PAPERLINE_WEBHOOKS: no such file/);
    const ep = { name: 'a', url: 'https://x.org/', secret: SECRET };
    expect(() => loadWebhooks(configFile({ endpoints: [ep, ep] }))).toThrow(/endpoint names must be unique/);
  });
});

describe('signatures', () => {
  const body = '{"endpoint":"a","changes":[]}';
  it('verify with the secret, the raw body and a recent timestamp only', () => {
    const header = signatureHeader(SECRET, body, 1_800_000_000);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, body, header, { now: 1_800_000_100 })).toBe(true);
    expect(verifySignature(`${SECRET}x`, body, header, { now: 1_800_000_100 })).toBe(false);
    expect(verifySignature(SECRET, `${body} `, header, { now: 1_800_000_100 })).toBe(false);
    expect(verifySignature(SECRET, body, header, { now: 1_800_001_000 })).toBe(false);
    expect(
      verifySignature(SECRET, body, header.replace('t=1800000000', 't=1800000900'), { now: 1_800_001_000 }),
    ).toBe(false);
    expect(verifySignature(SECRET, body, 'garbage', { now: 1_800_000_000 })).toBe(false);
  });
});

describe('passesFilter', () => {
  const upsert = (record: Record<string, unknown> | null): ChangeView => ({
    cursor: '1:1-0',
    id: 'arxiv:1',
    op: 'upsert',
    version: 1,
    at: '',
    record,
  });
  const tombstone: ChangeView = {
    cursor: '1:1-1',
    id: 'arxiv:1',
    op: 'withdrawn',
    version: 2,
    at: '',
    reason: 'x',
  };
  const fresh = { categories: ['cs.LG'], firstSeenAt: 't0', updatedAt: 't0' };
  const changed = { categories: ['cs.CL'], firstSeenAt: 't0', updatedAt: 't1' };

  it('passes everything without a filter', () => {
    expect([upsert(fresh), tombstone].every((c) => passesFilter({}, c))).toBe(true);
  });
  it('keeps the ops asked for', () => {
    expect(passesFilter({ ops: ['withdrawn'] }, tombstone)).toBe(true);
    expect(passesFilter({ ops: ['withdrawn'] }, upsert(fresh))).toBe(false);
  });
  it('keeps upserts in a category, and only new papers with newOnly', () => {
    expect(passesFilter({ categories: ['cs.LG', 'cs.AI'] }, upsert(fresh))).toBe(true);
    expect(passesFilter({ categories: ['cs.LG'] }, upsert(changed))).toBe(false);
    expect(passesFilter({ categories: ['cs.LG'] }, tombstone)).toBe(false);
    expect(passesFilter({ newOnly: true }, upsert(fresh))).toBe(true);
    expect(passesFilter({ newOnly: true }, upsert(changed))).toBe(false);
    expect(passesFilter({ newOnly: true }, upsert(null))).toBe(false);
  });
});
