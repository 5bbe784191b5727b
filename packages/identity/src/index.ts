export * from './ids.js';
export * from './fingerprint.js';
export * from './merge.js';
export * from './embedding.js';
