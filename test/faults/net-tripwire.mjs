// Preloaded into worker processes by the fault tests (NODE_OPTIONS=--import …): refuses, before any
// packet is sent, every TCP connection to something other than loopback, and records it in
// $PAPERLINE_TRIPWIRE_LOG. A safety net under the SSRF tests: even a broken guard cannot reach
// 10.x or 169.254.169.254 from here, and the test sees that it tried.
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

net.Socket.prototype.connect = function connect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const opts =
    typeof first === 'object' && first !== null
      ? first
      : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
  if (opts.path === undefined && !isLoopback(opts.host)) {
    const line = `${process.pid} ${opts.host}:${opts.port}\n`;
    if (logFile) appendFileSync(logFile, line);
    const err = new Error(`tripwire: refused a connection to non-loopback ${opts.host}:${opts.port}`);
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return original.apply(this, args);
};
