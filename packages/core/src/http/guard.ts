import { isIPv4, isIPv6 } from 'node:net';
import { PaperlineError } from '@paperline/contracts';

/*
 * SSRF guard: which addresses are refused and which destinations the allow-list opens. Pure, so
 * the configuration can check PAPERLINE_ALLOW_HOSTS without loading the HTTP client; the
 * connector (connector.ts) enforces it where sockets are opened.
 */

/** IPv4 ranges refused: [network, prefix length]. */
const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

/** Cloud metadata endpoints (AWS/GCP/Azure, AWS ECS, Alibaba), refused even for allowed hosts. */
const METADATA_V4 = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200'].map((a) => v4ToInt(a)));
const METADATA_V6 = 'fd00:ec2:0:0:0:0:0:254';

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inV4Range(ip: number, [net, prefix]: readonly [string, number]): boolean {
  const shift = 32 - prefix;
  return Math.floor(ip / 2 ** shift) === Math.floor(v4ToInt(net) / 2 ** shift);
}

/** Parses an IPv6 address (zone id, `::` and a trailing dotted quad allowed) into eight 16-bit groups. */
function parseV6(ip: string): number[] | null {
  const addr = ip.replace(/%.*$/, '');
  if (!isIPv6(addr)) return null;
  let head = addr;
  const tail: number[] = [];
  const last = addr.slice(addr.lastIndexOf(':') + 1);
  if (last.includes('.')) {
    const v4 = v4ToInt(last);
    tail.push(Math.floor(v4 / 65536), v4 % 65536);
    head = addr.slice(0, addr.length - last.length);
    if (!head.endsWith('::')) head = head.slice(0, -1);
  }
  const hex = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const gap = head.indexOf('::');
  if (gap === -1) return [...hex(head), ...tail];
  const left = hex(head.slice(0, gap));
  const right = hex(head.slice(gap + 2));
  const zeros = new Array<number>(8 - left.length - right.length - tail.length).fill(0);
  return [...left, ...zeros, ...right, ...tail];
}

/** The IPv4 address embedded in an IPv4-mapped, -translated, NAT64 or 6to4 IPv6 address. */
function embeddedV4(g: readonly number[]): number | null {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const pair = (hi: number, lo: number): number => hi * 65536 + lo;
  const zero4 = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0;
  if (zero4 && g4 === 0 && g5 === 0xffff) return pair(g6, g7); // ::ffff:a.b.c.d
  if (zero4 && g4 === 0xffff && g5 === 0) return pair(g6, g7); // ::ffff:0:a.b.c.d
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return pair(g6, g7);
  if (g0 === 0x2002) return pair(g1, g2); // 6to4
  return null;
}

function isBlockedV6(g: readonly number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0] = g;
  const v4 = embeddedV4(g);
  if (v4 !== null) return BLOCKED_V4.some((range) => inV4Range(v4, range));
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return true; // ::, ::1, ::/96
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local fc00::/7 (incl. fd00:ec2::254)
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return true; // link-local, site-local
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return true; // local-use NAT64 64:ff9b:1::/48
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // discard-only 100::/64
  return g0 === 0x2001 && g1 === 0xdb8; // documentation
}

/**
 * Whether an IP address must not be fetched from: private, loopback, link-local, carrier-grade NAT,
 * unique-local, unspecified, multicast, reserved and documentation ranges, the IPv4-mapped /
 * NAT64 / 6to4 IPv6 forms of those, and cloud metadata endpoints (169.254.169.254, fd00:ec2::254).
 * Text that is not an IP address is blocked too (fail closed).
 */
export function isBlockedAddress(ip: string): boolean {
  if (isIPv4(ip)) {
    const n = v4ToInt(ip);
    return BLOCKED_V4.some((range) => inV4Range(n, range));
  }
  const groups = parseV6(ip);
  return groups === null ? true : isBlockedV6(groups);
}

