export * from './process.js';
export * from './sync.js';
