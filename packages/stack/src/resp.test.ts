import { describe, expect, it } from 'vitest';
import { encodeCommand, parseReplies, redisVersionFromInfo } from './resp.js';

describe('RESP', () => {
  it('encodes commands as arrays of bulk strings', () => {
    expect(encodeCommand('AUTH', 'p w').toString()).toBe('*2\r\n$4\r\nAUTH\r\n$3\r\np w\r\n');
  });

  it('parses complete replies and leaves a partial one for later', () => {
    const buf = Buffer.from('+PONG\r\n-NOAUTH Authentication required.\r\n:3\r\n$12\r\nhello\r\nworl');
    const { replies, consumed } = parseReplies(buf);
    expect(replies).toEqual([
      { kind: 'simple', value: 'PONG' },
      { kind: 'error', value: 'NOAUTH Authentication required.' },
      { kind: 'integer', value: 3 },
    ]);
    const rest = Buffer.concat([buf.subarray(consumed), Buffer.from('d\r\n$-1\r\n')]);
    expect(parseReplies(rest).replies).toEqual([
      { kind: 'bulk', value: 'hello\r\nworld' },
      { kind: 'bulk', value: null },
    ]);
  });

  it('flags bytes that are not RESP', () => {
    expect(parseReplies(Buffer.from('HTTP/1.1 400 Bad Request\r\n')).replies[0]?.kind).toBe('error');
  });

  it('finds redis_version in INFO server', () => {
    expect(redisVersionFromInfo('# Server\r\nredis_version:7.0.15\r\nredis_git_sha1:0\r\n')).toBe('7.0.15');
  });
});
