/**
 * Checks for the LoRA fine-tuning lesson, exercise 2 (lora-finetune/qlora): quantizeInt8 and dequantizeInt8, then QLoRA: the
 * bundled model's block weights stored in int8 (through the learner's functions), a reference LoRA adapter
 * trained on top, loss and memory compared with float32.
 *
 * Expected values are computed here with plain loops; each catalogued mistake (one scale for the whole
 * matrix, scales per column, truncation instead of rounding, dividing when dequantizing) is its
 * own wrong variant, so a failure names it. `scales` may hold the step (absmax / 127, the lesson's way) or the
 * absmax itself (bitsandbytes' way), as long as dequantizeInt8 agrees.
 *
 * Which check names which catalogued mistake (lessons/08-lora-finetune/mistakes.ts):
 *   check                                              names
 *   quantizeInt8: a small example by hand ...          per-tensor, per-column, floor
 *   one scale per output channel ...                   per-tensor, per-column (also as one scale per input column), floor
 *   round trip ...                                     per-tensor, per-column, floor, dequant-divides
 *   the bundled model on an int8 base ...              none by name (too large a loss change gets per-tensor's hint)
 * Wrong scales are recognised as steps and as bitsandbytes' absmax values; truncation toward 0 and Math.floor are
 * both 'floor', recognised even where W / step lands a hair off a whole number.
 */
import {
  type CheckContext, type Text, defineChecks, describeType, expectClose, expectEqual, expectTrue, expectUnchanged, fail, mistake, randomTensor, snapshot, t,
} from '@llm-lab/check';
import { RECIPE, corpusFor, curve, evalLoss, kitGpt, referenceLoRA, round4, tensorAt, train } from '@llm-lab/course/lora';
import { type Tensor, tensor } from '@llm-lab/kit';
import { shippedModel } from '@llm-lab/model';
import { FINETUNE_MISTAKES as M } from './mistakes';

type Learner = typeof import('./qlora');
type Int8Weight = ReturnType<Learner['quantizeInt8']>;

/** 'floor' truncates toward 0 (Math.trunc, or a float written into an Int8Array); 'floor-down' is Math.floor, toward -∞. */
type Variant = 'right' | 'per-tensor' | 'per-column' | 'floor' | 'floor-down';

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
    const x = v === 'floor' ? Math.trunc(w / s) : v === 'floor-down' ? Math.floor(w / s) : Math.round(w / s); // 'floor': truncated, as an Int8Array does
    return Math.max(-127, Math.min(127, x));
  });
  return { q, scales };
}

function call(m: Learner, W: Tensor, what: string): Int8Weight {
  const before = snapshot(W);
  const got = m.quantizeInt8(W);
  expectUnchanged(W, before, 'W');
  if (typeof got !== 'object' || got === null) {
    const type = describeType(got);
    fail(t(`${what} returned ${type.en}; expected { q, scales, shape }`, `${what} 返回了${type['zh-cn']}；应返回 { q, scales, shape }`));
  }
  if (!(got.q instanceof Int8Array)) {
    const type = Object.prototype.toString.call(got.q);
    fail(t(`${what}.q should be an Int8Array (one byte per weight), got ${type}`, `${what}.q 应是 Int8Array（每个权重一个字节），实际是 ${type}`));
  }
  if (!(got.scales instanceof Float32Array)) {
    const type = Object.prototype.toString.call(got.scales);
    fail(t(`${what}.scales should be a Float32Array with one scale per row, got ${type}`, `${what}.scales 应是 Float32Array，每行一个缩放系数，实际是 ${type}`));
  }
  expectEqual([...got.shape], [...W.shape], `${what}.shape`);
  return got;
}

/**
 * Whether `scales` holds each row's absmax itself rather than the step absmax / 127: bitsandbytes' convention (its
 * LLM.int8() weights keep the row absmax, SCB, and dequantize with q · SCB / 127). The lesson accepts both; the
 * learner's dequantizeInt8 must then agree, which the round trip checks.
 */
function storesAbsmax(scales: ArrayLike<number>, ref: number[]): boolean {
  return scales.length === ref.length && ref.some((s) => s !== 0)
    && ref.every((s, o) => Math.abs(scales[o] - 127 * s) <= 1e-6 * 127 * Math.abs(s));
}

const sameInts = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => v === b[i]);

