/** URL helpers shared by the routers and parsers of every source. */

/** A base URL split into origin and path prefix (no trailing slash). */
export interface Base {
  origin: string;
  /** The path prefix without trailing slash; `''` for a base at the root. */
  path: string;
  /** `host:port` as in `URL.host`. */
  host: string;
}

/** `new URL` that returns null instead of throwing. */
export function tryUrl(raw: string, base?: string | URL): URL | null {
  try {
    return new URL(raw, base);
  } catch {
    return null;
  }
}

/** An http(s) URL with a host and no whitespace, as written (trimmed); undefined otherwise. */
export function httpUrl(raw: string | undefined): string | undefined {
  const s = raw?.trim();
  if (!s || /\s/.test(s)) return undefined;
  const u = tryUrl(s);
  return u && (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' ? s : undefined;
}

/** The base URL without trailing slashes, for building links (`${trimBase(b)}/papers/{id}`). */
export function trimBase(raw: string): string {
  return raw.trim().replace(/\/+$/, '');
}

/** An http(s) base URL split into origin and path, or null when unparseable. */
export function parseBase(raw: string | undefined): Base | null {
  if (raw === undefined) return null;
  const u = tryUrl(raw.trim());
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) return null;
  return { origin: u.origin, path: u.pathname.replace(/\/+$/, ''), host: u.host };
}

/** The path of `url` below `base`, starting with `/`, or null when `url` is not under `base`. */
export function pathUnder(url: URL, base: Base | null): string | null {
  if (!base || url.origin !== base.origin) return null;
  const p = url.pathname;
  if (base.path === '') return p;
  if (p === base.path) return '/';
  return p.startsWith(`${base.path}/`) ? p.slice(base.path.length) : null;
}
