import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import {
  BlockedAddressError,
  isBlockedAddress,
  isCloudMetadataAddress,
  isDestinationAllowed,
} from './guard.js';

/*
 * The SSRF guard (guard.ts) enforced where the socket is opened: the connector resolves names
 * through a checking `lookup` (so the address checked is the address connected to, on every new
 * connection, every redirect hop and every DNS answer) and checks literal IP hosts itself, because
 * Node's `net.connect` skips `lookup` for them.
 */

/** Wraps a DNS lookup so that an answer containing a refused address fails with {@link BlockedAddressError}. */
function checkingLookup(base: LookupFunction, blocked: (ip: string) => boolean): LookupFunction {
  return (hostname, options, callback) => {
    base(hostname, options, (err, address, family) => {
      if (err) {
        callback(err, address, family);
        return;
      }
      const list = typeof address === 'string' ? [address] : address.map((a: LookupAddress) => a.address);
      const bad = list.find(blocked);
      if (bad !== undefined) callback(new BlockedAddressError(hostname, bad), address, family);
      else callback(null, address, family);
    });
  };
}

interface GuardedConnectorOptions {
  /** Connect timeout in ms. */
  timeoutMs: number;
  /** Refuse private/loopback/… addresses (cloud metadata is refused regardless). */
  blockPrivateAddresses: boolean;
  /** Allowed destinations, as `normalizeAllowHosts` (guard.ts) makes them. */
  allowHosts: ReadonlySet<string>;
  /** DNS lookup to use instead of `dns.lookup`. */
  lookup?: LookupFunction | undefined;
}

/**
 * An undici connector enforcing the SSRF guard at connect time. Connections to an allowed
 * destination (scheme, host and port) and every connection when `blockPrivateAddresses` is false
 * are only refused cloud metadata addresses.
 */
export function createGuardedConnector(opts: GuardedConnectorOptions): buildConnector.connector {
  const base: LookupFunction = opts.lookup ?? (dnsLookup as LookupFunction);
  const strictCheck = opts.blockPrivateAddresses ? isBlockedAddress : isCloudMetadataAddress;
  const connector = (check: (ip: string) => boolean): buildConnector.connector =>
    buildConnector({ timeout: opts.timeoutMs, lookup: checkingLookup(base, check) });
  const strict = connector(strictCheck);
  const lenient = connector(isCloudMetadataAddress);
  return (options, callback) => {
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    const allowed = isDestinationAllowed(opts.allowHosts, options.protocol, options.hostname, port);
    const check = allowed ? isCloudMetadataAddress : strictCheck;
    const literal = options.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(literal) !== 0 && check(literal)) {
      callback(new BlockedAddressError(literal, literal), null);
      return;
    }
    (allowed ? lenient : strict)(options, callback);
  };
}
