import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { perTextQuantization } from './per-text-quantization.js';

/** A ModelProto whose graph (field 7) holds one node (field 1) of `opType` (NodeProto field 4). */
function modelWith(opType: string): Uint8Array {
  const node = protobuf.Writer.create()
    .uint32((1 << 3) | 2)
    .string('x')
    .uint32((4 << 3) | 2)
    .string(opType)
    .finish();
  const graph = protobuf.Writer.create()
    .uint32((1 << 3) | 2)
    .bytes(node)
    .finish();
  return protobuf.Writer.create()
    .uint32((7 << 3) | 2)
    .bytes(graph)
    .finish();
}

describe('perTextQuantization', () => {
  it('refuses bytes that hold no graph', () => {
    expect(() => perTextQuantization(new Uint8Array())).toThrow('the model has no graph');
  });

  it('refuses a graph it was not written for (no DynamicQuantizeLinear)', () => {
    expect(() => perTextQuantization(modelWith('Relu'))).toThrow('no DynamicQuantizeLinear');
  });
});
