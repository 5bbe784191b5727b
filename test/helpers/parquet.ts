import { readFile } from 'node:fs/promises';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';

/**
 * A Parquet file read with parquet-wasm (the Rust arrow-rs reader, nothing shared with the
 * JavaScript writer Paperline uses): its columns' Arrow types (`Timestamp<MILLISECOND, UTC>`,
 * `List<Utf8>`…) and its rows as plain values (times as epoch milliseconds, lists as arrays,
 * groups as objects, nulls as null).
 */
export async function readParquetFile(
  path: string,
): Promise<{ types: Record<string, string>; rows: Array<Record<string, unknown>> }> {
  const table = tableFromIPC(readParquet(new Uint8Array(await readFile(path))).intoIPCStream());
  const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
  const json = JSON.stringify(table.toArray(), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v));
  return { types, rows: JSON.parse(json) as Array<Record<string, unknown>> };
}
