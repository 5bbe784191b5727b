export * from './process.js';
export * from './store.js';
