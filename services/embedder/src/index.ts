export * from './process.js';
export * from './stage.js';
export * from './batcher.js';
