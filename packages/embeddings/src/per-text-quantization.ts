/**
 * The model as published quantizes each matrix product's input at run time with one scale and one
 * zero point for the whole input tensor (ONNX `DynamicQuantizeLinear`). In a batch, that tensor
 * holds every text's tokens, padding included, so the texts change each other's vectors (cosine
 * down to 0.993 against the same text alone). This rewrites the graph so that each text is
 * quantized with its own range, taken over its own tokens only — exactly what the published graph
 * computes for that text alone — and a batch gives every text the vector it gets on its own.
 *
 * For each `DynamicQuantizeLinear` of an activation `x` (`[batch, tokens, width]`):
 *   - its range per text: the minimum and maximum of `x × mask` over tokens and width (padded
 *     tokens become 0, which the range always includes), then the published formulas: scale
 *     `(max − min) / 255`, zero point `round(clip(−min / scale, 0, 255))`, and
 *     `q = clip(round(x / scale) + zeroPoint, 0, 255)` as uint8;
 *   - each `MatMulInteger(q, W, zeroPoint, wZeroPoint)` that consumed it takes no input zero point
 *     (ONNX Runtime accepts only a scalar there) and subtracts `zeroPoint × Σₖ(W − wZeroPoint)`
 *     afterwards in int32, the same integer sum the published graph computes.
 * The scale output keeps its name, now `[batch, 1, 1]`, and broadcasts where the scalar did.
 */
import protobuf from 'protobufjs';

/** The few ONNX messages (onnx.proto, IR version 7+) the rewrite reads or writes. */
const SCHEMA = `
syntax = "proto2";
message AttributeProto {
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  repeated int64 ints = 8;
  optional int32 type = 20;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string doc_string = 6;
  optional string domain = 7;
}
message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated int32 int32_data = 5 [packed = true];
  optional string name = 8;
  optional bytes raw_data = 9;
}
`;
const root = protobuf.parse(SCHEMA).root;
const NodeProto = root.lookupType('NodeProto');
const TensorProto = root.lookupType('TensorProto');

interface Attribute {
  name: string;
  type: number;
  i?: number;
  ints?: number[];
}
interface Node {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  attribute?: Attribute[];
  domain?: string;
}
interface Tensor {
  dims: Array<number | { toNumber(): number }>;
  dataType: number;
  int32Data?: number[];
  name: string;
  rawData?: Uint8Array;
}

/** ONNX TensorProto data types and AttributeProto types used here. */
const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT32 = 6;
const ATTR_INT = 2;
const ATTR_INTS = 7;

/** ModelProto.graph; GraphProto.node, .initializer, .value_info. */
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_VALUE_INFO = 13;

/** One length-delimited field of a message, as its field number and its bytes. */
interface RawField {
  field: number;
  wireType: number;
  /** The whole field (tag included), to copy it unchanged. */
  whole: Uint8Array;
  /** The payload of a length-delimited field. */
  body: Uint8Array;
}

function* rawFields(bytes: Uint8Array): Generator<RawField> {
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    let body = bytes.subarray(0, 0);
    if (wireType === 2) {
      const len = reader.uint32();
      body = bytes.subarray(reader.pos, reader.pos + len);
      reader.skip(len);
    } else {
      reader.skipType(wireType);
    }
    yield { field, wireType, whole: bytes.subarray(start, reader.pos), body };
  }
}

const decodeNode = (b: Uint8Array) => NodeProto.toObject(NodeProto.decode(b), { longs: Number }) as Node;
const decodeTensor = (b: Uint8Array) =>
  TensorProto.toObject(TensorProto.decode(b), { longs: Number, bytes: Uint8Array }) as Tensor;

/**
 * The published model's bytes → the same model with per-text quantization (see above). Throws when
 * the graph is not shaped as expected (a model this was not written for).
 */