/** Whether q is `round` of W / step in every place, allowing for the last bits of float rounding in W / step. */
function roundedWith(q: ArrayLike<number>, W: Tensor, steps: number[], round: (x: number) => number): boolean {
  const inp = W.shape[1];
  if (q.length !== W.data.length) return false;
  const clamp = (x: number) => Math.max(-127, Math.min(127, x));
  for (let k = 0; k < q.length; k++) {
    const step = steps[Math.floor(k / inp)];
    if (step === 0) {
      if (q[k] !== 0) return false;
      continue;
    }
    const x = W.data[k] / step;
    const e = 1e-9 * Math.abs(x) + 1e-12;
    const [a, b] = [clamp(round(x - e)), clamp(round(x + e))];
    if (q[k] < Math.min(a, b) || q[k] > Math.max(a, b)) return false;
  }
  return true;
}

/** The catalogue entry of each wrong variant. */
const VARIANT_MISTAKE = { 'per-tensor': 'per-tensor', 'per-column': 'per-column', 'floor': 'floor', 'floor-down': 'floor' } as const;

/** Each column's absmax / 127: the scales of a learner who quantized per input column, one scale per column. */
function columnScales(W: Tensor): number[] {
  const [out, inp] = W.shape;
  return Array.from({ length: inp }, (_, i) => {
    let m = 0;
    for (let o = 0; o < out; o++) m = Math.max(m, Math.abs(W.data[o * inp + i]));
    return m / 127;
  });
}

/**
 * Compares q and scales with the right answer; a match with a wrong variant names the mistake. Wrong scales are
 * recognised in both conventions the lesson accepts (the step absmax / 127, or bitsandbytes' absmax itself), and
 * scales per column also when there is one per input column (in ≠ out).
 */
function expectQuantized(got: Int8Weight, W: Tensor, what: string): void {
  const ref = quantize64(W);
  const absmax = storesAbsmax(got.scales, ref.scales);
  const [out, inp] = W.shape;
  if (got.scales.length === inp && inp !== out) {
    const cols = columnScales(W);
    const close = (k: number) => cols.every((c, i) => Math.abs(got.scales[i] - k * c) <= 1e-6 * Math.abs(k * c));
    if (close(1) || close(127)) fail(t(`${M['per-column'].message.en} (${what}.scales has ${inp} values, one per column; W has ${out} rows)`,
      `${M['per-column'].message['zh-cn']}（${what}.scales 有 ${inp} 个值，每列一个；W 有 ${out} 行）`), { hint: M['per-column'].hint });
  }
  const variants = ['per-tensor', 'per-column', 'floor', 'floor-down'] as const;
  const asInt8 = (q: number[]) => Array.from(Int8Array.from(q));
  const name = (part: 'q' | 'scales') => variants.flatMap((v) => {
    const wrong = quantize64(W, v);
    const m = M[VARIANT_MISTAKE[v]];
    if (part === 'q') return [{ value: asInt8(wrong.q), ...m }];
    return [{ value: wrong.scales, ...m }, { value: wrong.scales.map((s) => 127 * s), ...m }];
  });
  expectClose(got.scales, absmax ? ref.scales.map((s) => 127 * s) : ref.scales, { what: `${what}.scales`, rtol: 1e-6, atol: 0, misconceptions: name('scales'),
    hint: t('scale[o] = max_i |W[o, i]| / 127.', 'scale[o] = max_i |W[o, i]| / 127。') });
  // Truncation (toward 0, or Math.floor toward -∞) is recognised even where W / step lands a hair below or above a
  // whole number (127 can come out as 126.99999...), which decides the learner's floor but not the reference's.
  if (!sameInts(got.q, ref.q) && [Math.trunc, Math.floor].some((f) => roundedWith(got.q, W, ref.scales, f))) fail(...mistake(M.floor));
  expectClose(Array.from(got.q), ref.q, { what: `${what}.q`, rtol: 0, atol: 0, misconceptions: name('q'),
    hint: t('q = Math.round(W / scale), clamped to [-127, 127].', 'q = Math.round(W / scale)，再截断到 [-127, 127]。') });
}

