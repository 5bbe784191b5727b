import { describe, expect, it } from 'vitest';
import { StackError } from './errors.js';
import { DEFAULT_ES_VERSION, defaultStackDir, resolveStackOptions } from './options.js';

const base = { redisUrl: 'redis://127.0.0.1:6379', elasticsearchUrl: 'http://127.0.0.1:9200' };

describe('resolveStackOptions', () => {
  it('applies the documented defaults', () => {
    const o = resolveStackOptions(base, {});
    expect(o).toMatchObject({
      esVersion: DEFAULT_ES_VERSION,
      heapMin: '512m',
      heapMax: '1g',
      timeoutMs: 120_000,
    });
    expect(o.javaHome).toBeUndefined();
    expect(o.stackDir).toBe(defaultStackDir());
  });

  it('takes PAPERLINE_* environment variables, and options over them', () => {
    const env = {
      PAPERLINE_STACK_DIR: '/srv/stack',
      PAPERLINE_ES_VERSION: '8.18.0',
      PAPERLINE_JAVA_HOME: '/opt/jdk21',
    };
    expect(resolveStackOptions(base, env)).toMatchObject({
      stackDir: '/srv/stack',
      esVersion: '8.18.0',
      javaHome: { home: '/opt/jdk21', source: 'PAPERLINE_JAVA_HOME' },
    });
    expect(
      resolveStackOptions({ ...base, stackDir: '/tmp/s', esVersion: '8.19.21', javaHome: '/opt/j' }, env),
    ).toMatchObject({
      stackDir: '/tmp/s',
      esVersion: '8.19.21',
      javaHome: { home: '/opt/j', source: 'the javaHome option' },
    });
  });

  it('uses /var/lib for root and the home directory otherwise', () => {
    expect(defaultStackDir(true, '/root')).toBe('/var/lib/paperline/stack');
    expect(defaultStackDir(false, '/home/ada')).toBe('/home/ada/.paperline/stack');
  });

  it('rejects malformed values with StackError', () => {
    expect(() => resolveStackOptions({ ...base, esVersion: 'latest' }, {})).toThrow(StackError);
    expect(() => resolveStackOptions({ ...base, heapMax: '1 GB' }, {})).toThrow(/heapMax/);
    expect(() => resolveStackOptions({ ...base, timeoutMs: 0 }, {})).toThrow(/timeoutMs/);
  });
});
