import type { EsClient } from '@paperline/core/es';

/** The document field that holds each kind of identity key (`arxiv:…`, `doi:…`, `title:…`). */
const FIELD_OF_KIND = { arxiv: 'arxivId', doi: 'doi', title: 'titleFingerprint' } as const;
type KeyField = (typeof FIELD_OF_KIND)[keyof typeof FIELD_OF_KIND];

/** What a search hit says about the keys a document answers to. */
type KeyHolder = { id: string; firstSeenAt?: string } & Partial<Record<KeyField, string>>;

/**
 * Documents returned per key asked, at most: a key matching more documents than this (a title
 * many papers share) may miss some, and then the earliest seen of those returned answers.
 */
const HITS_PER_KEY = 10;
const MAX_HITS = 10_000;

/**
 * Which indexed paper each identity key belongs to, in one search: the document whose canonical
 * id is the key, else one whose `arxivId`, `doi` or `titleFingerprint` field holds it. When several
 * documents hold a key (two papers with one title), the one first seen answers (`firstSeenAt`,
 * then the smaller id), so the answer is the same whenever it is asked. Keys no document holds are
 * left out. The search sees documents as of the index's last refresh (about a second).
 */
export async function findKeysInIndex(
  es: EsClient,
  alias: string,
  keys: string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const terms = termsByField(keys);
  if (terms.size === 0) return found;
  const res = await es.search<KeyHolder>({
    index: alias,
    size: Math.min(MAX_HITS, keys.length * HITS_PER_KEY),
    track_total_hits: false,
    query: {
      bool: {
        should: [
          { ids: { values: keys } },
          ...[...terms].map(([field, values]) => ({ terms: { [field]: values } })),
        ],
      },
    },
    sort: [{ firstSeenAt: { order: 'asc', missing: '_last' } }, { id: 'asc' }],
    _source: ['id', 'firstSeenAt', ...Object.values(FIELD_OF_KIND)],
  });
  const wanted = new Set(keys);
  const docs = res.hits.hits.flatMap((h) => (h._source ? [h._source] : []));
  for (const doc of docs) {
    for (const key of keysHeldBy(doc)) if (wanted.has(key) && !found.has(key)) found.set(key, doc.id);
  }
  // A key that is a document's own id belongs to that document, whoever else shares it.
  for (const doc of docs) if (wanted.has(doc.id)) found.set(doc.id, doc.id);
  return found;
}

/** The keys grouped by the field that holds them; keys of no known kind are skipped. */
function termsByField(keys: string[]): Map<KeyField, string[]> {
  const terms = new Map<KeyField, string[]>();
  for (const key of keys) {
    const [kind, value] = splitKey(key);
    const field = (FIELD_OF_KIND as Record<string, KeyField | undefined>)[kind];
    if (field && value) terms.set(field, [...(terms.get(field) ?? []), value]);
  }
  return terms;
}

/** `arxiv:2403.12345` → `['arxiv', '2403.12345']` (a DOI may itself hold colons). */
function splitKey(key: string): [kind: string, value: string] {
  const colon = key.indexOf(':');
  return colon < 0 ? [key, ''] : [key.slice(0, colon), key.slice(colon + 1)];
}

/** Every identity key a document answers to: its own id and each key field it has. */
function keysHeldBy(doc: KeyHolder): string[] {
  const held = [doc.id];
  for (const [kind, field] of Object.entries(FIELD_OF_KIND)) {
    const value = doc[field];
    if (value) held.push(`${kind}:${kind === 'doi' ? value.toLowerCase() : value}`);
  }
  return held;
}
