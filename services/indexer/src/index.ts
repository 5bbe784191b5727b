export * from './process.js';
export * from './batcher.js';
export * from './stage.js';
export * from './refresh.js';
export * from './refresh-control.js';
