export * from './process.js';
export * from './batcher.js';
