/**
 * Checks for lesson 8, exercise 2 (lora-finetune/qlora): quantizeInt8 and dequantizeInt8, then QLoRA: the
 * bundled model's block weights stored in int8 (through the learner's functions), a reference LoRA adapter
 * trained on top, loss and memory compared with float32.
 *
 * Expected values are computed here with plain loops; each catalogued mistake (one scale for the whole
 * matrix, scales per column, truncation instead of rounding, dividing when dequantizing) is its
 * own wrong variant, so a failure names it.
 */
import { type CheckContext, defineChecks, expectClose, expectEqual, expectTrue, fail } from '@llm-lab/check';
import { type Tensor, tensor } from '@llm-lab/kit';
import { shippedModel } from '@llm-lab/model';
import { expectUnchanged, randomTensor, snapshot } from '../02-attention/check-helpers';
import { FINETUNE_MISTAKE_TEXT as TEXT } from './mistakes';
import { RECIPE, corpusFor, curve, evalLoss, kitGpt, referenceLoRA, round4, tensorAt, train } from './training';

type Learner = typeof import('./qlora');
type Int8Weight = ReturnType<Learner['quantizeInt8']>;

type Variant = 'right' | 'per-tensor' | 'per-column' | 'floor';

/** Quantizes like the lesson says, or with one catalogued mistake. Returns q as plain numbers (before any Int8Array wraps). */
function quantize64(W: Tensor, v: Variant = 'right', scaleDiv = 127): { q: number[]; scales: number[] } {
  const [out, inp] = W.shape;
  const abs = (o: number, i: number) => Math.abs(W.data[o * inp + i]);
  let all = 0;
  for (let k = 0; k < W.data.length; k++) all = Math.max(all, Math.abs(W.data[k]));
  const rowScale = (o: number) => { let m = 0; for (let i = 0; i < inp; i++) m = Math.max(m, abs(o, i)); return m / scaleDiv; };
  const colScale = (i: number) => { let m = 0; for (let o = 0; o < out; o++) m = Math.max(m, abs(o, i)); return m / scaleDiv; };
  const scales = Array.from({ length: out }, (_, o) => (v === 'per-tensor' ? all / scaleDiv : v === 'per-column' ? colScale(o % inp) : rowScale(o)));
  const q = Array.from(W.data, (w, k) => {
    const o = Math.floor(k / inp);
    const s = v === 'per-column' ? colScale(k % inp) : scales[o];
    if (s === 0) return 0;
    const x = v === 'floor' ? Math.trunc(w / s) : Math.round(w / s); // 'floor': truncated, as an Int8Array does
    return Math.max(-127, Math.min(127, x));
  });
  return { q, scales };
}

function call(m: Learner, W: Tensor, what: string): Int8Weight {
  const before = snapshot(W);
  const got = m.quantizeInt8(W);
  expectUnchanged(W, before, 'W');
  if (typeof got !== 'object' || got === null) fail(`${what} returned ${typeof got}; expected { q, scales, shape }`);
  if (!(got.q instanceof Int8Array)) fail(`${what}.q should be an Int8Array (one byte per weight), got ${Object.prototype.toString.call(got.q)}`);
  if (!(got.scales instanceof Float32Array)) fail(`${what}.scales should be a Float32Array with one scale per row, got ${Object.prototype.toString.call(got.scales)}`);
  expectEqual([...got.shape], [...W.shape], `${what}.shape`);
  return got;
}

/** Compares q and scales with the right answer; a match with a wrong variant names the mistake. */
function expectQuantized(got: Int8Weight, W: Tensor, what: string): void {
  const ref = quantize64(W);
  const variants = ['per-tensor', 'per-column', 'floor'] as const;
  const asInt8 = (q: number[]) => Array.from(Int8Array.from(q));
  const name = (part: 'q' | 'scales') => variants.map((v) => {
    const wrong = quantize64(W, v);
    return { value: part === 'q' ? asInt8(wrong.q) : wrong.scales, ...TEXT[v] };
  });
  expectClose(got.scales, ref.scales, { what: `${what}.scales`, rtol: 1e-6, atol: 0, misconceptions: name('scales'), hint: 'scale[o] = max_i |W[o, i]| / 127.' });
  expectClose(Array.from(got.q), ref.q, { what: `${what}.q`, rtol: 0, atol: 0, misconceptions: name('q'), hint: 'q = Math.round(W / scale), clamped to [-127, 127].' });
}

