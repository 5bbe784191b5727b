// Preloaded into worker processes by the fault tests (NODE_OPTIONS=--import …): refuses, before any
// packet is sent, every TCP connection to something other than loopback, and records it in
// $PAPERLINE_TRIPWIRE_LOG. A safety net under the SSRF tests: even a broken guard cannot reach
// 10.x or 169.254.169.254 from here, and the test sees that it tried.
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const logFile = process.env.PAPERLINE_TRIPWIRE_LOG;
const original = net.Socket.prototype.connect;

function isLoopback(host) {
  if (host === undefined || host === null || host === '' || host === 'localhost') return true;
  const h = String(host)
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  return h === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h);
}

function trip(host, port) {
  if (logFile) appendFileSync(logFile, `${process.pid} ${host}:${port}\n`);
}

net.Socket.prototype.connect = function connect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const isObject = typeof first === 'object' && first !== null;
  const opts = isObject ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
  if (opts.path !== undefined || isLoopback(opts.host)) return original.apply(this, args);
  if (!isObject || net.isIP(String(opts.host).replace(/^\[|\]$/g, '')) !== 0) {
    trip(opts.host, opts.port);
    const err = new Error(`tripwire: refused a connection to non-loopback ${opts.host}:${opts.port}`);
    process.nextTick(() => this.destroy(err));
    return this;
  }
  // A name: let the caller's lookup (e.g. an SSRF guard) answer first, then check what it chose.
  const base = opts.lookup ?? dns.lookup;
  opts.lookup = (hostname, options, callback) =>
    base(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const list = typeof address === 'string' ? [address] : address.map((a) => a.address);
      const bad = list.find((a) => !isLoopback(a));
      if (bad === undefined) return callback(null, address, family);
      trip(`${hostname}=${bad}`, opts.port);
      return callback(new Error(`tripwire: ${hostname} resolved to non-loopback ${bad}`), address, family);
    });
  return original.apply(this, args);
};
