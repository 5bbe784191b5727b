/** Narrowing helpers for JSON of unknown shape (no casts to `any`). */
import { parseJsonBytes } from './json-bytes.js';

export type JsonObject = { readonly [key: string]: unknown };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The property as a string, or undefined when absent, null or not a string. */
export function str(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/** The property as an array, or undefined. */
export function arr(o: JsonObject, key: string): readonly unknown[] | undefined {
  const v = o[key];
  return Array.isArray(v) ? v : undefined;
}

/** The property as an object, or undefined. */
export function obj(o: JsonObject, key: string): JsonObject | undefined {
  const v = o[key];
  return isObject(v) ? v : undefined;
}

/**
 * `JSON.parse` that reports failure as a message instead of throwing; UTF-8 bytes are parsed
 * without one string of the whole text ({@link parseJsonBytes}).
 */
export function parseJson(
  text: string | Buffer,
): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    const value: unknown =
      typeof text === 'string' ? JSON.parse(text.replace(/^\uFEFF/, '')) : parseJsonBytes(text);
    return { ok: true, value };
  } catch (err: unknown) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
