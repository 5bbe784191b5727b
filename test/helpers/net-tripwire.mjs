// The network tripwire, in every test process: the vitest workers load it as a setup file
// (tripwire-setup.ts), and every process they start preloads it (NODE_OPTIONS=--import, set there
// too). Tests reach only loopback (127.0.0.0/8, ::1), DNS included: a TCP connection, a UDP
// datagram, a DNS lookup or query for anything else fails here, before a packet is sent, with a
// `tripwire:` error, and is appended to $PAPERLINE_TRIPWIRE_LOG so that the test fails. It is also
// the net under the SSRF tests: even a broken guard cannot reach 10.x or 169.254.169.254.
import dgram from 'node:dgram';
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { isLoopbackAddress, isLoopbackHost } from './loopback.mjs';

const PATCHED = Symbol.for('paperline.tripwire');
const RESOLVE_METHODS = [
  'resolve',
  'resolve4',
  'resolve6',
  'resolveAny',
  'resolveCaa',
  'resolveCname',
  'resolveMx',
  'resolveNaptr',
  'resolveNs',
  'resolvePtr',
  'resolveSoa',
  'resolveSrv',
  'resolveTxt',
  'reverse',
];

/** Records an attempt in the log and returns the error that fails it. */
function trip(entry, message) {
  const log = process.env.PAPERLINE_TRIPWIRE_LOG;
  if (log) appendFileSync(log, `${process.pid} ${entry}\n`);
  const err = new Error(`tripwire: ${message} (tests reach only loopback)`);
  return Object.assign(err, { code: 'ETRIPWIRE' });
}

/** Replaces `obj[name]` with `wrap(original)`, once: loading this file again changes nothing. */
function patch(obj, name, wrap) {
  const original = obj[name];
  if (typeof original !== 'function' || original[PATCHED]) return;
  const patched = wrap(original);
  patched[PATCHED] = true;
  obj[name] = patched;
}

/** Hands `err` to the callback among `args` (the last function), as an asynchronous failure. */
function failCallback(args, err) {
  const callback = args.findLast((a) => typeof a === 'function');
  if (callback) process.nextTick(callback, err);
}

// --- TCP ------------------------------------------------------------------------------------

/** A lookup that fails when `base` (the caller's, e.g. an SSRF guard's, or dns.lookup) answers off loopback. */
function checkedLookup(base, port) {
  return (hostname, options, callback) =>
    base(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const list = typeof address === 'string' ? [address] : address.map((a) => a.address);
      const bad = list.find((a) => !isLoopbackAddress(a));
      if (bad === undefined) return callback(null, address, family);
      return callback(trip(`${hostname}=${bad}:${port}`, `${hostname} resolved to non-loopback ${bad}`));
    });
}

patch(
  net.Socket.prototype,
  'connect',
  (original) =>
    function connect(...args) {
      const first = Array.isArray(args[0]) ? args[0][0] : args[0];
      const isObject = typeof first === 'object' && first !== null;
      const opts = isObject
        ? first
        : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
      if (opts.path !== undefined || !opts.host || isLoopbackHost(opts.host))
        return original.apply(this, args);
      if (!isObject || net.isIP(String(opts.host).replace(/^\[|\]$/g, '')) !== 0) {
        const err = trip(
          `${opts.host}:${opts.port}`,
          `refused a connection to non-loopback ${opts.host}:${opts.port}`,
        );
        process.nextTick(() => this.destroy(err));
        return this;
      }
      // A name: let the caller's lookup answer first (a test's fake resolver may map it to loopback).
      opts.lookup = checkedLookup(opts.lookup ?? dns.lookup, opts.port);
      return original.apply(this, args);
    },
);

// --- UDP ------------------------------------------------------------------------------------

/** Fails a datagram socket operation: through its callback when it has one, else its 'error' event. */
function refuseDatagram(socket, args, host, port) {
  const err = trip(`udp ${host}:${port}`, `refused a UDP datagram to non-loopback ${host}:${port}`);
  if (typeof args.at(-1) === 'function') failCallback(args, err);
  else process.nextTick(() => socket.emit('error', err));
}

