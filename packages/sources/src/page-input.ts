import type { PageBody } from '@paperline/contracts';
import type { PageInput } from './types.js';

/** A {@link PageInput} whose `body` is decoded from `page` only when a parser first reads it. */
export function pageInput(fields: Omit<PageInput, 'body' | 'utf8'>, page: PageBody): PageInput {
  return {
    ...fields,
    ...(page.utf8 ? { utf8: page.utf8 } : {}),
    get body(): string {
      return page.text();
    },
  };
}

/** `input` with another final URL, its `body` still unread (a spread would read, so decode, it). */
export function withFinalUrl(input: PageInput, finalUrl: string): PageInput {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(input)) as PageInput;
  return Object.defineProperty(copy, 'finalUrl', { value: finalUrl, enumerable: true, writable: true });
}
