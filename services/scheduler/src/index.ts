export * from './process.js';
export * from './sync.js';
export * from './service.js';
