/**
 * Half-precision weight storage: the shipped model keeps its weights as float16 (half the download)
 * and casts them to float32 inside the graph. The conversion is checked bit for bit on values whose
 * float16 encoding is known, then a float16 export is read back and run by onnxruntime.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onnx } from 'onnx-proto';
import { GPT, noGrad } from '../../../src/kit';
import { exportGptToOnnx, loadModelFromBytes, randomGptWeights } from '../../../src/model';
import { float16BitsToFloat32, float32ToFloat16Bits, roundToFloat16 } from '../../../src/model/onnx-tensors';

test('float32 -> float16 bits: exact values, rounding to nearest even, subnormals, overflow', () => {
  const cases: [number, number][] = [
    [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff],
    [0.1, 0x2e66], // 0.0999755859375 is the nearest half
    [1 + 2 ** -11, 0x3c00], // exactly halfway between 1 and the next half: ties go to the even mantissa
    [1 + 3 * 2 ** -11, 0x3c02], // halfway between 0x3c01 and 0x3c02: even is 0x3c02
    [2 ** -24, 0x0001], [2 ** -14, 0x0400], [2 ** -26, 0x0000],
    [65520, 0x7c00], [Infinity, 0x7c00], [-Infinity, 0xfc00],
  ];
  for (const [value, bits] of cases) {
    assert.equal(float32ToFloat16Bits(value), bits, `${value} -> 0x${bits.toString(16)}`);
  }
  assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN))));
  for (const [value, bits] of cases.filter(([v]) => Number.isFinite(v) && Math.abs(v) <= 65504)) {
    assert.equal(float16BitsToFloat32(bits), Math.fround(float16BitsToFloat32(bits)), 'every half is a float32');
    assert.ok(Math.abs(float16BitsToFloat32(bits) - value) <= Math.abs(value) * 2 ** -11 + 2 ** -25, `${value} round trip`);
  }
});

test('a float16 export stores half-size initializers, reads back rounded, and onnxruntime equals the kit', async () => {
  const config = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
  const weights = randomGptWeights(config, { seed: 7, scale: 0.5 });
  const vocab = 'abcdefghij '.split('');
  const full = exportGptToOnnx(config, weights, vocab);
  const half = exportGptToOnnx(config, weights, vocab, {}, { weightType: 'float16' });
  const rawBytes = (bytes: Uint8Array) => onnx.ModelProto.decode(bytes).graph!.initializer!.reduce((n, t) => n + (t.rawData?.length ?? 0), 0);
  assert.equal(rawBytes(half) * 2, rawBytes(full), 'the weights take half the bytes');
  assert.ok(half.length < full.length);

  const proto = onnx.ModelProto.decode(half);
  for (const init of proto.graph!.initializer!) {
    assert.equal(init.dataType, onnx.TensorProto.DataType.FLOAT16, `${init.name} is float16`);
    assert.ok(init.name!.endsWith('.fp16'));
  }

  const model = loadModelFromBytes(half, { intraOpNumThreads: 1 });
  try {
    for (const [name, w] of weights) {
      assert.deepEqual(Array.from(model.weight(name).data), Array.from(roundToFloat16(Float32Array.from(w))), `${name} reads back as its float16 rounding`);
    }
    const gpt = new GPT(config);
    gpt.loadState(new Map([...model.weights()].map(([name, t]) => [name, t.data])));
    const ids = [1, 2, 3, 4, 5, 6, 7, 8];
    const ort = await model.run(ids, 1, 8, ['logits']);
    const kit = noGrad(() => gpt.forward(ids, 1, 8).logits);
    let maxDiff = 0;
    kit.data.forEach((v, i) => { maxDiff = Math.max(maxDiff, Math.abs(v - ort.logits.data[i])); });
    assert.ok(maxDiff <= 1e-5, `max |kit - onnxruntime| ${maxDiff}`);
  } finally {
    model.dispose();
  }
});
