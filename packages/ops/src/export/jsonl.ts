import type { FormatWriter } from './format-writer.js';

/** JSON Lines: each paper as stored (the API's record), one per line, pages written as they come. */
export const writeJsonl: FormatWriter = async (pages, file) => {
  for await (const page of pages) await file.write(page.map((doc) => `${JSON.stringify(doc)}\n`).join(''));
};
