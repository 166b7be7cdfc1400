/**
 * The model LLM Lab ships (media/model/moby-gpt.onnx) against the course's own tensor kit.
 *
 * The kit's GPT, loaded with the weights read back from the file, and onnxruntime running the file
 * must agree on the logits and on every intermediate the graph exports (embeddings, attn_probs_i,
 * attn_out_i, block_out_i) to 1e-4, on held-out Moby-Dick text the model never trained on, for one
 * sequence and for a batch of four different ones; and greedy decoding must pick the same 100
 * characters. Like minGPT's check against Hugging Face's GPT-2: two independent implementations,
 * trained weights, logits with allclose, then identical greedy text.
 *
 * Also: the file is small enough to ship, a damaged copy fails with a clear ModelFileError, and a
 * sequence longer than the context is refused with a clear message by both implementations.
 *
 * LLM_LAB_MODEL_PATH points the test at another file (e.g. a `train:model -- --tiny` run).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GPT, noGrad } from '../../../src/kit';
import { type BundledModel, ModelFileError, ModelInputError, defaultModelPath, loadModel } from '../../../src/model';
import { buildCorpus } from '../../../src/model/train/data';
import { ROOT } from '../helpers';

const TOLERANCE = 1e-4;
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const modelPath = process.env.LLM_LAB_MODEL_PATH ?? defaultModelPath(ROOT);

let model: BundledModel;
let gpt: GPT;
/** The validation split: the last 10% of the book, held out from training. */
let heldOut: Uint8Array;

before(async () => {
  model = await loadModel(modelPath, { intraOpNumThreads: 1 });
  gpt = new GPT(model.config);
  gpt.loadState(new Map([...model.weights()].map(([name, t]) => [name, t.data])));
  const corpus = buildCorpus();
  assert.equal(model.metadata.data_sha256, corpus.sha256, 'the model was trained on this exact text (metadata data_sha256)');
  assert.deepEqual(model.vocab, corpus.vocab);
  heldOut = corpus.val;
});
after(() => model.dispose());

/** B excerpts of T characters from the held-out text, far apart from each other, row-major (B, T). */
function excerpts(B: number, T: number, first = 0): Int32Array {
  const ids = new Int32Array(B * T);
  const stride = Math.floor((heldOut.length - T) / 7);
  for (let b = 0; b < B; b++) ids.set(heldOut.subarray((first + b) * stride, (first + b) * stride + T), b * T);
  return ids;
}

/** Multi-dimensional index of flat offset k in a row-major shape. */
function unravel(k: number, shape: readonly number[]): number[] {
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(k % shape[d]);
    k = Math.floor(k / shape[d]);
  }
  return index;
}

/**
 * Shape first, then the number of values, then every value; a non-finite value on either side
 * fails (two NaNs are not "equal"). Names the first index that differs. Returns max |a - b|.
 */
function assertClose(name: string, kit: { data: ArrayLike<number>; shape: readonly number[] }, ort: { data: ArrayLike<number>; shape: readonly number[] }): number {
  assert.deepEqual([...kit.shape], [...ort.shape], `${name}: the kit's shape vs onnxruntime's`);
  assert.equal(kit.data.length, ort.data.length, `${name}: number of values`);
  let maxDiff = 0;
  for (let k = 0; k < kit.data.length; k++) {
    const a = kit.data[k];
    const b = ort.data[k];
    const diff = Math.abs(a - b);
    if (!Number.isFinite(a) || !Number.isFinite(b) || !(diff <= TOLERANCE)) {
      assert.fail(`${name}[${unravel(k, kit.shape).join(', ')}]: kit ${a}, onnxruntime ${b} (|diff| ${diff} > ${TOLERANCE})`);
    }
    maxDiff = Math.max(maxDiff, diff);
  }
  return maxDiff;
}

describe('the shipped model: kit GPT and onnxruntime agree on held-out text', () => {
  const cases = [
    { label: 'batch 1, a full context of held-out text', B: 1, first: 3 },
    { label: 'batch 4, a different held-out excerpt in each row', B: 4, first: 0 },
  ];
  for (const { label, B, first } of cases) {
    test(label, async (t) => {
      const T = model.config.blockSize;
      const ids = excerpts(B, T, first);
      const ort = await model.run(ids, B, T); // every output
      const kit = noGrad(() => gpt.forward(ids, B, T, { record: true }).intermediates);
      assert.deepEqual([...kit.keys()].sort(), [...model.outputNames].sort(), 'the kit records exactly the outputs the graph exports');
      for (const name of model.outputNames) {
        const maxDiff = assertClose(name, kit.get(name)!, ort[name]);
        t.diagnostic(`${name}: max |kit - onnxruntime| = ${maxDiff.toExponential(2)}`);
      }
      // The comparison is only meaningful if the trained model is sure of something.
      const logits = ort.logits.data;
      t.diagnostic(`largest |logit| ${Math.max(...Array.from(logits, Math.abs)).toFixed(2)}`);
    });
  }

  test('100 greedy characters from a held-out prompt are identical', async (t) => {
    const prompt = excerpts(1, 60, 5); // 60 + 100 > 128: the last steps crop the context
    const fromOrt = await model.greedy(prompt, 100);
    const fromKit = gpt.generate(prompt, 100, { greedy: true });
    const text = (ids: Int32Array): string => model.tokenizer.decode(ids.subarray(prompt.length));
    assert.equal(text(fromKit), text(fromOrt));
    assert.deepEqual(Array.from(fromKit), Array.from(fromOrt));
    t.diagnostic(`prompt ${JSON.stringify(model.tokenizer.decode(prompt))} -> ${JSON.stringify(text(fromOrt))}`);
  });
});

describe('the shipped file', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'llm-lab-bundled-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test(`is at most ${MAX_FILE_BYTES / 1024 / 1024} MB`, async (t) => {
    const { size } = await stat(modelPath);
    t.diagnostic(`${modelPath}: ${size} bytes`);
    assert.ok(size <= MAX_FILE_BYTES, `${modelPath} is ${size} bytes, more than ${MAX_FILE_BYTES}`);
  });

  test('a truncated copy fails to load with a ModelFileError that says so', async () => {
    const bytes = await readFile(modelPath);
    for (const keep of [Math.floor(bytes.length / 2), bytes.length - 1]) {
      const path = join(dir, `truncated-${keep}.onnx`);
      await writeFile(path, bytes.subarray(0, keep));
      await assert.rejects(loadModel(path), (err: unknown) => {
        assert.ok(err instanceof ModelFileError, `expected a ModelFileError for ${keep} of ${bytes.length} bytes, got ${String(err)}`);
        assert.equal(err.code, 'MODEL_FILE_CORRUPT');
        assert.equal(err.path, path);
        assert.match(err.message, /corrupt or truncated/);
        assert.ok(err.message.includes(path), `the message names the file: ${err.message}`);
        return true;
      });
    }
  });

  test('a sequence longer than the context is refused clearly by both implementations', async () => {
    const { blockSize } = model.config;
    const T = blockSize + 1;
    const ids = excerpts(1, T);
    const tooLong = new RegExp(`sequence length ${T} exceeds the model's context of ${blockSize}`);
    await assert.rejects(model.run(ids, 1, T), (err: unknown) => err instanceof ModelInputError && tooLong.test(err.message));
    assert.throws(() => gpt.forward(ids, 1, T), tooLong);
  });
});
