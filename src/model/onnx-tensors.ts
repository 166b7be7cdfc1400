/**
 * Float32 tensors in and out of ONNX's TensorProto (the protobuf message that holds weights).
 *
 * Values go in `raw_data` as little-endian float32, the layout onnxruntime reads without copying.
 * Reading also accepts the `float_data` field, which other exporters use for small tensors.
 * Weights stored in a separate file ("external data") are not supported: our models are small.
 */
import { onnx } from 'onnx-proto';

/** A row-major float32 tensor: the same shape as the kit's NDArray. */
export interface Float32Tensor {
  data: Float32Array;
  shape: number[];
}

/** protobufjs gives int64 fields as numbers, or as Long objects when the 'long' package is around. */
export type Int64 = number | { toNumber(): number };

export function int64ToNumber(value: Int64 | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** Packs a Float32Array into a TensorProto named `name` (dims = shape, data as little-endian bytes). */
export function floatTensorProto(name: string, shape: readonly number[], values: Float32Array): onnx.ITensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
  return { name, dims: [...shape], dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw };
}

/**
 * Reads a float32 TensorProto back. Throws (with a plain message the caller wraps) when the
 * type is not FLOAT, the data is external, or the byte count does not match the dims.
 */
export function readFloatTensorProto(tensor: onnx.ITensorProto): Float32Tensor {
  const shape = (tensor.dims ?? []).map(int64ToNumber);
  const count = shape.reduce((n, d) => n * d, 1);
  if (tensor.dataType !== onnx.TensorProto.DataType.FLOAT) {
    throw new Error(`tensor '${tensor.name}' has ONNX data type ${tensor.dataType}, expected FLOAT (1)`);
  }
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new Error(`tensor '${tensor.name}' keeps its data in an external file, which LLM Lab does not support`);
  }
  const data = new Float32Array(count);
  const raw = tensor.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== 4 * count) {
      throw new Error(`tensor '${tensor.name}' has ${raw.length} bytes of data, expected ${4 * count} for shape [${shape.join(', ')}]`);
    }
    // raw may be a view at any byte offset, so read through a DataView rather than reinterpreting the buffer.
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, true);
  } else {
    const values = tensor.floatData ?? [];
    if (values.length !== count) {
      throw new Error(`tensor '${tensor.name}' has ${values.length} values, expected ${count} for shape [${shape.join(', ')}]`);
    }
    data.set(values);
  }
  return { data, shape };
}
