/**
 * The exported ONNX GPT, run by onnxruntime, against an independent reference: the same GPT
 * written below as plain nested loops in float64, straight from the maths (nanoGPT's model.py).
 * Every graph output (embeddings, each layer's attention pattern, attention output and block
 * output, logits) must agree within 1e-4, for one sequence and for a batch of three.
 * Then the properties a GPT must have: causality, and greedy decoding that crops its context.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type BundledModel, type GptConfig, exportGptToOnnx, gptOutputShapes, loadModelFromBytes, mulberry32, randomGptWeights,
} from '../../../src/model';

const TOLERANCE = 1e-4;
const config: GptConfig = { vocabSize: 20, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
const vocab = [...'abcdefghijklmnopqr \n'];
const weights = randomGptWeights(config, { seed: 7 });

interface Tensor64 {
  data: Float64Array;
  shape: number[];
}

// --- The reference forward pass ---------------------------------------------------------------------

/** LayerNorm of each row of x (N rows of C): (x - mean) / sqrt(biased var + 1e-5) * g + b. */
function layerNorm(x: Float64Array, C: number, g: Float32Array, b: Float32Array): Float64Array {
  const y = new Float64Array(x.length);
  for (let row = 0; row < x.length / C; row++) {
    let mean = 0;
    for (let c = 0; c < C; c++) mean += x[row * C + c];
    mean /= C;
    let variance = 0;
    for (let c = 0; c < C; c++) variance += (x[row * C + c] - mean) ** 2;
    variance /= C;
    for (let c = 0; c < C; c++) {
      y[row * C + c] = ((x[row * C + c] - mean) / Math.sqrt(variance + 1e-5)) * g[c] + b[c];
    }
  }
  return y;
}

/** y = x W^T + b for each row of x; W is (nOut, nIn) as in PyTorch. */
function linear(x: Float64Array, nIn: number, nOut: number, W: Float32Array, b: Float32Array): Float64Array {
  const rows = x.length / nIn;
  const y = new Float64Array(rows * nOut);
  for (let row = 0; row < rows; row++) {
    for (let o = 0; o < nOut; o++) {
      let s = b[o];
      for (let i = 0; i < nIn; i++) s += x[row * nIn + i] * W[o * nIn + i];
      y[row * nOut + o] = s;
    }
  }
  return y;
}

function gelu(x: Float64Array): Float64Array {
  return x.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + b[i]);
}

/** The whole GPT in float64 loops; returns every tensor the ONNX graph outputs. */
function referenceForward(cfg: GptConfig, w: Map<string, Float32Array>, ids: number[], B: number, T: number): Record<string, Tensor64> {
  const { vocabSize: V, nLayer, nHead: nh, nEmbd: C } = cfg;
  const hs = C / nh;
  const get = (name: string): Float32Array => {
    const value = w.get(name);
    assert.ok(value, `reference: missing weight ${name}`);
    return value;
  };
  const out: Record<string, Tensor64> = {};

  // Embeddings: token row plus position row.
  const wte = get('wte.weight');
  const wpe = get('wpe.weight');
  let x: Float64Array = new Float64Array(B * T * C); // (B, T, C)
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) x[(b * T + t) * C + c] = wte[ids[b * T + t] * C + c] + wpe[t * C + c];
    }
  }
  out.embeddings = { data: x.slice(), shape: [B, T, C] };

  for (let l = 0; l < nLayer; l++) {
    const p = `h.${l}`;
    // Attention on ln_1(x).
    const h = layerNorm(x, C, get(`${p}.ln_1.weight`), get(`${p}.ln_1.bias`));
    const q = linear(h, C, C, get(`${p}.attn.q.weight`), get(`${p}.attn.q.bias`)); // (B, T, C)
    const k = linear(h, C, C, get(`${p}.attn.k.weight`), get(`${p}.attn.k.bias`));
    const v = linear(h, C, C, get(`${p}.attn.v.weight`), get(`${p}.attn.v.bias`));
    const probs = new Float64Array(B * nh * T * T); // (B, nh, T, T), zero above the diagonal
    const y = new Float64Array(B * T * C); // (B, T, C), heads side by side
    for (let b = 0; b < B; b++) {
      for (let head = 0; head < nh; head++) {
        for (let i = 0; i < T; i++) {
          // Scores of query i against keys 0..i (later keys are masked out).
          const scores: number[] = [];
          for (let j = 0; j <= i; j++) {
            let s = 0;
            for (let d = 0; d < hs; d++) s += q[(b * T + i) * C + head * hs + d] * k[(b * T + j) * C + head * hs + d];
            scores.push(s / Math.sqrt(hs));
          }
          const max = Math.max(...scores);
          const exps = scores.map((s) => Math.exp(s - max));
          const sum = exps.reduce((a, e) => a + e, 0);
          for (let j = 0; j <= i; j++) probs[((b * nh + head) * T + i) * T + j] = exps[j] / sum;
          for (let d = 0; d < hs; d++) {
            let s = 0;
            for (let j = 0; j <= i; j++) s += probs[((b * nh + head) * T + i) * T + j] * v[(b * T + j) * C + head * hs + d];
            y[(b * T + i) * C + head * hs + d] = s;
          }
        }
      }
    }
    const a = linear(y, C, C, get(`${p}.attn.proj.weight`), get(`${p}.attn.proj.bias`));
    out[`attn_probs_${l}`] = { data: probs, shape: [B, nh, T, T] };
    out[`attn_out_${l}`] = { data: a, shape: [B, T, C] };
    x = add(x, a);
    // MLP on ln_2(x).
    const h2 = layerNorm(x, C, get(`${p}.ln_2.weight`), get(`${p}.ln_2.bias`));
    const fc = linear(h2, C, 4 * C, get(`${p}.mlp.fc.weight`), get(`${p}.mlp.fc.bias`)); // (B, T, 4C)
    const m = linear(gelu(fc), 4 * C, C, get(`${p}.mlp.proj.weight`), get(`${p}.mlp.proj.bias`)); // (B, T, C)
    x = add(x, m);
    out[`block_out_${l}`] = { data: x.slice(), shape: [B, T, C] };
  }

  // Final LayerNorm and the tied head: logits[v] = xf . wte[v].
  const xf = layerNorm(x, C, get('ln_f.weight'), get('ln_f.bias'));
  const logits = new Float64Array(B * T * V);
  for (let row = 0; row < B * T; row++) {
    for (let tok = 0; tok < V; tok++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += xf[row * C + c] * wte[tok * C + c];
      logits[row * V + tok] = s;
    }
  }
  out.logits = { data: logits, shape: [B, T, V] };
  return out;
}

