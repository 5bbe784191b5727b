import { PaperlineError, type ErrorContext } from '@paperline/contracts';

/**
 * The local stack could not be brought up, inspected or stopped: a service did not answer, a tool
 * is missing, a version does not match. The message says what is wrong and how to fix it; retrying
 * the same call will not help until that is done.
 */
export class StackError extends PaperlineError {
  constructor(message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super('STACK_UNAVAILABLE', message, 'permanent', { stage: 'stack', ...options });
  }
}

/** Narrows an unknown thrown value to a Node.js system error with a `code`. */
export function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

/** A one-line description of an unknown thrown value, for error messages. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = isErrnoException(err) ? err.code : undefined;
    const cause = err.cause instanceof Error ? `: ${describeError(err.cause)}` : '';
    return `${code !== undefined && !err.message.includes(code) ? `${code} ` : ''}${err.message}${cause}`;
  }
  return String(err);
}
