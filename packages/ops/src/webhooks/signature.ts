import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a delivery's signature travels in. */
export const SIGNATURE_HEADER = 'Paperline-Signature';

/**
 * The signature header of a body sent at `at` (unix seconds): `t=<at>,v1=<hex>`, where the hex is
 * HMAC-SHA256 with the endpoint's secret over `<at>.<raw body>` (Stripe's scheme), so a captured
 * delivery cannot be replayed later under a new timestamp.
 */
export function signatureHeader(secret: string, body: string, at: number): string {
  return `t=${at},v1=${hmac(secret, `${at}.${body}`)}`;
}

function hmac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/**
 * What a receiver does with a delivery: true when the header signs this raw body with this secret
 * and its timestamp is within `toleranceSec` of `now` (unix seconds). Compares in constant time.
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  opts: { now: number; toleranceSec?: number },
): boolean {
  const parts = new Map(
    header.split(',').map((p) => {
      const i = p.indexOf('=');
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(opts.now - t) > (opts.toleranceSec ?? 300)) return false;
  const want = Buffer.from(hmac(secret, `${t}.${body}`), 'hex');
  const got = Buffer.from(v1, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}
