/**
 * The change feed: every write to a paper, in write order (docs/change-feed.md).
 *
 * - `upsert`: the paper's document was written (new or changed);
 * - `withdrawn`: the document was written marked withdrawn (a tombstone: `reason` says why);
 * - `deleted`: the document was removed because the paper merged into another id
 *   (`reason`: `merged into <id>`);
 * - `purged`: `paperline purge --withdrawn` removed the withdrawn paper's document.
 */
export const CHANGE_OPS = ['upsert', 'withdrawn', 'deleted', 'purged'] as const;
export type ChangeOp = (typeof CHANGE_OPS)[number];

/** What the feed records of one write to one paper. */
export interface Change {
  /** The paper's canonical id. */
  id: string;
  op: ChangeOp;
  /**
   * The write's external version (the merge version: docs/record-schema.md). Within one paper,
   * entries only ever come with growing versions.
   */
  version: number;
  /** Why, for tombstones: `withdrawn on arxiv`, `merged into arxiv:2402.13572`, … */
  reason?: string;
}

/** One entry of the feed as read: the change, its cursor, and when it was appended. */
export interface ChangeEntry extends Change {
  /** Reading after this cursor returns the entries that follow this one. */
  cursor: string;
  /** When the entry was appended (ISO 8601, millisecond precision). */
  at: string;
}