// --- Comparing ----------------------------------------------------------------------------------------

/** Multi-dimensional index of flat offset k in a row-major shape. */
function unravel(k: number, shape: number[]): number[] {
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(k % shape[d]);
    k = Math.floor(k / shape[d]);
  }
  return index;
}

/** Shape first, then every value; non-finite values always fail. Returns the max abs difference. */
function assertClose(name: string, actual: { data: ArrayLike<number>; shape: number[] }, expected: Tensor64, tol = TOLERANCE): number {
  assert.deepEqual(actual.shape, expected.shape, `${name}: shape`);
  assert.equal(actual.data.length, expected.data.length, `${name}: number of values`);
  let maxDiff = 0;
  for (let k = 0; k < expected.data.length; k++) {
    const a = actual.data[k];
    const e = expected.data[k];
    const diff = Math.abs(a - e);
    if (!Number.isFinite(a) || !(diff <= tol)) {
      assert.fail(`${name}[${unravel(k, expected.shape).join(', ')}]: onnxruntime gives ${a}, reference ${e} (|diff| ${diff} > ${tol})`);
    }
    maxDiff = Math.max(maxDiff, diff);
  }
  return maxDiff;
}

function randomIds(count: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => Math.floor(random() * config.vocabSize));
}

// --- Tests ------------------------------------------------------------------------------------------------

