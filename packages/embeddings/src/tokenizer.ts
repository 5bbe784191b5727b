import { Tokenizer } from '@huggingface/tokenizers';

/** Longest input the model takes: its position embeddings stop at 512. */
export const MODEL_MAX_TOKENS = 512;

/**
 * The model's WordPiece tokenizer (lowercasing, accents stripped), read from its `tokenizer.json`.
 * The file's own truncation (128) and padding settings are not applied: {@link encode} truncates.
 */
export class BertTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    private readonly cls: number,
    private readonly sep: number,
  ) {}

  /** Builds it from the text of a `tokenizer.json` whose vocabulary has `[CLS]` and `[SEP]`. */
  static fromJson(json: string): BertTokenizer {
    const tokenizer = new Tokenizer(JSON.parse(json) as object, {});
    const id = (token: string): number => {
      const found = tokenizer.token_to_id(token);
      if (found === undefined) throw new Error(`the tokenizer has no ${token} token`);
      return found;
    };
    return new BertTokenizer(tokenizer, id('[CLS]'), id('[SEP]'));
  }

  /** The WordPiece ids of `text`, without special tokens and without truncation. */
  pieces(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /**
   * The model input for `text`: `[CLS]`, its first `maxTokens - 2` WordPiece ids, `[SEP]` — the
   * right-truncation sentence-transformers applies.
   */
  encode(text: string, maxTokens: number): number[] {
    return [this.cls, ...this.pieces(text).slice(0, maxTokens - 2), this.sep];
  }
}
