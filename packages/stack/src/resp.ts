/** The few RESP (Redis protocol) replies the probe needs to read. */
export type RespReply =
  | { kind: 'simple'; value: string }
  | { kind: 'error'; value: string }
  | { kind: 'integer'; value: number }
  | { kind: 'bulk'; value: string | null }
  | { kind: 'array'; length: number };

/** Encodes a command as a RESP array of bulk strings (safe for passwords with spaces). */
export function encodeCommand(...args: string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const a of args) parts.push(`$${Buffer.byteLength(a)}\r\n${a}\r\n`);
  return Buffer.from(parts.join(''));
}

/**
 * Parses as many complete top-level replies as `buf` holds. Arrays are reported by their header
 * only (the probe never asks for one). Returns the replies and the number of bytes consumed.
 */
export function parseReplies(buf: Buffer): { replies: RespReply[]; consumed: number } {
  const replies: RespReply[] = [];
  let pos = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) break;
    const type = String.fromCharCode(buf[pos] ?? 0);
    const line = buf.toString('utf8', pos + 1, eol);
    if (type === '$') {
      const len = Number(line);
      if (len < 0) {
        replies.push({ kind: 'bulk', value: null });
        pos = eol + 2;
        continue;
      }
      if (buf.length < eol + 2 + len + 2) break;
      replies.push({ kind: 'bulk', value: buf.toString('utf8', eol + 2, eol + 2 + len) });
      pos = eol + 2 + len + 2;
      continue;
    }
    if (type === '+') replies.push({ kind: 'simple', value: line });
    else if (type === '-') replies.push({ kind: 'error', value: line });
    else if (type === ':') replies.push({ kind: 'integer', value: Number(line) });
    else if (type === '*') replies.push({ kind: 'array', length: Number(line) });
    else
      replies.push({
        kind: 'error',
        value: `not a Redis reply: ${JSON.stringify(buf.toString('utf8', pos, eol))}`,
      });
    pos = eol + 2;
  }
  return { replies, consumed: pos };
}

/** `redis_version` out of an `INFO server` reply. */
export function redisVersionFromInfo(info: string): string | undefined {
  return /^redis_version:(\S+)/m.exec(info)?.[1];
}
