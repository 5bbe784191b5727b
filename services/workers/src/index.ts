/** `@paperline/workers`: the stage registry and the process that runs any set of stages. */
export * from './registry.js';
