export * from './process.js';
export * from './batcher.js';
export * from './stage.js';
