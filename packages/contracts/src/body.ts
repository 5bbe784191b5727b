/**
 * A fetched page's body as the parser stage holds it: its text, decoded on first use, and its
 * bytes when they are UTF-8. A parser that reads one part of a large page (an HF hydration blob)
 * decodes only that part from the bytes: V8 maps every string of 128 KiB or more into memory pages
 * of its own, so decoding a whole 440 KB listing cost more than parsing its blob.
 */
export interface PageBody {
  readonly utf8?: Buffer;
  text(): string;
}
