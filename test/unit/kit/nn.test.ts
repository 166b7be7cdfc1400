/**
 * nn modules and the GPT: shapes, the parameter-name contract, the causal property, weight
 * loading, sampling, gradients through the whole model, and that a tiny GPT can learn.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AdamW, Block, CausalSelfAttention, GPT, type GPTConfig, type KVCache, LayerNorm, Linear, MLP, Rng, Tensor, add,
  clipGradNorm, linear, matmul, mean, narrow, sampleLogits, sum, tensor, transpose, variance, zeros,
} from '../../../src/kit/index';
import { assertClose, assertGradcheck } from './helpers';

const rng = new Rng(99);
function randT(shape: number[], requiresGrad = false): Tensor {
  const t = zeros(shape, { requiresGrad });
  for (let i = 0; i < t.size; i++) t.data[i] = rng.normal();
  return t;
}
const randIds = (n: number, V: number, r = rng) => Int32Array.from({ length: n }, () => r.randint(0, V));

const tiny: GPTConfig = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 };

describe('Linear, LayerNorm, MLP', () => {
  test('Linear: weight (out, in), bias (out), y = x W^T + b', () => {
    const lin = new Linear(4, 3, true, new Rng(1));
    assert.deepEqual([...lin.namedParameters()].map(([n, p]) => [n, p.shape]), [['weight', [3, 4]], ['bias', [3]]]);
    const x = randT([2, 5, 4]);
    const y = lin.forward(x);
    assert.deepEqual(y.shape, [2, 5, 3]);
    assertClose(y, add(matmul(x, transpose(lin.weight, 0, 1)), lin.bias!), { atol: 1e-6 });
    assert.equal(new Linear(4, 3, false).bias, null);
    assert.equal(new Linear(4, 3, false).parameters().length, 1);
  });

  test('LayerNorm: every row comes out with mean 0 and (biased) variance 1 at init', () => {
    const ln = new LayerNorm(6);
    const y = ln.forward(add(mul3(randT([3, 4, 6])), 7));
    assertClose(mean(y, -1), zeros([3, 4]), { atol: 1e-5 });
    assertClose(variance(y, -1), tensor(new Float32Array(12).fill(1), [3, 4]), { atol: 1e-3 }); // eps shifts it a little
    assert.deepEqual([...ln.namedParameters().keys()], ['weight', 'bias']);
  });

  test('MLP: C -> 4C -> C', () => {
    const mlp = new MLP(8);
    assert.deepEqual(mlp.fc.weight.shape, [32, 8]);
    assert.deepEqual(mlp.proj.weight.shape, [8, 32]);
    assert.deepEqual(mlp.forward(randT([2, 3, 8])).shape, [2, 3, 8]);
  });
});

function mul3(t: Tensor): Tensor {
  for (let i = 0; i < t.size; i++) t.data[i] *= 3;
  return t;
}

describe('CausalSelfAttention and Block', () => {
  test('shapes, and attention rows are probabilities over the past only', () => {
    const attn = new CausalSelfAttention(8, 2, new Rng(2));
    const recorded = new Map<string, Tensor>();
    const y = attn.forward(randT([3, 5, 8]), (name, t) => recorded.set(name, t));
    assert.deepEqual(y.shape, [3, 5, 8]);
    const p = recorded.get('attn_probs')!;
    assert.deepEqual(p.shape, [3, 2, 5, 5]); // (B, nh, T, T)
    for (let row = 0; row < 3 * 2 * 5; row++) {
      const i = row % 5; // query position
      let s = 0;
      for (let j = 0; j < 5; j++) {
        const v = p.data[row * 5 + j];
        if (j > i) assert.equal(v, 0, `future key ${j} of query ${i} has probability ${v}`);
        s += v;
      }
      assertClose(s, 1, { atol: 1e-6 });
    }
    assert.throws(() => new CausalSelfAttention(10, 3), /not divisible/);
  });

  test('head h uses only channels [h*hs, (h+1)*hs) of q and k', () => {
    const attn = new CausalSelfAttention(4, 2, new Rng(3));
    const x = randT([1, 3, 4]);
    const probs = (): Float32Array => {
      let p: Tensor | undefined;
      attn.forward(x, (_, t) => (p = t));
      return p!.data.slice();
    };
    const before = probs();
    for (let c = 0; c < 4; c++) attn.q.weight.data[2 * 4 + c] += 1; // change q's channel 2: head 1
    const after = probs();
    assertClose(after.subarray(0, 9), before.subarray(0, 9), { what: 'head 0' });
    assert.notDeepEqual(after.subarray(9, 18), before.subarray(9, 18));
  });

  test('Block keeps the shape and records the attention output', () => {
    const block = new Block(8, 2, new Rng(4));
    const names: string[] = [];
    assert.deepEqual(block.forward(randT([2, 4, 8]), (n) => names.push(n)).shape, [2, 4, 8]);
    assert.deepEqual(names, ['attn_probs', 'attn_out']);
  });

  test('gradients through attention (gradcheck)', () => {
    const attn = new CausalSelfAttention(4, 2, new Rng(5));
    const x = randT([2, 3, 4], true);
    assertGradcheck(() => attn.forward(x), [x, attn.q.weight, attn.k.bias!, attn.v.weight, attn.proj.weight]);
  });
});

describe('GPT', () => {
  test('parameter names and shapes follow the export contract, in order', () => {
    const C = 8;
    const model = new GPT({ ...tiny, nLayer: 1 });
    const expected: [string, number[]][] = [
      ['wte.weight', [11, C]], ['wpe.weight', [8, C]],
      ['h.0.ln_1.weight', [C]], ['h.0.ln_1.bias', [C]],
      ['h.0.attn.q.weight', [C, C]], ['h.0.attn.q.bias', [C]],
      ['h.0.attn.k.weight', [C, C]], ['h.0.attn.k.bias', [C]],
      ['h.0.attn.v.weight', [C, C]], ['h.0.attn.v.bias', [C]],
      ['h.0.attn.proj.weight', [C, C]], ['h.0.attn.proj.bias', [C]],
      ['h.0.ln_2.weight', [C]], ['h.0.ln_2.bias', [C]],
      ['h.0.mlp.fc.weight', [4 * C, C]], ['h.0.mlp.fc.bias', [4 * C]],
      ['h.0.mlp.proj.weight', [C, 4 * C]], ['h.0.mlp.proj.bias', [C]],
      ['ln_f.weight', [C]], ['ln_f.bias', [C]],
    ];
    assert.deepEqual([...model.namedParameters()].map(([n, p]) => [n, p.shape]), expected);
    assert.equal(new GPT(tiny).namedParameters().size, 2 + 16 * 2 + 2);
    assert.equal(model.numParameters(), expected.reduce((s, [, shape]) => s + shape.reduce((p, d) => p * d, 1), 0));
  });

  test('init follows nanoGPT: N(0, 0.02), residual projections 0.02/sqrt(2 nLayer), zero biases, unit LN weights', () => {
    const model = new GPT({ vocabSize: 64, blockSize: 32, nLayer: 4, nHead: 4, nEmbd: 64 });
    const std = (t: Tensor) => Math.sqrt(t.data.reduce((s, v) => s + v * v, 0) / t.size);
    const p = model.namedParameters();
    assert.ok(Math.abs(std(p.get('wte.weight')!) - 0.02) < 0.002);
    assert.ok(Math.abs(std(p.get('h.1.attn.q.weight')!) - 0.02) < 0.002);
    assert.ok(Math.abs(std(p.get('h.1.mlp.fc.weight')!) - 0.02) < 0.002);
    const residual = 0.02 / Math.sqrt(8);
    assert.ok(Math.abs(std(p.get('h.2.attn.proj.weight')!) - residual) < 0.001);
    assert.ok(Math.abs(std(p.get('h.2.mlp.proj.weight')!) - residual) < 0.001);
    assert.ok(p.get('h.0.mlp.fc.bias')!.data.every((v) => v === 0));
    assert.ok(p.get('ln_f.weight')!.data.every((v) => v === 1) && p.get('h.3.ln_2.weight')!.data.every((v) => v === 1));
    // the same seed builds the same model
    assert.deepEqual(new GPT(tiny, new Rng(8)).stateDict(), new GPT(tiny, new Rng(8)).stateDict());
  });

  test('forward: logits (B, T, V) and the recorded intermediates, named and shaped as in the export', () => {
    const model = new GPT(tiny);
    const B = 2, T = 5;
    const { logits, loss, intermediates } = model.forward(randIds(B * T, 11), B, T, { record: true });
    assert.deepEqual(logits.shape, [B, T, 11]);
    assert.equal(loss, null);
    const shapes = Object.fromEntries([...intermediates].map(([n, t]) => [n, t.shape]));
    assert.deepEqual(shapes, {
      embeddings: [B, T, 8],
      attn_probs_0: [B, 2, T, T], attn_out_0: [B, T, 8], block_out_0: [B, T, 8],
      attn_probs_1: [B, 2, T, T], attn_out_1: [B, T, 8], block_out_1: [B, T, 8],
      logits: [B, T, 11],
    });
    assert.equal(intermediates.get('logits'), logits);
    assert.equal(model.forward(randIds(B * T, 11), B, T).intermediates.size, 0);
  });

  test('the semantics spelled out: embeddings = wte[ids] + wpe[t], block_out = x + attn_out + mlp, tied head', () => {
    const model = new GPT(tiny, new Rng(11));
    const ids = Int32Array.from([3, 1, 4, 1]);
    const { logits, intermediates: rec } = model.forward(ids, 1, 4, { record: true });
    const wte = model.wte.weight.data, wpe = model.wpe.weight.data;
    const emb = rec.get('embeddings')!.data;
    for (let t = 0; t < 4; t++) {
      for (let c = 0; c < 8; c++) assertClose(emb[t * 8 + c], wte[ids[t] * 8 + c] + wpe[t * 8 + c], { atol: 1e-7 });
    }
    const x1 = add(rec.get('embeddings')!, rec.get('attn_out_0')!);
    const mlpOut = model.h[0].mlp.forward(model.h[0].ln_2.forward(x1));
    assertClose(rec.get('block_out_0')!, add(x1, mlpOut), { atol: 1e-6 });
    const head = matmul(model.ln_f.forward(rec.get('block_out_1')!), transpose(model.wte.weight, 0, 1));
    assertClose(logits, head, { atol: 1e-5 });
  });

  test('a sequence longer than the context is refused with a clear message', () => {
    const model = new GPT({ ...tiny, blockSize: 128 });
    assert.throws(() => model.forward(new Int32Array(200), 1, 200), /^Error: sequence length 200 exceeds the model's context of 128$/);
    assert.throws(() => model.forward(new Int32Array(5), 2, 3), /got 5 ids for B=2, T=3/);
    assert.throws(() => model.forward(Int32Array.from([11]), 1, 1), /out of range for 11 rows/);
  });

  test('causal: changing a token never changes the logits of earlier positions', () => {
    const model = new GPT(tiny, new Rng(12));
    const T = 8;
    const ids = randIds(T, 11, new Rng(13));
    const base = model.forward(ids, 1, T).logits.data;
    for (const t of [0, 3, 7]) {
      const changed = ids.slice();
      changed[t] = (changed[t] + 5) % 11;
      const out = model.forward(changed, 1, T).logits.data;
      assert.deepEqual(out.subarray(0, t * 11), base.subarray(0, t * 11), `positions before ${t} changed`);
      assert.notDeepEqual(out.subarray(t * 11), base.subarray(t * 11), `position ${t} did not react to its own token`);
    }
  });

  test('batch rows are independent: a sequence gives the same logits alone or in a batch', () => {
    const model = new GPT(tiny, new Rng(14));
    const ids = randIds(3 * 6, 11);
    const batched = model.forward(ids, 3, 6).logits;
    const alone = model.forward(ids.subarray(6, 12), 1, 6).logits;
    assertClose(narrow(batched, 0, 1, 1), alone.data, { atol: 1e-6 });
  });

  test('stateDict / loadState round trip, and mismatches are named', () => {
    const a = new GPT(tiny, new Rng(1));
    const b = new GPT(tiny, new Rng(2));
    const ids = randIds(8, 11);
    assert.notDeepEqual(a.forward(ids, 1, 8).logits.data, b.forward(ids, 1, 8).logits.data);
    b.loadState(a.stateDict());
    assert.deepEqual(b.forward(ids, 1, 8).logits.data, a.forward(ids, 1, 8).logits.data);

    const state = a.stateDict();
    state.delete('h.1.mlp.fc.bias');
    state.set('lm_head.weight', new Float32Array(88));
    assert.throws(() => b.loadState(state), /missing: \[h\.1\.mlp\.fc\.bias\]; unexpected: \[lm_head\.weight\]/);
    const short = a.stateDict();
    short.set('wpe.weight', new Float32Array(3));
    assert.throws(() => b.loadState(short), /wpe\.weight has 3 values, the model expects 64/);
  });

  test('loss is the cross-entropy of the next token, about log(V) at init', () => {
    const model = new GPT(tiny);
    const { loss } = model.forward(randIds(16, 11), 2, 8, { targets: randIds(16, 11) });
    assert.ok(Math.abs(loss!.item() - Math.log(11)) < 0.1, `loss ${loss!.item()}`);
  });

  test('gradients through the whole model (gradcheck on several parameters)', () => {
    const model = new GPT({ vocabSize: 5, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 4 }, new Rng(21));
    for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i] += 0.3 * rng.normal(); // beyond the tiny init
    const ids = Int32Array.from([1, 4, 0, 4, 2, 3]);
    const targets = Int32Array.from([4, 0, 4, 2, 3, 1]);
    const p = model.namedParameters();
    const inputs = ['wte.weight', 'wpe.weight', 'h.0.ln_1.weight', 'h.0.attn.k.weight', 'h.0.attn.proj.bias', 'h.0.mlp.fc.weight', 'ln_f.bias'].map((n) => p.get(n)!);
    assertGradcheck(() => model.forward(ids, 2, 3, { targets }).loss!, inputs);
  });

  test('generate: greedy is deterministic, top-k 1 is greedy, sampling repeats with a seed, long outputs slide the context', () => {
    const model = new GPT(tiny, new Rng(30));
    const prompt = [1, 2, 3];
    const greedy = model.generate(prompt, 10, { greedy: true });
    assert.equal(greedy.length, 13);
    assert.deepEqual([...greedy.subarray(0, 3)], prompt);
    assert.deepEqual(model.generate(prompt, 10, { greedy: true }), greedy);
    assert.deepEqual(model.generate(prompt, 10, { topK: 1, rng: new Rng(1) }), greedy);
    const s1 = model.generate(prompt, 10, { temperature: 1.5, rng: new Rng(7) });
    assert.deepEqual(model.generate(prompt, 10, { temperature: 1.5, rng: new Rng(7) }), s1);
    assert.ok(s1.every((t) => t >= 0 && t < 11));
    assert.equal(model.generate(prompt, 20, { rng: new Rng(3) }).length, 23); // 23 > blockSize 8
  });

  test('generate with its KV cache: the same tokens as running the whole context, logits to float32 rounding; off for a layer of another kind', () => {
    const model = new GPT({ vocabSize: 13, blockSize: 12, nLayer: 2, nHead: 2, nEmbd: 16 }, new Rng(31));
    for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i] += 0.5 * rng.normal(); // beyond the tiny init
    // A subclass is never given the cache (its methods could differ): the whole context is run for every token.
    class Uncached extends GPT {}
    const plain = new Uncached(model.config, new Rng(0));
    plain.loadState(model.stateDict());
    const prompt = [4, 1, 7];
    for (const opts of [{ greedy: true }, { temperature: 1.3, rng: new Rng(5) }]) {
      const again = { ...opts, rng: new Rng(5) };
      assert.deepEqual(model.generate(prompt, 20, opts), plain.generate(prompt, 20, again)); // 23 tokens: past blockSize 12
    }
    // The logits themselves: the cached row of the last position is the full forward pass's, to float32 rounding (a
    // product over one row may add in another order than over all of them).
    const ids = [4, 1, 7, 9, 0, 12, 3];
    const trunk = (model as unknown as { trunk(ids: number[], B: number, T: number, record: undefined, cache: KVCache[]): Tensor }).trunk.bind(model);
    const cache: KVCache[] = model.h.map(() => ({ k: null, v: null }));
    trunk(ids.slice(0, 4), 1, 4, undefined, cache);
    let x = trunk([ids[4]], 1, 1, undefined, cache);
    for (let t = 5; t < ids.length; t++) x = trunk([ids[t]], 1, 1, undefined, cache);
    assert.deepEqual(cache[0].k?.shape, [1, 2, ids.length, 8]);
    const viaCache = linear(x, model.wte.weight).data; // (1, 1, V): the last position
    const full = model.forward(ids, 1, ids.length).logits.data.subarray((ids.length - 1) * 13);
    const diff = Math.max(...[...viaCache].map((v, i) => Math.abs(v - full[i])));
    assert.ok(diff <= 1e-5 && diff < Math.max(...[...full].map(Math.abs)) * 1e-6, `cached and full logits differ by ${diff}`);
    // With the kit's classes, and q replaced by a Linear of its own (a LoRA layer, say), q sees one new position per
    // token; with an attention of another class, every token runs the whole context again.
    const seen: number[] = [];
    class SpyLinear extends Linear { override forward(x: Tensor): Tensor { seen.push(x.shape[1]); return super.forward(x); } }
    const q = new SpyLinear(16, 16);
    [q.weight, q.bias] = [model.h[0].attn.q.weight, model.h[0].attn.q.bias];
    model.h[0].attn.q = q;
    const withSpy = model.generate(prompt, 4, { greedy: true });
    assert.deepEqual(seen, [3, 1, 1, 1]);
    assert.deepEqual(withSpy, plain.generate(prompt, 4, { greedy: true }));
    seen.length = 0;
    class OtherAttention extends CausalSelfAttention {}
    const other = new OtherAttention(16, 2);
    Object.assign(other, { q, k: model.h[0].attn.k, v: model.h[0].attn.v, proj: model.h[0].attn.proj });
    model.h[0].attn = other;
    assert.deepEqual(model.generate(prompt, 4, { greedy: true }), withSpy);
    assert.deepEqual(seen, [3, 4, 5, 6]);
  });

  test('sampleLogits: greedy picks the max, top-k never leaves the k best', () => {
    assert.equal(sampleLogits([0.1, 3, -2, 2.9], { greedy: true }), 1);
    const r = new Rng(5);
    for (let i = 0; i < 200; i++) assert.ok([1, 3].includes(sampleLogits([0.1, 3, -2, 2.9], { topK: 2, rng: r })));
  });

  test('a tiny GPT overfits a tiny batch: the loss drops far below its start', () => {
    const config: GPTConfig = { vocabSize: 12, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 32 };
    const model = new GPT(config, new Rng(0));
    const data = randIds(2 * 17, 12, new Rng(1)); // two sequences of 17 tokens
    const B = 2, T = 16;
    const ids = new Int32Array(B * T);
    const targets = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      ids.set(data.subarray(b * 17, b * 17 + T), b * T);
      targets.set(data.subarray(b * 17 + 1, b * 17 + T + 1), b * T);
    }
    const opt = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0 });
    const started = performance.now();
    let first = NaN, last = NaN;
    for (let step = 0; step < 150; step++) {
      const { loss } = model.forward(ids, B, T, { targets });
      opt.zeroGrad();
      loss!.backward();
      clipGradNorm(model.parameters(), 1);
      opt.step();
      if (step === 0) first = loss!.item();
      last = loss!.item();
    }
    const seconds = (performance.now() - started) / 1000;
    assert.ok(Math.abs(first - Math.log(12)) < 0.2, `initial loss ${first}`);
    assert.ok(last < 0.1, `loss went from ${first} to only ${last}`);
    assert.ok(seconds < 10, `took ${seconds.toFixed(1)} s`);
  });
});

describe('Module', () => {
  test('parameters() are the requiresGrad tensors, zeroGrad clears them', () => {
    const lin = new Linear(3, 2);
    sum(linear(randT([4, 3]), lin.weight, lin.bias)).backward();
    assert.ok(lin.weight.grad!.some((g) => g !== 0));
    lin.zeroGrad();
    assert.ok(lin.weight.grad!.every((g) => g === 0) && lin.bias!.grad!.every((g) => g === 0));
  });
});
