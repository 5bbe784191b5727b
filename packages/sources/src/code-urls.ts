/**
 * Code repository URLs: canonical `https://github.com/{owner}/{repo}` from source fields and from
 * links written into abstracts (with trailing punctuation and TeX debris around them).
 */

/** First path segments on github.com that are not users or organisations. */
const RESERVED_OWNERS = new Set([
  'about',
  'apps',
  'collections',
  'contact',
  'customer-stories',
  'enterprise',
  'events',
  'explore',
  'features',
  'issues',
  'join',
  'login',
  'marketplace',
  'new',
  'notifications',
  'orgs',
  'pricing',
  'pulls',
  'search',
  'security',
  'settings',
  'site',
  'sponsors',
  'topics',
  'trending',
  'users',
]);

/** GitHub owner names: alphanumerics and single inner hyphens, at most 39 characters. */
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
/** What remains of a repository name once debris is stripped. */
const REPO = /^[A-Za-z0-9._-]+$/;

/**
 * A github.com repository reference inside free text: optional scheme and `www.`, then
 * `github.com/owner/repo`. Not preceded by a host character, so `gist.github.com` and
 * `notgithub.com` do not match.
 */
const IN_TEXT =
  /(?<![A-Za-z0-9.-])(?:https?:\/\/)?(?:www\.)?github\.com\/([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)/gi;

/** TeX escapes that show up inside URLs written in abstracts (`my\_repo`). */
const URL_TEX_ESCAPE = /\\([_%#&])/g;

function canonicalParts(owner: string, rawRepo: string): string | null {
  if (!OWNER.test(owner) || RESERVED_OWNERS.has(owner.toLowerCase())) return null;
  let repo = rawRepo;
  // Trailing sentence dots and `.git` (possibly both: "repo.git.").
  for (let prev = ''; prev !== repo;) {
    prev = repo;
    repo = repo.replace(/\.+$/, '').replace(/\.git$/i, '');
  }
  if (repo === '' || !REPO.test(repo) || /^\.+$/.test(repo)) return null;
  return `https://github.com/${owner}/${repo}`;
}

/**
 * The canonical URL of the GitHub repository a URL points into: `https://github.com/{owner}/{repo}`,
 * with the host lowercased and `www.`, `.git`, deeper paths (`/tree/…`, `/blob/…`), query,
 * fragment, trailing punctuation and TeX debris (`{…}`, `\url{…}`) removed. Owner and repository
 * keep their case. Scheme-less `github.com/owner/repo` is accepted.
 *
 * @returns the canonical URL, or null when `url` is not a GitHub repository URL.
 */
export function canonicalRepoUrl(url: string): string | null {
  const s = url.trim().replace(URL_TEX_ESCAPE, '$1');
  const m = /^(?:https?:\/\/)?(?:www\.)?github\.com\/([^/?#\s]+)\/([^/?#\s]+)/i.exec(s);
  if (!m) return null;
  const owner = m[1] ?? '';
  // Cut the repository name at the first character a name cannot hold (TeX braces, quotes, …).
  const repo = /^[A-Za-z0-9._-]*/.exec(m[2] ?? '')?.[0] ?? '';
  return canonicalParts(owner, repo);
}

/**
 * Every GitHub repository linked in a text, as canonical URLs (see {@link canonicalRepoUrl}), in
 * order of first appearance and deduplicated case-insensitively. Reads raw TeX: `\url{…}`,
 * `\href{…}{…}`, `{…}` duplicates and `\_` inside URLs are handled.
 */
export function extractCodeUrls(text: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const m of text.replace(URL_TEX_ESCAPE, '$1').matchAll(IN_TEXT)) {
    const url = canonicalParts(m[1] ?? '', m[2] ?? '');
    if (url !== null && !seen.has(url.toLowerCase())) {
      seen.add(url.toLowerCase());
      out.push(url);
    }
  }
  return out;
}

/** Concatenates URL lists, dropping later case-insensitive duplicates. */
export function mergeCodeUrls(...lists: readonly (readonly string[])[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const url of lists.flat()) {
    const key = url.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(url);
    }
  }
  return out;
}
