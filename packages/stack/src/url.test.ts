import { describe, expect, it } from 'vitest';
import { StackError } from './errors.js';
import {
  esNetworkHost,
  esTransportPorts,
  isLoopbackHost,
  parseElasticsearchUrl,
  parseRedisUrl,
  redisBindAddresses,
} from './url.js';

describe('isLoopbackHost', () => {
  it.each([
    'localhost',
    'LOCALHOST',
    'es.localhost',
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
  ])('%s is loopback', (h) => expect(isLoopbackHost(h)).toBe(true));
  it.each([
    'redis',
    'elasticsearch',
    '10.0.0.5',
    '192.168.1.1',
    '0.0.0.0',
    '::',
    'localhost.example.com',
    '128.0.0.1',
  ])('%s is not loopback', (h) => expect(isLoopbackHost(h)).toBe(false));
});

describe('parseRedisUrl', () => {
  it('defaults the port to 6379', () => {
    expect(parseRedisUrl('redis://127.0.0.1')).toMatchObject({
      host: '127.0.0.1',
      port: 6379,
      loopback: true,
      tls: false,
    });
  });

  it('reads port, credentials and TLS, and masks the password for display', () => {
    const t = parseRedisUrl('rediss://app:s%3Acret@redis.internal:6380/2');
    expect(t).toMatchObject({
      host: 'redis.internal',
      port: 6380,
      loopback: false,
      tls: true,
      username: 'app',
      password: 's:cret',
    });
    expect(t.displayUrl).toBe('rediss://app:***@redis.internal:6380/2');
    expect(parseRedisUrl('redis://:pw@localhost:6391').displayUrl).toBe('redis://:***@localhost:6391');
  });

  it('handles IPv6 literals', () => {
    expect(parseRedisUrl('redis://[::1]:6390')).toMatchObject({ host: '::1', port: 6390, loopback: true });
  });

  it('rejects other schemes and garbage with a StackError naming REDIS_URL', () => {
    expect(() => parseRedisUrl('http://127.0.0.1:6379')).toThrow(StackError);
    expect(() => parseRedisUrl('not a url')).toThrow(/REDIS_URL/);
  });
});

describe('parseElasticsearchUrl', () => {
  it('reads the port, defaulting to the protocol port like the client does', () => {
    expect(parseElasticsearchUrl('http://127.0.0.1:9200')).toMatchObject({
      port: 9200,
      loopback: true,
      tls: false,
    });
    expect(parseElasticsearchUrl('http://localhost')).toMatchObject({ port: 80 });
    expect(parseElasticsearchUrl('https://es.example.com')).toMatchObject({
      port: 443,
      tls: true,
      loopback: false,
    });
  });

  it('keeps a path prefix and strips the trailing slash for display', () => {
    expect(parseElasticsearchUrl('http://elastic:changeme@127.0.0.1:9200/').displayUrl).toBe(
      'http://elastic:***@127.0.0.1:9200',
    );
    expect(parseElasticsearchUrl('http://127.0.0.1:8080/es/').displayUrl).toBe('http://127.0.0.1:8080/es');
  });

  it('rejects non-HTTP schemes naming ELASTICSEARCH_URL', () => {
    expect(() => parseElasticsearchUrl('redis://127.0.0.1:9200')).toThrow(/ELASTICSEARCH_URL/);
  });
});

describe('addresses and ports of started services', () => {
  it('binds Redis to the literal address, or both loopbacks for a name', () => {
    expect(redisBindAddresses(parseRedisUrl('redis://127.0.0.1:6391'))).toEqual(['127.0.0.1']);
    expect(redisBindAddresses(parseRedisUrl('redis://[::1]:6391'))).toEqual(['::1']);
    expect(redisBindAddresses(parseRedisUrl('redis://localhost:6391'))).toEqual(['127.0.0.1', '-::1']);
  });

  it('binds Elasticsearch to the literal address, or _local_', () => {
    expect(esNetworkHost(parseElasticsearchUrl('http://127.0.0.1:9251'))).toBe('127.0.0.1');
    expect(esNetworkHost(parseElasticsearchUrl('http://localhost:9251'))).toBe('_local_');
  });

  it('puts the transport ports 100 above the HTTP port', () => {
    expect(esTransportPorts(9200)).toBe('9300-9399');
    expect(esTransportPorts(9251)).toBe('9351-9450');
    expect(esTransportPorts(65400)).toBe('65500-65535');
  });
});
