export * from './ids.js';
export * from './fingerprint.js';
export * from './merge.js';