describe('ONNX GPT matches the float64 reference forward pass', () => {
  let model: BundledModel;
  before(() => {
    model = loadModelFromBytes(exportGptToOnnx(config, weights, vocab), { intraOpNumThreads: 1 });
  });
  after(() => model.dispose());

  const cases = [
    { label: 'batch 1, full context (T = blockSize = 8)', B: 1, T: 8, seed: 11 },
    { label: 'batch 3, T = 5', B: 3, T: 5, seed: 12 },
    { label: 'batch 2, a single token (T = 1)', B: 2, T: 1, seed: 13 },
  ];
  for (const { label, B, T, seed } of cases) {
    test(label, async (t) => {
      const ids = randomIds(B * T, seed);
      const actual = await model.run(Int32Array.from(ids), B, T);
      const expected = referenceForward(config, weights, ids, B, T);
      const names = [...gptOutputShapes(config).keys()];
      assert.deepEqual(Object.keys(actual).sort(), [...names].sort(), 'run() returns every output by default');
      for (const name of names) {
        const maxDiff = assertClose(name, actual[name], expected[name]);
        t.diagnostic(`${name}: max |onnx - reference| = ${maxDiff.toExponential(2)}`);
      }
    });
  }

  test('larger weights (uniform in ±1.5): logits in the tens, saturated GELU and softmax', async (t) => {
    const bigWeights = randomGptWeights(config, { seed: 8, scale: 1.5 });
    const big = loadModelFromBytes(exportGptToOnnx(config, bigWeights, vocab));
    const ids = randomIds(2 * 8, 14);
    const actual = await big.run(Int32Array.from(ids), 2, 8);
    const expected = referenceForward(config, bigWeights, ids, 2, 8);
    const largestLogit = Math.max(...Array.from(expected.logits.data, Math.abs));
    assert.ok(largestLogit > 10, `the test needs large logits, got ${largestLogit}`);
    for (const name of big.outputNames) {
      // Relative to the size of the values: float32 keeps about 7 significant digits.
      const scale = Math.max(1, ...Array.from(expected[name].data, Math.abs));
      const maxDiff = assertClose(name, actual[name], expected[name], TOLERANCE * scale);
      t.diagnostic(`${name}: max |onnx - reference| = ${maxDiff.toExponential(2)} (values up to ${scale.toFixed(1)})`);
    }
    await big.dispose();
  });

  test('the reference and the test would notice a wrong weight', async () => {
    // Guard against a comparison that cannot fail: perturb one bias in the reference only.
    const ids = randomIds(8, 11);
    const actual = await model.run(Int32Array.from(ids), 1, 8, ['logits']);
    // (One channel only: adding the same amount to every channel would be removed by ln_f's mean.)
    const changed = new Map(weights);
    changed.set('h.1.mlp.proj.bias', weights.get('h.1.mlp.proj.bias')!.map((v, c) => (c === 3 ? v + 0.01 : v)));
    const expected = referenceForward(config, changed, ids, 1, 8);
    assert.throws(() => assertClose('logits', actual.logits, expected.logits), /logits\[0, 0, \d+\]: onnxruntime gives/);
  });

  test('attention probabilities are exactly 0 on future keys and rows sum to 1', async () => {
    const B = 2;
    const T = 8;
    const out = await model.run(Int32Array.from(randomIds(B * T, 21)), B, T, ['attn_probs_0', 'attn_probs_1']);
    for (const name of ['attn_probs_0', 'attn_probs_1']) {
      const { data, shape } = out[name];
      assert.deepEqual(shape, [B, config.nHead, T, T]);
      for (let row = 0; row < B * config.nHead * T; row++) {
        const i = row % T; // query position
        let sum = 0;
        for (let j = 0; j < T; j++) {
          const p = data[row * T + j];
          if (j > i) assert.equal(p, 0, `${name}: query ${i} attends to future key ${j}`);
          else assert.ok(p > 0, `${name}: query ${i} gives key ${j} no weight`);
          sum += p;
        }
        assert.ok(Math.abs(sum - 1) < 1e-6, `${name}: row for query ${i} sums to ${sum}`);
      }
    }
  });

  test('causal: changing the last token changes no earlier logits', async () => {
    const T = 8;
    const V = config.vocabSize;
    const ids = randomIds(T, 31);
    const changed = [...ids];
    changed[T - 1] = (ids[T - 1] + 7) % V;
    const before = (await model.run(Int32Array.from(ids), 1, T, ['logits'])).logits.data;
    const afterChange = (await model.run(Int32Array.from(changed), 1, T, ['logits'])).logits.data;
    for (let k = 0; k < (T - 1) * V; k++) {
      assert.equal(afterChange[k], before[k], `logit ${k % V} at position ${Math.floor(k / V)} changed`);
    }
    // ...while the last position does see its own token.
    const lastDiff = Math.max(...Array.from({ length: V }, (_, v) => Math.abs(afterChange[(T - 1) * V + v] - before[(T - 1) * V + v])));
    assert.ok(lastDiff > 1e-3, `the last position's logits should change, max diff ${lastDiff}`);
  });

  test('each sequence of a batch is computed on its own', async () => {
    const T = 6;
    const ids = randomIds(3 * T, 41);
    const batched = (await model.run(Int32Array.from(ids), 3, T, ['block_out_1'])).block_out_1;
    const C = config.nEmbd;
    for (let b = 0; b < 3; b++) {
      const single = (await model.run(Int32Array.from(ids.slice(b * T, (b + 1) * T)), 1, T, ['block_out_1'])).block_out_1;
      const slice = batched.data.subarray(b * T * C, (b + 1) * T * C);
      for (let k = 0; k < T * C; k++) assert.ok(Math.abs(slice[k] - single.data[k]) < 1e-6, `sequence ${b}, value ${k}`);
    }
  });

  test('greedy decoding matches the reference argmax, cropping to the last blockSize tokens', async () => {
    const prompt = randomIds(5, 51);
    const n = 7; // 5 + 7 = 12 > blockSize 8, so the last steps must crop
    const expected = [...prompt];
    for (let step = 0; step < n; step++) {
      const context = expected.slice(-config.blockSize);
      const T = context.length;
      const { logits } = referenceForward(config, weights, context, 1, T);
      const last = Array.from(logits.data.subarray((T - 1) * config.vocabSize, T * config.vocabSize));
      expected.push(last.indexOf(Math.max(...last)));
    }
    const generated = await model.greedy(Int32Array.from(prompt), n);
    assert.ok(generated instanceof Int32Array);
    assert.deepEqual(Array.from(generated), expected);
    assert.deepEqual(Array.from(await model.greedy(prompt, 0)), prompt, 'n = 0 returns the prompt');
  });
});
