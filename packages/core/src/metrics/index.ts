/** Cluster-wide worker metrics: recorded in worker processes, aggregated in Redis, read by the API. */
export * from './catalog.js';
export * from './recorder.js';
export * from './reader.js';
export * from './papers.js';
export * from './instrument.js';
