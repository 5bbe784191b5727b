import { z } from 'zod';

/** Sources Paperline reads. */
export const SOURCE_IDS = ['hf', 'arxiv'] as const;
export const SourceIdSchema = z.enum(SOURCE_IDS);
export type SourceId = z.infer<typeof SourceIdSchema>;

const isoDate = z.iso.datetime({ offset: true });

export const SourceRefSchema = z.object({
  source: SourceIdSchema,
  url: z.url(),
  fetchedAt: isoDate,
  parserVersion: z.string().min(1),
});
export type SourceRef = z.infer<typeof SourceRefSchema>;

export const LinksSchema = z.object({
  abs: z.url().optional(),
  pdf: z.url().optional(),
  hf: z.url().optional(),
  project: z.url().optional(),
});
export type Links = z.infer<typeof LinksSchema>;

/** One arXiv version: `v1` submitted at…, its size as arXiv reports it (in kilobytes). */
export const ArxivVersionSchema = z.object({
  version: z.number().int().positive(),
  submittedAt: isoDate.optional(),
  sizeKb: z.number().int().nonnegative().optional(),
});
export type ArxivVersion = z.infer<typeof ArxivVersionSchema>;

/** The Hugging Face organization a paper is filed under. */
export const OrganizationSchema = z.object({
  name: z.string().min(1),
  fullname: z.string().min(1).optional(),
});
export type Organization = z.infer<typeof OrganizationSchema>;

const count = z.number().int().nonnegative();

/**
 * Fields beyond identity and bibliography (all optional, absent when a source does not give them):
 * arXiv's version history, licence, journal reference and comments; Hugging Face's repository,
 * stars, organization, AI summary and linked-repository counts.
 */
const ExtraFieldsSchema = z.object({
  /** Every version arXiv lists, ascending by version. */
  versions: z.array(ArxivVersionSchema).optional(),
  /** The licence URL arXiv gives (`http://creativecommons.org/licenses/by/4.0/`). */
  license: z.url().optional(),
  journalRef: z.string().min(1).optional(),
  comments: z.string().min(1).optional(),
  /** The repository HF links (`githubRepo`), canonical `https://github.com/<owner>/<repo>`. */
  githubRepo: z.url().optional(),
  githubStars: count.optional(),
  organization: OrganizationSchema.optional(),
  /** Hugging Face's `ai_summary`. */
  aiSummary: z.string().min(1).optional(),
  /** How many models, datasets and Spaces on Hugging Face cite the paper. */
  linkedModelCount: count.optional(),
  linkedDatasetCount: count.optional(),
  linkedSpaceCount: count.optional(),
});

/**
 * What one source says about one paper, as a parser produces it (a "candidate").
 * Identity (`id`) and merge across sources happen in the dedupe stage.
 */
export const PaperCandidateSchema = z.object({
  source: SourceIdSchema,
  url: z.url(),
  fetchedAt: isoDate,
  parserVersion: z.string().min(1),
  arxivId: z.string().min(1).optional(),
  arxivVersion: z.number().int().positive().optional(),
  doi: z.string().min(1).optional(),
  title: z.string().min(1, 'title is empty'),
  abstract: z.string().optional(),
  authors: z.array(z.string().min(1)),
  authorCount: z.number().int().nonnegative(),
  publishedAt: isoDate.optional(),
  categories: z.array(z.string().min(1)).optional(),
  keywords: z.array(z.string().min(1)).optional(),
  upvotes: z.number().int().nonnegative().optional(),
  codeUrls: z.array(z.url()).optional(),
  links: LinksSchema.optional(),
  withdrawn: z.boolean().optional(),
  ...ExtraFieldsSchema.shape,
});
export type PaperCandidate = z.infer<typeof PaperCandidateSchema>;

/** PaperRecord v1: one Elasticsearch document per paper, `_id` = `id` (docs/record-schema.md). */
export const PaperRecordSchema = z.object({
  id: z.string().regex(/^(arxiv|doi|title):.+$/, 'id must be arxiv:…, doi:… or title:…'),
  arxivId: z.string().optional(),
  arxivVersion: z.number().int().positive().optional(),
  doi: z.string().optional(),
  title: z.string().min(1),
  abstract: z.string().optional(),
  authors: z.array(z.string()),
  authorCount: z.number().int().nonnegative(),
  publishedAt: isoDate.optional(),
  categories: z.array(z.string()),
  keywords: z.array(z.string()),
  upvotes: z.number().int().nonnegative().optional(),
  codeUrls: z.array(z.string()),
  links: LinksSchema,
  ...ExtraFieldsSchema.shape,
  sources: z.array(SourceRefSchema).min(1),
  withdrawn: z.boolean(),
  firstSeenAt: isoDate,
  updatedAt: isoDate,
  contentHash: z.string().min(1),
  parserVersion: z.string().min(1),
  /**
   * The paper's sentence embedding (all-MiniLM-L6-v2, unit length) and the sha256 of the text it
   * was computed from (title + newline + abstract); absent until the embedder has run. Not part of
   * `contentHash`.
   */
  embedding: z
    .object({ vector: z.array(z.number()).length(384), textHash: z.string().regex(/^[0-9a-f]{64}$/) })
    .optional(),
});
export type PaperRecord = z.infer<typeof PaperRecordSchema>;