export default defineChecks<Learner>({
  exports: ['quantizeInt8', 'dequantizeInt8'],
  checks: [
    {
      name: t('quantizeInt8: a small example by hand, with a row of zeros', 'quantizeInt8：一个可以手算的小例子，含一行全零'),
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
      name: t('one scale per output channel: a row of tiny weights next to a row of large ones keeps its precision', '每个输出通道一个缩放系数：与大权重行相邻的小权重行也能保持精度'),
      task: 'quantizeInt8',
      run: (m, ctx) => {
        const big = randomTensor(ctx, [3, 8], 50);
        const small = randomTensor(ctx, [3, 8], 0.01);
        const W = tensor([...big.data.slice(0, 8), ...small.data.slice(0, 8), ...big.data.slice(8, 16), ...small.data.slice(8, 16)], [4, 8]);
        expectQuantized(call(m, W, 'quantizeInt8(W)'), W, 'quantizeInt8(W)');
      },
    },
    {
      name: t('round trip: every weight comes back within half a step, q stays in [-127, 127]', '往返：每个权重还原后误差不超过半个步长，q 保持在 [-127, 127] 内'),
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
          misconceptions: [{ value: tensor(divided, [16, 24]), ...M['dequant-divides'] }] });
        for (let k = 0; k < W.data.length; k++) {
          const step = ref.scales[Math.floor(k / 24)];
          if (Math.abs(back.data[k] - W.data[k]) > step / 2 + 1e-7) {
            const [got, put, half] = [back.data[k], W.data[k], step / 2];
            fail(t(`weight ${k} came back as ${got}, ${put} went in: more than half a step (${half}) off.`,
              `第 ${k} 个权重输入的是 ${put}，还原出来是 ${got}：误差超过了半个步长（${half}）。`));
          }
        }
      },
    },
    {
      name: t('the bundled model on an int8 base: memory, loss, and a LoRA adapter trained on top (live)', '内置模型换成 int8 基座：内存、损失，以及在其上训练的 LoRA 适配器（实时）'),
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
        ctx.artifact({ kind: 'bars', title: t('Bytes of the block weights: float32 vs int8 + scales', '各块权重的字节数：float32 与 int8 + 缩放系数'),
          labels: ['float32', t('int8 + scales', 'int8 + 缩放系数')], values: [fp32Bytes, int8Bytes] });
        const steps = Math.round(RECIPE.steps / 2);
        const title = t(`QLoRA: LoRA on the int8 base (${steps} steps)`, `QLoRA：int8 基座上的 LoRA（${steps} 步）`);
        const params = referenceLoRA(gpt, RECIPE.r, RECIPE.alpha, RECIPE.targets, RECIPE.seed);
        const h = await train(gpt, params, corpus, {
          ...RECIPE, steps, evalEvery: steps, random: ctx.random,
          onStep: (hist) => ctx.progress(curve(hist, title)), // same title: replaced live
        });
        ctx.progress(curve(h, title));
        const last = h.val.length - 1;
        const adapterBytes = params.reduce((s, p) => s + 4 * p.size, 0);
        const rows: (Text | string | number)[][] = [
          [t('bytes of the block weights', '各块权重的字节数'), fp32Bytes, int8Bytes, t(`+ ${adapterBytes} for the adapter`, `适配器另占 ${adapterBytes}`)],
          [t('loss: State of the Union 1962', '损失：1962 年国情咨文'), round4(fp32.val), round4(int8.val), round4(h.val[last])],
          [t('loss: Moby-Dick', '损失：《白鲸记》'), round4(fp32.moby), round4(int8.moby), round4(h.moby[last])],
          [t('largest weight error', '最大权重误差'), 0, worst.toExponential(2), ''],
        ];
        ctx.artifact({ kind: 'table', title: t('float32 base vs int8 base', 'float32 基座与 int8 基座'),
          columns: ['', 'float32', 'int8', t(`int8 + LoRA, ${steps} steps`, `int8 + LoRA，${steps} 步`)], rows });
        expectTrue(int8Bytes < 0.3 * fp32Bytes, t(`int8 + scales take ${int8Bytes} bytes against ${fp32Bytes} in float32: expected about a quarter.`,
          `int8 + 缩放系数占 ${int8Bytes} 字节，而 float32 占 ${fp32Bytes} 字节：应当约为四分之一。`));
        const [sotu, moby] = [`${fp32.val.toFixed(4)} -> ${int8.val.toFixed(4)}`, `${fp32.moby.toFixed(4)} -> ${int8.moby.toFixed(4)}`];
        expectTrue(Math.abs(int8.val - fp32.val) < 0.05 && Math.abs(int8.moby - fp32.moby) < 0.05,
          t(`the int8 base changed the loss too much (State of the Union ${sotu}, Moby-Dick ${moby}): per-row int8 should cost almost nothing.`,
            `int8 基座让损失变化太大（国情咨文 ${sotu}，《白鲸记》${moby}）：按行量化到 int8 几乎不该有损失。`),
          M['per-tensor'].hint);
        const after = `${int8.val.toFixed(4)} -> ${h.val[last].toFixed(4)}`;
        expectTrue(h.val[last] < int8.val - 0.03, t(`training the adapter on the int8 base did not lower the State of the Union loss (${after}).`,
          `在 int8 基座上训练适配器没有降低国情咨文的损失（${after}）。`));
      },
    },
  ],
});
