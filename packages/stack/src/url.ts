import { isIP, type LookupFunction } from 'node:net';
import { StackError } from './errors.js';

/** Where a service is expected, parsed from its URL. */
export interface ServiceTarget {
  /** The URL as configured, password replaced by `***` (safe to log). */
  displayUrl: string;
  /** Host name or IP literal, IPv6 without brackets. */
  host: string;
  port: number;
  /** The host is this machine's loopback (`localhost`, 127.0.0.0/8, `::1`): we may start it. */
  loopback: boolean;
  tls: boolean;
  /** Resolves `host` when it is a name. @defaultValue `dns.lookup` */
  lookup?: LookupFunction;
  username?: string;
  password?: string;
}

/** True for `localhost` (and `*.localhost`), 127.0.0.0/8, `::1` and IPv4-mapped loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

function parse(url: string, what: string, env: string): URL {
  try {
    return new URL(url);
  } catch (cause) {
    throw new StackError(`${what} URL "${url}" is not a valid URL (${env})`, { cause });
  }
}

function target(u: URL, port: number, tls: boolean): ServiceTarget {
  const masked = new URL(u.href);
  if (masked.password !== '') masked.password = '***';
  const username = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    displayUrl: masked.href.replace(/\/$/, ''),
    host,
    port,
    loopback: isLoopbackHost(host),
    tls,
    ...(username !== '' ? { username } : {}),
    ...(password !== '' ? { password } : {}),
  };
}

/** Parses `redis://[user:pass@]host[:port][/db]` (or `rediss://`); the port defaults to 6379. */
export function parseRedisUrl(url: string): ServiceTarget {
  const u = parse(url, 'Redis', 'REDIS_URL');
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new StackError(`Redis URL "${url}" must start with redis:// or rediss:// (REDIS_URL)`);
  }
  if (u.hostname === '') throw new StackError(`Redis URL "${url}" has no host (REDIS_URL)`);
  return target(u, u.port === '' ? 6379 : Number(u.port), u.protocol === 'rediss:');
}

/** Parses `http(s)://[user:pass@]host[:port][/prefix]`; the port defaults to the protocol's (80/443). */
export function parseElasticsearchUrl(url: string): ServiceTarget {
  const u = parse(url, 'Elasticsearch', 'ELASTICSEARCH_URL');
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new StackError(
      `Elasticsearch URL "${url}" must start with http:// or https:// (ELASTICSEARCH_URL)`,
    );
  }
  if (u.hostname === '') throw new StackError(`Elasticsearch URL "${url}" has no host (ELASTICSEARCH_URL)`);
  const tls = u.protocol === 'https:';
  return target(u, u.port === '' ? (tls ? 443 : 80) : Number(u.port), tls);
}

/**
 * Addresses a locally started Redis binds to: the host itself when it is an IP literal, both
 * loopbacks for a name like `localhost` (`-` marks the IPv6 one optional, Redis ≥ 7).
 */
export function redisBindAddresses(t: ServiceTarget): string[] {
  return isIP(t.host) !== 0 ? [t.host] : ['127.0.0.1', '-::1'];
}

/** `network.host` for a locally started Elasticsearch: the IP literal, else `_local_` (all loopbacks). */
export function esNetworkHost(t: ServiceTarget): string {
  return isIP(t.host) !== 0 ? t.host : '_local_';
}

/** Transport port of a locally started Elasticsearch: 100 above the HTTP port (9250 → 9350). */
export function esTransportPort(httpPort: number): number {
  return httpPort + 100;
}

/** Transport port range of a locally started single node: from {@link esTransportPort} (9200 → 9300-9399). */
export function esTransportPorts(httpPort: number): string {
  const first = esTransportPort(httpPort);
  return `${first}-${Math.min(first + 99, 65535)}`;
}