export default defineChecks<Learner>({
  exports: ['quantizeInt8', 'dequantizeInt8'],
  checks: [
    {
      name: 'quantizeInt8: a small example by hand, with a row of zeros',
      task: 'quantizeInt8',
      run: (m) => {
        // Row 0: max |w| = 2.54, so scale = 2.54 / 127 = 0.02 and q = (127, -65, 15). Row 1 is all zeros: scale 0, q 0.
        // Row 2: scale 0.127 / 127 = 0.001, q = (-127, 50, 10). (No value falls exactly half-way between two steps.)
        const W = tensor([[2.54, -1.3, 0.3], [0, 0, 0], [-0.127, 0.05, 0.01]]);
        const got = call(m, W, 'quantizeInt8(W)');
        expectQuantized(got, W, 'quantizeInt8(W)');
        expectClose(Array.from(got.q), [127, -65, 15, 0, 0, 0, -127, 50, 10], { what: 'quantizeInt8(W).q', rtol: 0, atol: 0 });
      },
    },
    {
      name: 'one scale per output channel: a row of tiny weights next to a row of large ones keeps its precision',
      task: 'quantizeInt8',
      run: (m, ctx) => {
        const big = randomTensor(ctx, [3, 8], 50);
        const small = randomTensor(ctx, [3, 8], 0.01);
        const W = tensor([...big.data.slice(0, 8), ...small.data.slice(0, 8), ...big.data.slice(8, 16), ...small.data.slice(8, 16)], [4, 8]);
        expectQuantized(call(m, W, 'quantizeInt8(W)'), W, 'quantizeInt8(W)');
      },
    },
    {
      name: 'round trip: every weight comes back within half a step, q stays in [-127, 127]',
      task: 'dequantizeInt8',
      run: (m, ctx) => {
        const W = randomTensor(ctx, [16, 24], 0.2);
        const got = call(m, W, 'quantizeInt8(W)');
        expectQuantized(got, W, 'quantizeInt8(W)');
        const back = m.dequantizeInt8(got);
        const ref = quantize64(W);
        const expected = ref.q.map((q, k) => q * ref.scales[Math.floor(k / 24)]);
        const divided = ref.q.map((q, k) => q / ref.scales[Math.floor(k / 24)]);
        expectClose(back, tensor(expected, [16, 24]), { what: 'dequantizeInt8(quantizeInt8(W))', rtol: 1e-6, atol: 1e-7,
          misconceptions: [{ value: tensor(divided, [16, 24]), ...TEXT['dequant-divides'] }] });
        for (let k = 0; k < W.data.length; k++) {
          const step = ref.scales[Math.floor(k / 24)];
          if (Math.abs(back.data[k] - W.data[k]) > step / 2 + 1e-7) fail(`weight ${k} came back as ${back.data[k]}, ${W.data[k]} went in: more than half a step (${step / 2}) off.`);
        }
      },
    },
    {
      name: 'the bundled model on an int8 base: memory, loss, and a LoRA adapter trained on top (live)',
      task: 'quantizeInt8',
      timeoutSeconds: 60,
      run: async (m, ctx: CheckContext) => {
        const model = await shippedModel();
        const corpus = corpusFor(model.vocab);
        const gpt = kitGpt(model);
        const ET = Math.min(128, gpt.config.blockSize);
        const fp32 = { val: evalLoss(gpt, corpus.val, RECIPE.evalWindows, ET), moby: evalLoss(gpt, corpus.moby, RECIPE.evalWindows, ET) };
        // Every matrix of every block goes through your int8 round trip (embeddings and LayerNorms stay float32).
        let fp32Bytes = 0;
        let int8Bytes = 0;
        let worst = 0;
        for (const name of model.weightNames.filter((n) => /^h\.\d+\.(attn|mlp)\.\w+\.weight$/.test(n))) {
          const w = tensorAt(gpt, name);
          const q = call(m, w, `quantizeInt8(${name})`);
          const back = m.dequantizeInt8(q);
          expectEqual([...back.shape], [...w.shape], `dequantizeInt8(quantizeInt8(${name})).shape`);
          for (let k = 0; k < w.size; k++) worst = Math.max(worst, Math.abs(back.data[k] - w.data[k]));
          fp32Bytes += 4 * w.size;
          int8Bytes += q.q.byteLength + q.scales.byteLength;
          w.data.set(back.data); // the kit computes in float32: this is the int8 weight, dequantized on the fly
        }
        const int8 = { val: evalLoss(gpt, corpus.val, RECIPE.evalWindows, ET), moby: evalLoss(gpt, corpus.moby, RECIPE.evalWindows, ET) };
        ctx.artifact({ kind: 'bars', title: 'Bytes of the block weights: float32 vs int8 + scales', labels: ['float32', 'int8 + scales'], values: [fp32Bytes, int8Bytes] });
        const steps = Math.round(RECIPE.steps / 2);
        const params = referenceLoRA(gpt, RECIPE.r, RECIPE.alpha, RECIPE.targets, RECIPE.seed);
        const h = await train(gpt, params, corpus, {
          ...RECIPE, steps, evalEvery: steps, random: ctx.random,
          onStep: (hist) => ctx.progress(curve(hist, `QLoRA: LoRA on the int8 base (${steps} steps)`)), // same title: replaced live
        });
        ctx.progress(curve(h, `QLoRA: LoRA on the int8 base (${steps} steps)`));
        const last = h.val.length - 1;
        ctx.artifact({ kind: 'table', title: 'float32 base vs int8 base', columns: ['', 'float32', 'int8', 'int8 + LoRA, ' + steps + ' steps'], rows: [
          ['bytes of the block weights', fp32Bytes, int8Bytes, `+ ${params.reduce((s, p) => s + 4 * p.size, 0)} for the adapter`],
          ['loss: State of the Union 1962', round4(fp32.val), round4(int8.val), round4(h.val[last])],
          ['loss: Moby-Dick', round4(fp32.moby), round4(int8.moby), round4(h.moby[last])],
          ['largest weight error', 0, worst.toExponential(2), ''],
        ] });
        expectTrue(int8Bytes < 0.3 * fp32Bytes, `int8 + scales take ${int8Bytes} bytes against ${fp32Bytes} in float32: expected about a quarter.`);
        expectTrue(Math.abs(int8.val - fp32.val) < 0.05 && Math.abs(int8.moby - fp32.moby) < 0.05,
          `the int8 base changed the loss too much (State of the Union ${fp32.val.toFixed(4)} -> ${int8.val.toFixed(4)}, Moby-Dick ${fp32.moby.toFixed(4)} -> ${int8.moby.toFixed(4)}): per-row int8 should cost almost nothing.`,
          TEXT['per-tensor'].hint);
        expectTrue(h.val[last] < int8.val - 0.03, `training the adapter on the int8 base did not lower the State of the Union loss (${int8.val.toFixed(4)} -> ${h.val[last].toFixed(4)}).`);
      },
    },
  ],
});
