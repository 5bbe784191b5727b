/**
 * Shares one async read among callers for `ms` (one scrape reading many metrics, several
 * dashboards refreshing at once); a failed read is not kept.
 */
export function memo<T>(read: () => Promise<T>, ms: number): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > ms) {
      const value = read();
      cached = { at: Date.now(), value };
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
}
