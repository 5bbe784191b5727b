import { createLogger } from '@paperline/core/process';
import type { StageContext } from '@paperline/core/pipeline';

/** What a stage's `process` gets from the runner, for calling it directly: a first attempt, silent. */
export const stageContext = (jobId: string): StageContext => ({
  jobId,
  attempt: 1,
  log: createLogger({ level: 'silent' }),
  signal: new AbortController().signal,
});
