// What "loopback" means for the tests: the only place they may reach. Shared by the network
// tripwire (plain Node, preloaded with --import, so no TypeScript here) and the browser guard.
import { BlockList, isIP } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** True for an IP literal in 127.0.0.0/8 or ::1 (IPv4-mapped and bracketed forms included). */
export function isLoopbackAddress(address) {
  const a = String(address).replace(/^\[|\]$/g, '');
  const version = isIP(a);
  return version !== 0 && loopback.check(a, version === 4 ? 'ipv4' : 'ipv6');
}

/**
 * True for `localhost` and loopback literals: the names that resolve without asking a DNS server
 * (`/etc/hosts`). Other `*.localhost` names would reach the resolver, so they do not count.
 */
export function isLoopbackHost(host) {
  return String(host).toLowerCase() === 'localhost' || isLoopbackAddress(host);
}
