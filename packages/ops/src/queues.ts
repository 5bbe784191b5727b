import type { Queue } from 'bullmq';
import { STAGES } from '@paperline/contracts';
import type { StageQueues } from '@paperline/core/pipeline';

/** A queue with the name operations show it under (a stage, or `schedule`). */
export interface NamedQueue {
  name: string;
  queue: Queue;
}

/** The four stage queues, in pipeline order. */
export function stageQueueList(queues: StageQueues): NamedQueue[] {
  return STAGES.map((name) => ({ name, queue: queues[name] }));
}
