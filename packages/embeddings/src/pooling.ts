/**
 * Mean pooling over the attention mask: the average of the rows of `hidden` (row-major,
 * `mask.length` rows of `dims` values: one text's last hidden states) whose mask is non-zero.
 */
export function meanPool(hidden: Float32Array, mask: ArrayLike<number | bigint>, dims: number): Float32Array {
  if (hidden.length !== mask.length * dims) {
    throw new RangeError(`hidden states hold ${hidden.length} values, not ${mask.length} tokens × ${dims}`);
  }
  const sum = new Float64Array(dims);
  let count = 0;
  for (let t = 0; t < mask.length; t++) {
    if (Number(mask[t]) === 0) continue;
    count++;
    for (let d = 0; d < dims; d++) sum[d]! += hidden[t * dims + d]!;
  }
  return Float32Array.from(sum, (s) => s / Math.max(count, 1e-9));
}

/** `v` scaled to unit Euclidean length (a zero vector stays zero, as in sentence-transformers). */
export function l2Normalize(v: Float32Array): Float32Array {
  let squares = 0;
  for (const x of v) squares += x * x;
  const norm = Math.max(Math.sqrt(squares), 1e-12);
  return v.map((x) => x / norm);
}