/** Whether an IP address is a cloud metadata endpoint (in any IPv4 or IPv6 spelling). */
export function isCloudMetadataAddress(ip: string): boolean {
  if (isIPv4(ip)) return METADATA_V4.has(v4ToInt(ip));
  const groups = parseV6(ip);
  if (groups === null) return false;
  const v4 = embeddedV4(groups);
  if (v4 !== null) return METADATA_V4.has(v4);
  return groups.map((g) => g.toString(16)).join(':') === METADATA_V6;
}

/** Raised by the connector when a host resolves to a refused address. Mapped to `HTTP_BLOCKED_ADDRESS`. */
export class BlockedAddressError extends Error {
  readonly code = 'PAPERLINE_BLOCKED_ADDRESS';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    const subject = host === address ? `${address} is` : `${host} resolves to ${address},`;
    super(
      isCloudMetadataAddress(address)
        ? `${subject} a cloud metadata address, which is never fetched`
        : `${subject} a private, loopback or otherwise internal address`,
    );
    this.name = 'BlockedAddressError';
  }
}

const DEFAULT_PORTS = { 'http:': 80, 'https:': 443 } as const;
type Scheme = keyof typeof DEFAULT_PORTS;
const isScheme = (p: string): p is Scheme => p in DEFAULT_PORTS;

/** An allowed destination as the allow-list keeps it: `scheme://host:port`, host lower-case, IPv6 in brackets. */
function destinationKey(scheme: Scheme, hostname: string, port: number): string {
  const bare = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return `${scheme}//${isIPv6(bare) ? `[${bare}]` : bare}:${port}`;
}

function invalidEntry(entry: string, why: string): PaperlineError {
  return new PaperlineError(
    'CONFIG_INVALID',
    `PAPERLINE_ALLOW_HOSTS: '${entry}' ${why}; give host, host:port or an http(s) base URL`,
    'permanent',
    { stage: 'config' },
  );
}

/** The destinations one allow-list entry stands for (see {@link normalizeAllowHosts}). */
function entryDestinations(raw: string): string[] {
  const entry = raw.trim();
  if (entry.includes('://')) {
    if (!URL.canParse(entry)) throw invalidEntry(entry, 'is not a valid URL');
    const u = new URL(entry);
    if (!isScheme(u.protocol)) throw invalidEntry(entry, 'has a scheme other than http or https');
    return [destinationKey(u.protocol, u.hostname, Number(u.port) || DEFAULT_PORTS[u.protocol])];
  }
  const host = isIPv6(entry) ? `[${entry}]` : entry;
  const u = URL.canParse(`http://${host}`) ? new URL(`http://${host}`) : undefined;
  if (!u || u.href !== `http://${u.host}/` || host.endsWith(':')) throw invalidEntry(entry, 'is not a host');
  const port = /:(\d+)$/.exec(host)?.[1];
  return port
    ? [destinationKey('http:', u.hostname, Number(port)), destinationKey('https:', u.hostname, Number(port))]
    : [destinationKey('http:', u.hostname, 80), destinationKey('https:', u.hostname, 443)];
}

/**
 * Normalizes allow-list entries to the destinations (`scheme://host:port`) where a private or
 * loopback address may be reached:
 * - a URL (`http://127.0.0.1:8080/papers`, as a base URL is): exactly its scheme, host and port
 *   (the scheme's default port when it has none);
 * - `host:port`: that port, over http and https;
 * - `host`: http on port 80 and https on 443, as a URL without a port means.
 * Blank entries are skipped; anything else throws CONFIG_INVALID naming the entry.
 */
export function normalizeAllowHosts(entries: readonly string[]): Set<string> {
  return new Set(entries.filter((e) => e.trim()).flatMap(entryDestinations));
}

/** Whether a connection to `hostname` on `port` over `protocol` (`http:`/`https:`) is on the allow-list. */
export function isDestinationAllowed(
  allow: ReadonlySet<string>,
  protocol: string,
  hostname: string,
  port: number,
): boolean {
  return isScheme(protocol) && allow.has(destinationKey(protocol, hostname, port));
}