// send(msg[, offset, length], port[, address][, callback]): no address means loopback or the
// connected peer, which connect() has checked.
patch(
  dgram.Socket.prototype,
  'send',
  (original) =>
    function send(...args) {
      const at = args.findIndex((a, i) => i > 0 && typeof a === 'string');
      if (at === -1 || isLoopbackHost(args[at])) return original.apply(this, args);
      return refuseDatagram(this, args, args[at], args[at - 1]);
    },
);

patch(
  dgram.Socket.prototype,
  'connect',
  (original) =>
    function connect(...args) {
      const host = typeof args[1] === 'string' ? args[1] : undefined;
      if (host === undefined || isLoopbackHost(host)) return original.apply(this, args);
      return refuseDatagram(this, args, host, args[0]);
    },
);

// --- DNS ------------------------------------------------------------------------------------

const refusedLookup = (hostname) =>
  trip(`lookup ${hostname}`, `DNS lookup of ${hostname} refused before any query`);

/** Looking up an IP literal asks no server (binding a UDP socket looks up 0.0.0.0); connect checks it. */
const answersLocally = (hostname) => isLoopbackHost(hostname) || net.isIP(String(hostname)) !== 0;

patch(
  dns,
  'lookup',
  (original) =>
    function lookup(hostname, ...rest) {
      if (answersLocally(hostname)) return original.call(this, hostname, ...rest);
      return failCallback(rest, refusedLookup(hostname));
    },
);
patch(
  dns.promises,
  'lookup',
  (original) =>
    function lookup(hostname, ...rest) {
      if (answersLocally(hostname)) return original.call(this, hostname, ...rest);
      return Promise.reject(refusedLookup(hostname));
    },
);

const refusedReverse = (address) =>
  trip(`lookupService ${address}`, `reverse lookup of ${address} refused before any query`);

patch(
  dns,
  'lookupService',
  (original) =>
    function lookupService(address, ...rest) {
      if (isLoopbackAddress(address)) return original.call(this, address, ...rest);
      return failCallback(rest, refusedReverse(address));
    },
);
patch(
  dns.promises,
  'lookupService',
  (original) =>
    function lookupService(address, ...rest) {
      if (isLoopbackAddress(address)) return original.call(this, address, ...rest);
      return Promise.reject(refusedReverse(address));
    },
);

/** `1.2.3.4`, `1.2.3.4:53`, `::1` or `[::1]:53` → the address. */
function serverAddress(server) {
  const bracketed = /^\[([^\]]+)\]/.exec(server);
  if (bracketed) return bracketed[1];
  return server.split(':').length === 2 ? server.split(':')[0] : server;
}

/**
 * Every DNS query method of `target` (a resolver, or the module's default one) goes through only
 * when all of its servers are loopback (a test's own DNS server); otherwise it fails unsent.
 */
function guardQueries(target, serversOf, promises) {
  for (const name of RESOLVE_METHODS) {
    patch(
      target,
      name,
      (original) =>
        function query(...args) {
          const servers = serversOf(this);
          if (servers.every((s) => isLoopbackAddress(serverAddress(s)))) return original.apply(this, args);
          const err = trip(
            `${name} ${args[0]}`,
            `DNS query ${name}(${args[0]}) to ${servers.join(', ')} refused before it was sent`,
          );
          return promises ? Promise.reject(err) : failCallback(args, err);
        },
    );
  }
}

guardQueries(dns, () => dns.getServers(), false);
guardQueries(dns.promises, () => dns.promises.getServers(), true);
guardQueries(dns.Resolver.prototype, (resolver) => resolver.getServers(), false);
guardQueries(dns.promises.Resolver.prototype, (resolver) => resolver.getServers(), true);

// `import { lookup } from 'node:dns'` sees the patched functions too.
syncBuiltinESMExports();
