export * from './process.js';
export * from './stage.js';
