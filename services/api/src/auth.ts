import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest, onRequestHookHandler, onSendHookHandler } from 'fastify';

/*
 * The API token guards reads (the dashboard, the overview) and state-changing requests. A read may
 * carry it as `Bearer <token>` or as the basic-auth password, so that a browser can log in. A
 * state-changing request (any method but GET, HEAD, OPTIONS) needs proof that a cross-site page
 * cannot forge: `Authorization: Bearer <token>`, which only code that knows the token can set, or
 * the dashboard's session cookie (SameSite=Strict, HttpOnly) on a same-origin request. Basic auth
 * and the query string never authenticate it: a browser attaches cached basic credentials to a
 * form posted from any site, and URLs end up in logs, history and Referer headers.
 */

/** Query parameters a token might be put in by mistake; a guarded request carrying one is refused. */
const QUERY_TOKEN_PARAMS = ['token', 'access_token'];

/** The cookie the dashboard's own buttons authenticate with. */
const SESSION_COOKIE = 'paperline_session';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time string comparison (lengths are hidden by hashing first). */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** True for methods that may change state: everything but GET, HEAD and OPTIONS. */
function isStateChanging(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** The scheme (lower case) and value of an Authorization header. */
function authorization(header: string | undefined): { scheme: string; value: string } | undefined {
  const space = header?.indexOf(' ') ?? -1;
  if (!header || space < 0) return undefined;
  return { scheme: header.slice(0, space).toLowerCase(), value: header.slice(space + 1).trim() };
}

/** Whether an Authorization header is `Bearer <token>`. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const auth = authorization(header);
  return auth?.scheme === 'bearer' && sameSecret(auth.value, token);
}

/**
 * Whether an Authorization header carries the token for a read: `Bearer <token>`, or HTTP basic
 * auth with any user name and the token as password (so a browser can log into the dashboard).
 */
export function credentialsMatch(header: string | undefined, token: string): boolean {
  const auth = authorization(header);
  if (auth?.scheme === 'bearer') return sameSecret(auth.value, token);
  if (auth?.scheme !== 'basic') return false;
  const decoded = Buffer.from(auth.value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && sameSecret(decoded.slice(colon + 1), token);
}

/** The session cookie's value: derived from the token, so it is not the token and dies with it. */
function sessionValue(token: string): string {
  return createHmac('sha256', token).update('paperline dashboard session').digest('base64url');
}

function hasSession(request: FastifyRequest, token: string): boolean {
  const cookie = request.headers.cookie;
  const value = cookie ? parseCookie(cookie)[SESSION_COOKIE] : undefined;
  return value !== undefined && sameSecret(value, sessionValue(token));
}

/**
 * Whether a browser says the request comes from a page of this origin: `Sec-Fetch-Site:
 * same-origin`, or, from browsers without fetch metadata, an `Origin` equal to this server's.
 * Other ports of the same host are other origins (though the same site for cookies).
 */
function isSameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  return request.headers.origin === `${request.protocol}://${request.host}`;
}

function hasQueryToken(request: FastifyRequest): boolean {
  const query = request.query;
  return typeof query === 'object' && query !== null && QUERY_TOKEN_PARAMS.some((p) => p in query);
}

function refuse(reply: FastifyReply, status: 401 | 403, message: string, challenge?: 'Basic' | 'Bearer') {
  if (challenge) reply.header('www-authenticate', `${challenge} realm="Paperline", charset="UTF-8"`);
  return reply.code(status).send({ error: status === 401 ? 'unauthorized' : 'forbidden', message });
}

const BEARER_EXPECTED = 'send the API token in the header `Authorization: Bearer <token>`';

/** Why a state-changing request is refused (401/403), or undefined when it proves the token. */
function stateChangeRefusal(request: FastifyRequest, token: string, acceptSession: boolean) {
  const auth = request.headers.authorization;
  if (bearerMatches(auth, token)) return undefined;
  if (acceptSession && hasSession(request, token)) {
    if (isSameOrigin(request)) return undefined;
    return { status: 403 as const, message: 'refused a cross-origin request with the dashboard session' };
  }
  const sent = authorization(auth)?.scheme === 'basic' ? 'basic auth is not accepted for it; ' : '';
  return { status: 401 as const, message: `${request.method} changes state: ${sent}${BEARER_EXPECTED}` };
}

/** Options of {@link requireToken}. */
export interface RequireTokenOptions {
  /**
   * Whether the dashboard session (from the same origin) may stand in for the Bearer token on a
   * state-changing request. The browser sends the cookie only under the dashboard's path.
   * @defaultValue true
   */
  acceptSession?: boolean;
}

/**
 * An onRequest hook answering 401 unless the request carries the token: for reads as Bearer or
 * basic-auth password, for state-changing requests as Bearer (or the dashboard session from the
 * same origin). A token in the query string is refused everywhere.
 */
export function requireToken(token: string, opts: RequireTokenOptions = {}): onRequestHookHandler {
  const acceptSession = opts.acceptSession ?? true;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (hasQueryToken(request)) {
      return refuse(
        reply,
        401,
        `the token is not accepted in the query string: ${BEARER_EXPECTED}`,
        'Bearer',
      );
    }
    if (!isStateChanging(request.method)) {
      if (credentialsMatch(request.headers.authorization, token)) return;
      return refuse(
        reply,
        401,
        'send the API token as a Bearer token or as the basic-auth password',
        'Basic',
      );
    }
    const refusal = stateChangeRefusal(request, token, acceptSession);
    if (refusal) {
      return refuse(reply, refusal.status, refusal.message, refusal.status === 401 ? 'Bearer' : undefined);
    }
  };
}

/**
 * The hook guarding state-changing actions: the Bearer token when one is set; without a token
 * such actions are disabled (403), since nobody could be authenticated.
 */
export function requireActionAuth(token: string | undefined): onRequestHookHandler {
  if (token) return requireToken(token, { acceptSession: false });
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isStateChanging(request.method)) return;
    return refuse(
      reply,
      403,
      'state-changing actions are disabled: start serve with PAPERLINE_API_TOKEN set',
    );
  };
}

/**
 * An onSend hook giving a browser that read a page with the token (basic auth) the session cookie
 * its same-origin requests under `path` then act with: HttpOnly, SameSite=Strict, and Secure over
 * HTTPS.
 */
export function issueSession(token: string, path: string): onSendHookHandler {
  const value = sessionValue(token);
  return async (request, reply, payload) => {
    const read = !isStateChanging(request.method) && reply.statusCode < 400;
    if (read && credentialsMatch(request.headers.authorization, token) && !hasSession(request, token)) {
      const cookie = stringifySetCookie({
        name: SESSION_COOKIE,
        value,
        path,
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
      });
      reply.header('set-cookie', cookie);
    }
    return payload;
  };
}
