import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time string comparison (lengths are hidden by hashing first). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Whether an Authorization header carries the token: `Bearer <token>`, or HTTP basic auth with
 * any user name and the token as password (so a browser can log into the dashboard).
 */
export function credentialsMatch(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') return sameSecret(value, token);
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && sameSecret(decoded.slice(colon + 1), token);
  }
  return false;
}

function unauthorized(reply: FastifyReply): FastifyReply {
  return reply.code(401).header('www-authenticate', 'Basic realm="Paperline", charset="UTF-8"').send({
    error: 'unauthorized',
    message: 'send the API token as a Bearer token or as the basic-auth password',
  });
}

/** An onRequest hook answering 401 unless the request carries the token. */
export function requireToken(token: string): onRequestHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!credentialsMatch(request.headers.authorization, token)) return unauthorized(reply);
  };
}

/**
 * The hook guarding state-changing actions: the token when one is set; without a token such
 * actions are disabled (403), since nobody could be authenticated.
 */
export function requireActionAuth(token: string | undefined): onRequestHookHandler {
  if (token) return requireToken(token);
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method === 'GET' || request.method === 'HEAD') return;
    return reply.code(403).send({
      error: 'forbidden',
      message: 'state-changing actions are disabled: start serve with PAPERLINE_API_TOKEN set',
    });
  };
}
