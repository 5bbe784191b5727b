export * from './queues.js';
export * from './record.js';
export * from './jobs.js';
export * from './crawl.js';
export * from './errors.js';
export * from './route.js';
export * from './feed.js';
export * from './body.js';
