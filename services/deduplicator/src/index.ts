export * from './process.js';
export * from './store.js';
export * from './stage.js';
