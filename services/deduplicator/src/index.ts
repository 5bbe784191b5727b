export * from './process.js';
export * from './store.js';
export * from './stage.js';
export * from './enrich-process.js';
export * from './enrich-stage.js';