export function perTextQuantization(model: Uint8Array): Uint8Array {
  const modelFields = [...rawFields(model)];
  const graphField = modelFields.find((f) => f.field === MODEL_GRAPH);
  if (!graphField) throw new Error('the model has no graph');
  const graph = rewriteGraph(graphField.body);
  const out = protobuf.Writer.create();
  for (const f of modelFields) {
    if (f.field === MODEL_GRAPH) out.uint32((MODEL_GRAPH << 3) | 2).bytes(graph);
    else out.raw(f.whole);
  }
  return out.finish();
}

function rewriteGraph(graphBytes: Uint8Array): Uint8Array {
  const fields = [...rawFields(graphBytes)];
  const nodes = fields.filter((f) => f.field === GRAPH_NODE).map((f) => decodeNode(f.body));
  const quantizers = new Map(
    nodes.filter((n) => n.opType === 'DynamicQuantizeLinear').map((n) => [n.output[0]!, n]),
  );
  const weights = new Map<string, Tensor>();
  const wanted = new Set(
    nodes
      .filter((n) => n.opType === 'MatMulInteger' && quantizers.has(n.input[0]!))
      .flatMap((n) => [n.input[1]!, n.input[3]!]),
  );
  for (const f of fields) {
    if (f.field !== GRAPH_INITIALIZER) continue;
    const t = decodeTensor(f.body);
    if (wanted.has(t.name)) weights.set(t.name, t);
  }
  if (quantizers.size === 0) throw new Error('the model has no DynamicQuantizeLinear to rewrite');

  const added: Tensor[] = [scalar('ptq/zero', 0), scalar('ptq/255', 255)];
  const out = protobuf.Writer.create();
  const writeNode = (n: Node) =>
    out.uint32((GRAPH_NODE << 3) | 2).bytes(NodeProto.encode(NodeProto.fromObject(n)).finish());
  let wroteMask = false;
  for (const f of fields) {
    // Shape hints, optional: some would be wrong now (a scale per text, a float zero point).
    if (f.field === GRAPH_VALUE_INFO) continue;
    if (f.field !== GRAPH_NODE) {
      out.raw(f.whole);
      continue;
    }
    if (!wroteMask) {
      for (const n of maskNodes()) writeNode(n);
      wroteMask = true;
    }
    const node = decodeNode(f.body);
    if (node.opType === 'DynamicQuantizeLinear') {
      for (const n of perTextQuantizer(node)) writeNode(n);
    } else if (node.opType === 'MatMulInteger' && quantizers.has(node.input[0]!)) {
      const sums = columnSums(node, weights);
      added.push(sums);
      for (const n of withoutInputZeroPoint(node, sums.name)) writeNode(n);
    } else {
      out.raw(f.whole);
    }
  }
  for (const t of added) {
    out.uint32((GRAPH_INITIALIZER << 3) | 2).bytes(TensorProto.encode(TensorProto.fromObject(t)).finish());
  }
  return out.finish();
}

const MASK = 'ptq/mask';

/** The attention mask as float `[batch, tokens, 1]`: 1 for a text's tokens, 0 for padding. */
function maskNodes(): Node[] {
  return [
    node('Cast', ['attention_mask'], ['ptq/mask_float'], [int('to', FLOAT)]),
    node('Unsqueeze', ['ptq/mask_float'], [MASK], [ints('axes', [2])]),
  ];
}

