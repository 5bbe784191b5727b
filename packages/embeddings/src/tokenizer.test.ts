import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_FILES, readModelFile, resolveModelDir } from './model.js';
import { BertTokenizer } from './tokenizer.js';

let tokenizer: BertTokenizer;
beforeAll(async () => {
  // The model's own tokenizer file, from set-up's cache (a clear error naming set-up when absent).
  tokenizer = BertTokenizer.fromJson(
    (await readModelFile(resolveModelDir(), MODEL_FILES.tokenizer)).toString(),
  );
});

describe('BertTokenizer', () => {
  it('wraps the WordPiece ids of bert-base-uncased in [CLS] … [SEP]', () => {
    expect(tokenizer.encode('Hello world', 256)).toEqual([101, 7592, 2088, 102]);
    expect(tokenizer.encode('unaffable', 256)).toEqual([101, 14477, 20961, 3468, 102]);
  });

  it('lowercases and strips accents before splitting', () => {
    expect(tokenizer.encode('CAFÉ Ångström', 256)).toEqual(tokenizer.encode('cafe angstrom', 256));
  });

  it('does not pad a short text', () => {
    expect(tokenizer.encode('a', 256)).toHaveLength(3);
  });

  it('keeps [CLS], the first maxTokens - 2 pieces and [SEP] of a long text', () => {
    const text = 'the quick brown fox jumps over the lazy dog '.repeat(40);
    const pieces = tokenizer.pieces(text);
    expect(pieces.length).toBeGreaterThan(300);
    for (const maxTokens of [128, 256]) {
      const ids = tokenizer.encode(text, maxTokens);
      expect(ids).toHaveLength(maxTokens);
      expect(ids).toEqual([101, ...pieces.slice(0, maxTokens - 2), 102]);
    }
  });

  it('gives no pieces for whitespace and control characters only', () => {
    expect(tokenizer.pieces(' \n\t\u0000 ')).toEqual([]);
  });
});
