/**
 * Loading the model file: lazy onnxruntime, weights and metadata read back from the file,
 * the tokenizer, and a clear, typed error for every way a file or an input can be wrong.
 * (node --test runs each file in its own process, so the laziness check below sees a fresh
 * module cache.)
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { onnx } from 'onnx-proto';
import {
  type BundledModel, CharTokenizer, type GptConfig, ModelError, ModelFileError, ModelFormatError, ModelInputError, TokenizerError,
  defaultModelPath, exportGptToOnnx, gptWeightShapes, loadModel, loadModelFromBytes, mulberry32, randomGptWeights,
} from '../../../src/model';

const config: GptConfig = { vocabSize: 20, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
const vocab = [...'abcdefghijklmnop .\n'].concat('é');
const weights = randomGptWeights(config, { seed: 3 });
const modelBytes = exportGptToOnnx(config, weights, vocab, { trained_on: 'random weights', steps: '0' });

let dir: string;
let goodPath: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llm-lab-model-'));
  goodPath = join(dir, 'good.onnx');
  await writeFile(goodPath, modelBytes);
});
after(() => rm(dir, { recursive: true, force: true }));

/** Writes bytes to a fresh file in the temp folder and returns its path. */
async function fileWith(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

function onnxRuntimeLoaded(): boolean {
  return Object.keys(require.cache).some((file) => file.includes('onnxruntime-node'));
}

describe('loading a model file', () => {
  test('reads config, vocab and weights without loading onnxruntime; the session starts on first run', async () => {
    const model = await loadModel(goodPath);
    assert.deepEqual(model.config, config);
    model.weights();
    model.tokenizer.encode('abc');
    assert.equal(model.sessionStarted, false);
    assert.equal(onnxRuntimeLoaded(), false, 'onnxruntime-node was imported before it was needed');

    const { logits } = await model.run(model.tokenizer.encode('abc'), 1, 3, ['logits']);
    assert.equal(model.sessionStarted, true);
    assert.equal(onnxRuntimeLoaded(), true);
    assert.deepEqual(logits.shape, [1, 3, config.vocabSize]);
    await model.dispose();
  });

  test('weights read back by name equal the exported ones, with their shapes', async () => {
    const model = await loadModel(goodPath);
    const shapes = gptWeightShapes(config);
    assert.deepEqual(model.weightNames, [...shapes.keys()]);
    const all = model.weights();
    assert.equal(all.size, shapes.size);
    for (const [name, shape] of shapes) {
      const { data, shape: readShape } = model.weight(name);
      assert.deepEqual(readShape, shape, `${name}: shape`);
      assert.ok(data instanceof Float32Array);
      assert.deepEqual(data, weights.get(name), `${name}: values`);
      assert.deepEqual(all.get(name)?.data, weights.get(name));
    }
    // A fresh copy each time: changing it does not change the model.
    model.weight('wte.weight').data[0] = 1234;
    assert.equal(model.weight('wte.weight').data[0], weights.get('wte.weight')![0]);
    assert.throws(() => model.weight('lm_head.weight'), (err: unknown) =>
      err instanceof ModelInputError && /no weight named 'lm_head\.weight'.*wte\.weight/.test(err.message));
  });

  test('metadata round-trips', async () => {
    const model = await loadModel(goodPath);
    assert.deepEqual(model.vocab, vocab);
    assert.equal(model.metadata.format_version, '1');
    assert.deepEqual(JSON.parse(model.metadata.config), config);
    assert.deepEqual(JSON.parse(model.metadata.vocab), vocab);
    assert.equal(model.metadata.trained_on, 'random weights');
    assert.equal(model.metadata.steps, '0');
    assert.equal(model.source, goodPath);
    assert.deepEqual([...model.outputNames].sort(), [
      'attn_out_0', 'attn_out_1', 'attn_probs_0', 'attn_probs_1', 'block_out_0', 'block_out_1', 'embeddings', 'logits',
    ]);
  });

  test('defaultModelPath points into media/model/', () => {
    assert.equal(defaultModelPath(join('/ext', 'root')), join('/ext', 'root', 'media', 'model', 'moby-gpt.onnx'));
  });
});

describe('tokenizer', () => {
  const tokenizer = new CharTokenizer(vocab);

  test('encode then decode gives the text back, one id per character', () => {
    const text = 'hello. é\na';
    const ids = tokenizer.encode(text);
    assert.ok(ids instanceof Int32Array);
    assert.equal(ids.length, [...text].length);
    assert.deepEqual(Array.from(tokenizer.encode('ab\n')), [0, 1, 18]);
    assert.equal(tokenizer.decode(ids), text);
    assert.equal(tokenizer.decode(Array.from({ length: vocab.length }, (_, i) => i)), vocab.join(''));
    assert.equal(tokenizer.encode('').length, 0);
  });

  test('an unknown character is named, with its code point and position', () => {
    assert.throws(() => tokenizer.encode('abZ'), (err: unknown) =>
      err instanceof TokenizerError && err.code === 'TOKENIZER'
      && err.message === `the character "Z" (U+005A) at position 2 is not in the model's vocabulary of 20 characters`);
    assert.throws(() => tokenizer.encode('a\tb'), /"\\t" \(U\+0009\) at position 1/);
    assert.equal(tokenizer.canEncode('abc'), true);
    assert.equal(tokenizer.canEncode('abcZ'), false);
  });

  test('decoding an id outside the vocabulary fails clearly', () => {
    assert.throws(() => tokenizer.decode([0, 20]), /token id 20 at position 1 is outside the vocabulary \(0\.\.19\)/);
    assert.throws(() => tokenizer.decode([-1]), TokenizerError);
  });

  test('a vocabulary with duplicates or multi-character entries is rejected', () => {
    assert.throws(() => new CharTokenizer(['a', 'b', 'a']), /"a" \(U\+0061\) twice \(ids 0 and 2\)/);
    assert.throws(() => new CharTokenizer(['a', 'bc']), /entry 1 must be a single character/);
  });
});

describe('bad model files give clear, typed errors', () => {
  /** Asserts loadModel(path) rejects with this error class, code and message. */
  async function assertLoadFails(path: string, type: new (...args: never[]) => ModelError, code: string, message: RegExp): Promise<void> {
    await assert.rejects(loadModel(path), (err: unknown) => {
      assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
      assert.equal((err as ModelError).code, code);
      assert.match((err as Error).message, message);
      return true;
    });
  }
  const escaped = (path: string): string => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  test('missing file', async () => {
    const path = join(dir, 'does-not-exist.onnx');
    await assertLoadFails(path, ModelFileError, 'MODEL_FILE_MISSING', new RegExp(`^model file ${escaped(path)} is missing or unreadable: no such file$`));
  });

  test('empty file', async () => {
    const path = await fileWith('empty.onnx', new Uint8Array(0));
    await assertLoadFails(path, ModelFileError, 'MODEL_FILE_CORRUPT', new RegExp(`^model file ${escaped(path)} is corrupt or truncated: the file is empty \\(0 bytes\\)$`));
  });

  test('random bytes', async () => {
    // Some garbage fails to decode, some decodes as a protobuf with no graph: both are "corrupt".
    for (let seed = 1; seed <= 20; seed++) {
      const random = mulberry32(seed);
      const garbage = Uint8Array.from({ length: 1000 + 100 * seed }, () => Math.floor(random() * 256));
      const path = await fileWith(`random-${seed}.onnx`, garbage);
      await assertLoadFails(path, ModelFileError, 'MODEL_FILE_CORRUPT', new RegExp(`^model file ${escaped(path)} is corrupt or truncated: .+`));
    }
  });

  test('truncated file (the first half of a real model)', async () => {
    const path = await fileWith('half.onnx', modelBytes.subarray(0, Math.floor(modelBytes.length / 2)));
    await assertLoadFails(path, ModelFileError, 'MODEL_FILE_CORRUPT', new RegExp(`^model file ${escaped(path)} is corrupt or truncated: .*index out of range`));
  });

  test('a text file', async () => {
    const path = await fileWith('notes.onnx', new TextEncoder().encode('this is not a model\n'));
    await assertLoadFails(path, ModelFileError, 'MODEL_FILE_CORRUPT', /is corrupt or truncated: /);
  });

  /** Decodes our model, lets `edit` change it, and writes it back. */
  async function editedModel(name: string, edit: (proto: onnx.ModelProto) => void): Promise<string> {
    const proto = onnx.ModelProto.decode(modelBytes);
    edit(proto);
    return fileWith(name, onnx.ModelProto.encode(proto).finish());
  }

  test('an ONNX model without our metadata', async () => {
    const path = await editedModel('no-metadata.onnx', (proto) => {
      proto.metadataProps = [];
    });
    await assertLoadFails(path, ModelFormatError, 'MODEL_FORMAT',
      /^model file .*no-metadata\.onnx is an ONNX file but not an LLM Lab model: it has no 'format_version' metadata$/);
  });

  test('an ONNX model from a newer format, or with broken config JSON', async () => {
    const newer = await editedModel('newer.onnx', (proto) => {
      proto.metadataProps.find((entry) => entry.key === 'format_version')!.value = '2';
    });
    await assertLoadFails(newer, ModelFormatError, 'MODEL_FORMAT', /uses model format 2, this version of LLM Lab reads format 1/);
    const badConfig = await editedModel('bad-config.onnx', (proto) => {
      proto.metadataProps.find((entry) => entry.key === 'config')!.value = '{"vocabSize": 20';
    });
    await assertLoadFails(badConfig, ModelFormatError, 'MODEL_FORMAT', /its 'config' metadata is not valid JSON/);
  });

  test('an ONNX model missing an output or a weight', async () => {
    const noOutput = await editedModel('no-output.onnx', (proto) => {
      proto.graph!.output = proto.graph!.output!.filter((o) => o.name !== 'attn_probs_1');
    });
    await assertLoadFails(noOutput, ModelFormatError, 'MODEL_FORMAT', /the graph has no 'attn_probs_1' output$/);
    const noWeight = await editedModel('no-weight.onnx', (proto) => {
      proto.graph!.initializer = proto.graph!.initializer!.filter((t) => t.name !== 'h.1.mlp.fc.bias');
    });
    await assertLoadFails(noWeight, ModelFormatError, 'MODEL_FORMAT', /weight 'h\.1\.mlp\.fc\.bias' is missing$/);
  });

  test('a graph onnxruntime refuses: typed error on first run, and the next run tries again', async () => {
    const path = await editedModel('bad-op.onnx', (proto) => {
      proto.graph!.node!.find((node) => node.opType === 'Tanh')!.opType = 'NoSuchOp';
    });
    const model = await loadModel(path); // our own checks pass: metadata, outputs and weights are all there
    for (let attempt = 0; attempt < 2; attempt++) {
      await assert.rejects(model.run([1, 2], 1, 2), (err: unknown) =>
        err instanceof ModelError && err.code === 'MODEL_RUNTIME'
        && err.message.startsWith(`onnxruntime could not load model ${path}: `) && /NoSuchOp/.test(err.message));
    }
    await model.dispose();
  });

  test('a good model still loads and runs after all those failures', async () => {
    const model = await loadModel(goodPath);
    const { logits } = await model.run(model.tokenizer.encode('hello'), 1, 5, ['logits']);
    assert.deepEqual(logits.shape, [1, 5, config.vocabSize]);
    assert.ok(logits.data.every(Number.isFinite));
    await model.dispose();
  });
});

describe('bad inputs are caught before onnxruntime sees them', () => {
  let model: BundledModel;
  before(async () => {
    model = await loadModel(goodPath);
  });
  after(() => model.dispose());

  /** Asserts run() rejects with a ModelInputError whose message matches. */
  async function assertRunFails(run: () => Promise<unknown>, message: RegExp): Promise<void> {
    await assert.rejects(run, (err: unknown) => {
      assert.ok(err instanceof ModelInputError, `expected ModelInputError, got ${String(err)}`);
      assert.equal(err.code, 'MODEL_INPUT');
      assert.match(err.message, message);
      return true;
    });
  }

  test('a sequence longer than the context', async () => {
    const longConfig: GptConfig = { vocabSize: 20, blockSize: 128, nLayer: 1, nHead: 1, nEmbd: 8 };
    const long = loadModelFromBytes(exportGptToOnnx(longConfig, randomGptWeights(longConfig), vocab));
    await assertRunFails(() => long.run(new Int32Array(200), 1, 200), /^sequence length 200 exceeds the model's context of 128 tokens/);
    assert.equal(long.sessionStarted, false, 'the length was checked before creating a session');
    const { logits } = await long.run(new Int32Array(128), 1, 128, ['logits']);
    assert.deepEqual(logits.shape, [1, 128, 20]);
    await long.dispose();
  });

  test('ids that do not fill B x T', async () => {
    await assertRunFails(() => model.run(new Int32Array(10), 3, 4), /^batch mismatch: ids has 10 values but B × T = 3 × 4 = 12$/);
    await assertRunFails(() => model.run(new Int32Array(4), 0, 4), /B=0, T=4/);
    await assertRunFails(() => model.run(new Int32Array(4), 1.5, 4), /positive integers/);
  });

  test('a token id outside the vocabulary', async () => {
    await assertRunFails(() => model.run(Int32Array.from([1, 2, 3, 4, 5, 20]), 2, 3), /^token id 20 \(sequence 1, position 2\) is outside the vocabulary 0\.\.19$/);
    await assertRunFails(() => model.run([0, -1], 1, 2), /token id -1/);
  });

  test('an output the model does not have', async () => {
    await assertRunFails(() => model.run(new Int32Array(2), 1, 2, ['attn_probs_2']), /no output 'attn_probs_2'; its outputs are logits, embeddings/);
    await assertRunFails(() => model.run(new Int32Array(2), 1, 2, []), /at least one output/);
  });

  test('greedy needs a prompt and a whole number of tokens', async () => {
    await assertRunFails(() => model.greedy([], 3), /needs a prompt of at least one token/);
    await assertRunFails(() => model.greedy([1], -1), /non-negative integer, got -1/);
  });

  test('the same model still runs after those errors', async () => {
    const { logits, attn_probs_0 } = await model.run(Int32Array.from([1, 2, 3, 4]), 2, 2, ['logits', 'attn_probs_0']);
    assert.deepEqual(logits.shape, [2, 2, 20]);
    assert.deepEqual(attn_probs_0.shape, [2, 2, 2, 2]);
  });
});

describe('dispose', () => {
  test('a disposed model refuses to run but still reads weights', async () => {
    const model = loadModelFromBytes(modelBytes);
    await model.run([1, 2], 1, 2, ['logits']);
    await model.dispose();
    await model.dispose(); // twice is fine
    await assert.rejects(model.run([1, 2], 1, 2), (err: unknown) => err instanceof ModelError && err.code === 'MODEL_DISPOSED');
    assert.deepEqual(model.weight('ln_f.bias').data, weights.get('ln_f.bias'));
  });

  test('dispose waits for runs in progress', async () => {
    const model = loadModelFromBytes(modelBytes);
    const runs = [model.run([1, 2, 3], 1, 3), model.run([4, 5], 1, 2)];
    await new Promise((resolve) => setTimeout(resolve, 5));
    await model.dispose();
    for (const result of await Promise.allSettled(runs)) {
      // Each run either finished with real logits or was refused as disposed, never a crash.
      if (result.status === 'fulfilled') assert.ok(result.value.logits.data.every(Number.isFinite));
      else assert.equal((result.reason as ModelError).code, 'MODEL_DISPOSED');
    }
  });

  test('dispose before the first run never starts a session', async () => {
    const model = loadModelFromBytes(modelBytes);
    await model.dispose();
    assert.equal(model.sessionStarted, false);
    await assert.rejects(model.greedy([1], 1), /has been disposed/);
  });
});