/** `DynamicQuantizeLinear(x) → q, scale, zeroPoint`, with one scale and zero point per text. */
function perTextQuantizer(dq: Node): Node[] {
  const [x] = dq.input as [string];
  const [q, scale, zeroPoint] = dq.output as [string, string, string];
  const p = `ptq/${q}/`;
  return [
    node('Mul', [x, MASK], [`${p}masked`]),
    node('ReduceMin', [`${p}masked`], [`${p}min`], [ints('axes', [1, 2]), int('keepdims', 1)]),
    node('ReduceMax', [`${p}masked`], [`${p}max`], [ints('axes', [1, 2]), int('keepdims', 1)]),
    // The range always includes 0 (it is what padding and zeros quantize to exactly).
    node('Min', [`${p}min`, 'ptq/zero'], [`${p}lo`]),
    node('Max', [`${p}max`, 'ptq/zero'], [`${p}hi`]),
    node('Sub', [`${p}hi`, `${p}lo`], [`${p}range`]),
    // An all-zero text has scale 1, as DynamicQuantizeLinear defines it.
    node('Equal', [`${p}range`, 'ptq/zero'], [`${p}flat`]),
    node('Where', [`${p}flat`, 'ptq/255', `${p}range`], [`${p}span`]),
    node('Div', [`${p}span`, 'ptq/255'], [scale]),
    node('Div', [`${p}lo`, scale], [`${p}lo_steps`]),
    node('Neg', [`${p}lo_steps`], [`${p}zp_raw`]),
    node('Clip', [`${p}zp_raw`, 'ptq/zero', 'ptq/255'], [`${p}zp_clipped`]),
    node('Round', [`${p}zp_clipped`], [zeroPoint]),
    node('Div', [x, scale], [`${p}steps`]),
    node('Round', [`${p}steps`], [`${p}rounded`]),
    node('Add', [`${p}rounded`, zeroPoint], [`${p}shifted`]),
    node('Clip', [`${p}shifted`, 'ptq/zero', 'ptq/255'], [`${p}clipped`]),
    node('Cast', [`${p}clipped`], [q], [int('to', UINT8)]),
  ];
}

/**
 * `MatMulInteger(q, W, zeroPoint, wZeroPoint) → y` as `MatMulInteger(q, W, —, wZeroPoint) −
 * zeroPoint × Σₖ(W − wZeroPoint)`, in int32 (`sums` names that constant).
 */
function withoutInputZeroPoint(mm: Node, sums: string): Node[] {
  const [q, w, zeroPoint, wZeroPoint] = mm.input as [string, string, string, string];
  const [y] = mm.output as [string];
  const p = `ptq/${y}/`;
  return [
    { ...mm, input: [q, w, '', wZeroPoint], output: [`${p}unshifted`] },
    node('Cast', [zeroPoint], [`${p}zp_int`], [int('to', INT32)]),
    node('Mul', [`${p}zp_int`, sums], [`${p}shift`]),
    node('Sub', [`${p}unshifted`, `${p}shift`], [y]),
  ];
}

/** `Σₖ(W[k, n] − wZeroPoint[n])` for each column n of an int8 weight, as an int32 initializer. */
function columnSums(mm: Node, weights: Map<string, Tensor>): Tensor {
  const w = weights.get(mm.input[1]!);
  const zp = weights.get(mm.input[3]!);
  if (!w?.rawData || w.dataType !== INT8 || w.dims.length !== 2 || !zp || zp.dataType !== INT8) {
    throw new Error(`MatMulInteger ${mm.name ?? ''}: expected an int8 [K, N] weight with int8 zero points`);
  }
  const [k, n] = w.dims.map(Number) as [number, number];
  const values = new Int8Array(w.rawData.buffer, w.rawData.byteOffset, k * n);
  const zeroPoints = zp.int32Data?.length ? zp.int32Data : Array.from(new Int8Array(zp.rawData ?? []));
  const sums = new Int32Array(n);
  for (let row = 0; row < k; row++) {
    for (let col = 0; col < n; col++) {
      sums[col]! += values[row * n + col]! - (zeroPoints.length === 1 ? zeroPoints[0]! : zeroPoints[col]!);
    }
  }
  return { name: `ptq/${mm.input[1]}/column_sums`, dims: [n], dataType: INT32, int32Data: Array.from(sums) };
}

function scalar(name: string, value: number): Tensor {
  const raw = new Uint8Array(4);
  new DataView(raw.buffer).setFloat32(0, value, true);
  return { name, dims: [], dataType: FLOAT, rawData: raw };
}

function node(opType: string, input: string[], output: string[], attribute: Attribute[] = []): Node {
  return { opType, input, output, name: `${output[0]}/${opType}`, attribute };
}

const int = (name: string, i: number): Attribute => ({ name, type: ATTR_INT, i });
const ints = (name: string, values: number[]): Attribute => ({ name, type: ATTR_INTS, ints: values });
