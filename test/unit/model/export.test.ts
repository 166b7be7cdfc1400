/**
 * The ONNX file exportGptToOnnx writes, read back with onnx-proto (no onnxruntime): opset,
 * the input and outputs with their dynamic dimensions, weights as initializers with exactly
 * the documented names, metadata; and the exporter's refusals of inconsistent arguments.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { onnx } from 'onnx-proto';
import { type GptConfig, exportGptToOnnx, gptWeightShapes, randomGptWeights, validateConfig } from '../../../src/model';

const config: GptConfig = { vocabSize: 12, blockSize: 6, nLayer: 3, nHead: 4, nEmbd: 8 };
const vocab = [...'abcdefghij \n'];
const weights = randomGptWeights(config, { seed: 5 });

/** Dims of a value info as numbers (fixed) or names (dynamic). */
function dimsOf(info: onnx.IValueInfoProto): (number | string)[] {
  return (info.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue)));
}

describe('exportGptToOnnx: the file', () => {
  const proto = onnx.ModelProto.decode(exportGptToOnnx(config, weights, vocab, { note: 'hello' }));
  const graph = proto.graph!;

  test('uses the default ONNX domain at opset 17, IR version 8', () => {
    assert.equal(Number(proto.irVersion), 8);
    assert.deepEqual(proto.opsetImport.map((o) => [o.domain, Number(o.version)]), [['', 17]]);
    assert.ok(graph.node!.every((node) => !node.domain), 'no custom-domain ops');
  });

  test('has one int64 input_ids (batch, sequence)', () => {
    assert.equal(graph.input!.length, 1);
    const input = graph.input![0];
    assert.equal(input.name, 'input_ids');
    assert.equal(input.type?.tensorType?.elemType, onnx.TensorProto.DataType.INT64);
    assert.deepEqual(dimsOf(input), ['batch', 'sequence']);
  });

  test('declares every output with dynamic batch and sequence', () => {
    const { vocabSize: V, nHead: nh, nEmbd: C } = config;
    const expected: [string, (number | string)[]][] = [
      ['logits', ['batch', 'sequence', V]],
      ['embeddings', ['batch', 'sequence', C]],
    ];
    for (let i = 0; i < config.nLayer; i++) {
      expected.push([`attn_probs_${i}`, ['batch', nh, 'sequence', 'sequence']]);
      expected.push([`attn_out_${i}`, ['batch', 'sequence', C]]);
      expected.push([`block_out_${i}`, ['batch', 'sequence', C]]);
    }
    assert.deepEqual(graph.output!.map((o) => [o.name, dimsOf(o)]), expected);
    assert.ok(graph.output!.every((o) => o.type?.tensorType?.elemType === onnx.TensorProto.DataType.FLOAT));
    // Each output is produced by exactly one node.
    for (const [name] of expected) {
      assert.equal(graph.node!.filter((node) => node.output!.includes(name)).length, 1, `${name} is produced once`);
    }
  });

  test('stores exactly the named weights as float32 initializers, values intact', () => {
    const shapes = gptWeightShapes(config);
    assert.deepEqual(graph.initializer!.map((t) => t.name), [...shapes.keys()]);
    for (const tensor of graph.initializer!) {
      assert.deepEqual(tensor.dims!.map(Number), shapes.get(tensor.name!), `${tensor.name}: dims`);
      assert.equal(tensor.dataType, onnx.TensorProto.DataType.FLOAT);
      const raw = tensor.rawData!;
      const values = new Float32Array(Uint8Array.from(raw).buffer); // little-endian, like every machine VS Code runs on
      assert.deepEqual(values, weights.get(tensor.name!), `${tensor.name}: values`);
    }
  });

  test('has no LM head weight: the head is tied to wte', () => {
    assert.ok(!graph.initializer!.some((t) => /lm_head/.test(t.name ?? '')));
    const logitsNode = graph.node!.find((node) => node.output![0] === 'logits')!;
    assert.equal(logitsNode.opType, 'MatMul');
    const transposeOfWte = graph.node!.find((node) => node.output![0] === logitsNode.input![1])!;
    assert.equal(transposeOfWte.opType, 'Transpose');
    assert.deepEqual(transposeOfWte.input, ['wte.weight']);
  });

  test('every node input is a graph input, an initializer or an earlier node output', () => {
    const known = new Set<string>(['input_ids', ...graph.initializer!.map((t) => t.name!)]);
    for (const node of graph.node!) {
      for (const input of node.input!) assert.ok(known.has(input), `${node.name} (${node.opType}) reads unknown '${input}'`);
      for (const output of node.output!) {
        assert.ok(!known.has(output), `'${output}' is produced twice`);
        known.add(output);
      }
    }
  });

  test('metadata: format_version, config, vocab and the extra entries', () => {
    const metadata = Object.fromEntries(proto.metadataProps.map((e) => [e.key, e.value]));
    assert.deepEqual(Object.keys(metadata), ['format_version', 'config', 'vocab', 'note']);
    assert.equal(metadata.format_version, '1');
    assert.deepEqual(JSON.parse(metadata.config!), config);
    assert.deepEqual(JSON.parse(metadata.vocab!), vocab);
    assert.equal(metadata.note, 'hello');
  });
});

describe('exportGptToOnnx: refuses inconsistent arguments', () => {
  const without = (name: string): Map<string, Float32Array> => {
    const copy = new Map(weights);
    copy.delete(name);
    return copy;
  };

  test('a missing, extra, wrongly sized or non-finite weight', () => {
    assert.throws(() => exportGptToOnnx(config, without('h.2.attn.v.bias'), vocab), /missing weight 'h\.2\.attn\.v\.bias' \(shape \[8\]\)/);
    const extra = new Map(weights).set('lm_head.weight', new Float32Array(96));
    assert.throws(() => exportGptToOnnx(config, extra, vocab), /unexpected weight 'lm_head\.weight'/);
    const short = new Map(weights).set('wpe.weight', new Float32Array(5));
    assert.throws(() => exportGptToOnnx(config, short, vocab), /'wpe\.weight' has 5 values, shape \[6, 8\] needs 48/);
    const nan = new Map(weights).set('ln_f.bias', Float32Array.from([0, 0, NaN, 0, 0, 0, 0, 0]));
    assert.throws(() => exportGptToOnnx(config, nan, vocab), /'ln_f\.bias' has a non-finite value NaN at index 2/);
  });

  test('a vocabulary that does not fit', () => {
    assert.throws(() => exportGptToOnnx(config, weights, vocab.slice(1)), /vocab has 11 characters but config\.vocabSize is 12/);
    assert.throws(() => exportGptToOnnx(config, weights, [...vocab.slice(0, 11), 'a']), /vocab has "a" twice/);
    assert.throws(() => exportGptToOnnx(config, weights, [...vocab.slice(0, 11), 'ab']), /vocab\[11\] must be a single character/);
  });

  test('a bad config or a reserved metadata key', () => {
    assert.throws(() => validateConfig({ ...config, nHead: 3 }), /nEmbd \(8\) must be divisible by nHead \(3\)/);
    assert.throws(() => validateConfig({ ...config, nLayer: 0 }), /nLayer must be a positive integer, got 0/);
    assert.throws(() => exportGptToOnnx(config, weights, vocab, { vocab: '[]' }), /extraMetadata may not set 'vocab'/);
  });
});
