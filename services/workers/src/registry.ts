import { checkRegistry, type AnyStageDefinition } from '@paperline/core/pipeline';
import { fetchStage } from '@paperline/fetcher';
import { parseStage } from '@paperline/parser';
import { dedupeStage, enrichStage } from '@paperline/deduplicator';
import { indexStage } from '@paperline/indexer';
import { embedStage } from '@paperline/embedder';

/**
 * Every pipeline stage this build runs. The one place a new stage is registered; at start-up it
 * is checked against the routing table (each queue exactly one stage, each stage a route).
 */
export const STAGE_DEFINITIONS: readonly AnyStageDefinition[] = [
  fetchStage,
  parseStage,
  dedupeStage,
  enrichStage,
  indexStage,
  embedStage,
];

/** The stages, checked; throws a CONFIG_INVALID error that names what is missing or doubled. */
export const stageRegistry = () => checkRegistry(STAGE_DEFINITIONS);
