import { createHash } from 'node:crypto';

/**
 * The text a paper's vector is computed from: its title, a newline and its abstract (the title
 * alone when it has none). The one place this rule is written: the deduplicator decides from its
 * hash whether a merge needs a new vector, the embedder embeds it.
 */
export function embeddingText(paper: { title: string; abstract?: string | undefined }): string {
  return paper.abstract ? `${paper.title}\n${paper.abstract}` : paper.title;
}

/** sha256 (lowercase hex) of a paper's {@link embeddingText}: a vector is current while it matches. */
export function embeddingTextHash(paper: { title: string; abstract?: string | undefined }): string {
  return createHash('sha256').update(embeddingText(paper)).digest('hex');
}
