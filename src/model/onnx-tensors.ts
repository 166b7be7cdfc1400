/**
 * Float32 tensors in and out of ONNX's TensorProto (the protobuf message that holds weights).
 *
 * Values go in `raw_data` as little-endian float32, the layout onnxruntime reads without copying,
 * or as float16 (IEEE half precision) when a file should be half the size: the shipped model
 * stores its weights that way and casts them to float32 inside the graph.
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
 * Packs a Float32Array into a FLOAT16 TensorProto (round to nearest even). Values must fit in
 * half precision (|x| < 65504); anything else is an error rather than a silent infinity.
 */
export function float16TensorProto(name: string, shape: readonly number[], values: Float32Array): onnx.ITensorProto {
  const raw = new Uint8Array(values.length * 2);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) {
    const bits = float32ToFloat16Bits(values[i]);
    if ((bits & 0x7c00) === 0x7c00) throw new Error(`tensor '${name}': value ${values[i]} at index ${i} does not fit in float16`);
    view.setUint16(2 * i, bits, true);
  }
  return { name, dims: [...shape], dataType: onnx.TensorProto.DataType.FLOAT16, rawData: raw };
}

/** Rounds every value to the nearest float16, in place: what a FLOAT16 round trip would give. */
export function roundToFloat16(values: Float32Array): Float32Array {
  for (let i = 0; i < values.length; i++) values[i] = float16BitsToFloat32(float32ToFloat16Bits(values[i]));
  return values;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary32 -> binary16 bits, round to nearest, ties to even (overflow gives infinity). */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // inf or NaN
  const e = exponent - 127 + 15; // re-biased exponent
  if (e >= 0x1f) return sign | 0x7c00; // too large: infinity
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit 1 into the mantissa.
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (half + (rest > halfway || (rest === halfway && (half & 1)) ? 1 : 0));
  }
  const half = mantissa >>> 13;
  const rest = mantissa & 0x1fff;
  let bits = (e << 10) | half;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) bits += 1; // may carry into the exponent: still right
  return sign | bits;
}

let HALF_TABLE: Float32Array | undefined;

/** float16BitsToFloat32 for every 16-bit pattern, built on first use. */
function halfTable(): Float32Array {
  if (!HALF_TABLE) {
    HALF_TABLE = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) HALF_TABLE[bits] = float16BitsToFloat32(bits);
  }
  return HALF_TABLE;
}

/** IEEE 754 binary16 bits -> number. */
export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * Reads a float32 (or float16) TensorProto back as float32. Throws (with a plain message the caller wraps) when the
 * type is not FLOAT, the data is external, or the byte count does not match the dims.
 */
export function readFloatTensorProto(tensor: onnx.ITensorProto): Float32Tensor {
  const shape = (tensor.dims ?? []).map(int64ToNumber);
  const count = shape.reduce((n, d) => n * d, 1);
  const isHalf = tensor.dataType === onnx.TensorProto.DataType.FLOAT16;
  if (tensor.dataType !== onnx.TensorProto.DataType.FLOAT && !isHalf) {
    throw new Error(`tensor '${tensor.name}' has ONNX data type ${tensor.dataType}, expected FLOAT (1) or FLOAT16 (10)`);
  }
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new Error(`tensor '${tensor.name}' keeps its data in an external file, which LLM Lab does not support`);
  }
  const data = new Float32Array(count);
  if (isHalf) {
    // float16 lives in raw_data (2 bytes each) or, per the ONNX spec, as bit patterns in int32_data.
    const raw = tensor.rawData;
    if (raw && raw.length > 0) {
      if (raw.length !== 2 * count) {
        throw new Error(`tensor '${tensor.name}' has ${raw.length} bytes of data, expected ${2 * count} for float16 shape [${shape.join(', ')}]`);
      }
      // A table of all 65,536 halves makes decoding a lookup (the shipped model has 0.8M weights).
      const table = halfTable();
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (let i = 0; i < count; i++) data[i] = table[view.getUint16(2 * i, true)];
    } else {
      const bits = tensor.int32Data ?? [];
      if (bits.length !== count) throw new Error(`tensor '${tensor.name}' has ${bits.length} values, expected ${count} for shape [${shape.join(', ')}]`);
      for (let i = 0; i < count; i++) data[i] = float16BitsToFloat32(bits[i]);
    }
    return { data, shape };
  }
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
