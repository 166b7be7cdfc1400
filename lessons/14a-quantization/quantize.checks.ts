/**
 * Checks for the quantization lesson (quantization/quantize): int8 per tensor and per channel, int4 in groups with
 * zero points, dequantization, a GPTQ step, and the bundled model quantized per scheme.
 *
 * Expected values come from float64 references in the course (@llm-lab/course/scale: quantInt8Ref, quantInt4Ref,
 * quantDequantInt4, quantGptqRef) computed from copies of the inputs taken before the learner's code runs. Hand-worked
 * cases use values whose ratios w / scale are exact in binary, so the rounding rule (halves to even) is checked exactly;
 * on random weights a code may differ by one only where w / scale is within 1e-4 of a half (float32 and float64 may
 * round those apart). The known wrong answers are computed by the same references with an option.
 *
 * Which check names which catalogued mistake (lessons/14a-quantization/mistakes.ts):
 *   check                                                   names
 *   quantizeInt8: hand-worked cases ...                     scale-from-max, clamp-128, round-half-up
 *   int8 on random weights ...                              scale-from-max, round-half-up (plain: dequantize, shapes)
 *   quantizeInt4: hand-worked groups ...                    zero-off-by-one, group-wrong-axis, int4-range-8, round-half-up
 *   int4 on random weights ...                              zero-off-by-one, group-wrong-axis, int4-range-8, dequant-no-zero
 *   gptqQuantize: a small layer ...                         gptq-no-propagation
 *   gptqQuantize beats round-to-nearest ...                 gptq-no-propagation
 *   the bundled model quantized per scheme ...              (plain: a scheme's weights differ from the reference's)
 * Accepted as well: loops or kit ops, float32 or float64 arithmetic, q as any integer array, GPTQ with a Cholesky
 * factor (the paper's form) or with the sequential inverse update, a group's range widened to include 0 (GPTQ's code;
 * no check gives a group of one sign).
 * Not catalogued, said in plain words: shapes and lengths, a mutated input, per-channel scales per column, the clip
 * argument ignored, damp ignored, missing RangeErrors.
 */
import { type Text, defineChecks, expectTrue, fail, isTensorLike, join, t } from '@llm-lab/check';
import {
  QUANT_GPTQ_LAYER, quantDequantInt4, quantGptqRef, quantInt4Ref, quantInt8Ref, quantLayerInputs, quantModel, quantOutputError, quantTieDistance,
  type QuantInt4Mistake, type QuantInt8Mistake, type QuantModel,
} from '@llm-lab/course/scale';
import { Tensor } from '@llm-lab/kit';
import { tensorAt } from '@llm-lab/course/lora';
import { QUANTIZATION_MISTAKES as M, type QuantizationMistake } from './mistakes';

type Learner = typeof import('./quantize');
type Int8 = ReturnType<Learner['quantizeInt8']>;
type Int4 = ReturnType<Learner['quantizeInt4']>;

const failWith = (key: QuantizationMistake, detail?: Text): never => fail(detail ? join([M[key].message, detail], ' ') : M[key].message, { hint: M[key].hint });

const mat = (rows: number[][]): Tensor => new Tensor(Float32Array.from(rows.flat()), [rows.length, rows[0].length]);

function randomMatrix(random: () => number, out: number, inp: number, scale = 1): Tensor {
  // Roughly normal weights (sum of uniforms), with a few large ones as real weights have.
  const data = Float32Array.from({ length: out * inp }, () => {
    const v = (random() + random() + random() - 1.5) * scale;
    return random() < 0.02 ? v * 6 : v;
  });
  return new Tensor(data, [out, inp]);
}

function callUnchanged<T>(w: Tensor, what: string, fn: () => T): T {
  const before = Float32Array.from(w.data);
  const r = fn();
  if (r === undefined || r === null) fail(t(`${what} returned ${String(r)}.`, `${what} 返回了 ${String(r)}。`), { hint: t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？') });
  for (let i = 0; i < before.length; i++) {
    if (!Object.is(before[i], w.data[i])) fail(t(`${what} changed the weight it was given (element ${i}: ${before[i]} -> ${w.data[i]}); quantize a copy.`, `${what} 修改了传入的权重（第 ${i} 个元素：${before[i]} -> ${w.data[i]}）；请对副本做量化。`));
  }
  return r;
}

function lengths(what: string, field: string, got: ArrayLike<number> | undefined, want: number, why: Text): void {
  if (!got || typeof got.length !== 'number') fail(t(`${what}.${field} is missing.`, `${what}.${field} 不存在。`));
  if (got!.length !== want) fail(join([t(`${what}.${field} has ${got!.length} entries; expected ${want}:`, `${what}.${field} 有 ${got!.length} 个元素；应为 ${want}：`), why], ' '));
}

/** Codes equal, except a difference of one where the reference ratio sits within 1e-4 of a half. */
function firstCodeMismatch(got: ArrayLike<number>, want: readonly number[], ratio: readonly number[]): number {
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (d === 0) continue;
    if (d === 1 && quantTieDistance(ratio[i]) < 1e-4) continue;
    return i;
  }
  return -1;
}

const closeArr = (got: ArrayLike<number>, want: readonly number[], rtol = 1e-6): boolean => want.every((v, i) => Math.abs(got[i] - v) <= 1e-12 + rtol * Math.abs(v));

// --- int8 -------------------------------------------------------------------------------------------------------------

const INT8_HINT = t('scale = clip · max|w| / 127 (over the tensor, or over each row when perChannel); q = clamp(roundHalfEven(w / scale), −127, 127); an all-zero row has scale 0 and codes 0.',
  'scale = clip · max|w| / 127（对整个张量，perChannel 时对每一行）；q = clamp(roundHalfEven(w / scale), −127, 127)；全零的行缩放系数为 0，编码为 0。');

function expectInt8(m: Learner, w: Tensor, perChannel: boolean, clip: number | undefined, exactOnly: boolean): Int8 {
  const what = `quantizeInt8(w, ${perChannel}${clip === undefined ? '' : `, ${clip}`})`;
  const data = Float64Array.from(w.data);
  const shape = [...w.shape];
  const r = callUnchanged(w, what, () => (clip === undefined ? m.quantizeInt8(w, perChannel) : m.quantizeInt8(w, perChannel, clip)));
  const want = quantInt8Ref(data, shape, perChannel, clip ?? 1);
  lengths(what, 'q', r.q, data.length, t('one code per weight', '每个权重一个编码'));
  lengths(what, 'scales', r.scales, want.scales.length, perChannel ? t(`one scale per output row (the rows of the (out, in) weight; a scale per column is the wrong axis)`, '每个输出行一个缩放系数（(out, in) 权重的每一行；每列一个是轴弄错了）') : t('one scale for the whole tensor', '整个张量一个缩放系数'));
  const like = (mistake: QuantInt8Mistake) => {
    const ref = quantInt8Ref(data, shape, perChannel, clip ?? 1, mistake);
    return closeArr(r.scales, ref.scales, 1e-6) && ref.q.every((v, i) => (v > 127 ? -256 + v : v) === r.q[i] || v === r.q[i]);
  };
  const scalesOk = closeArr(r.scales, want.scales, 1e-6);
  const bad = firstCodeMismatch(r.q, want.q, exactOnly ? want.q.map(() => 0.25) : want.ratio);
  if (scalesOk && bad < 0) return r;
  const named: QuantInt8Mistake[] = ['scale-from-max', 'clamp-128', 'round-half-up'];
  for (const k of named) if (like(k)) failWith(k, t(`(${what}: ${shape.join(' × ')} weight)`, `（${what}：${shape.join(' × ')} 的权重）`));
  if (!scalesOk) {
    const i = want.scales.findIndex((v, j) => !(Math.abs(r.scales[j] - v) <= 1e-12 + 1e-6 * Math.abs(v)));
    const clipIgnored = clip !== undefined && clip !== 1 && closeArr(r.scales, quantInt8Ref(data, shape, perChannel, 1).scales);
    fail(t(`${what}: scales[${i}] is ${r.scales[i]}; expected ${want.scales[i]}.${clipIgnored ? ' The scales are those of clip = 1: the clip argument is ignored.' : ''}`,
      `${what}：scales[${i}] 是 ${r.scales[i]}；应为 ${want.scales[i]}。${clipIgnored ? '这些缩放系数是 clip = 1 时的：clip 参数被忽略了。' : ''}`), { hint: INT8_HINT });
  }
  fail(t(`${what}: q[${bad}] is ${r.q[bad]}; expected ${want.q[bad]} (w = ${data[bad]}, w / scale = ${want.ratio[bad]}).`,
    `${what}：q[${bad}] 是 ${r.q[bad]}；应为 ${want.q[bad]}（w = ${data[bad]}，w / scale = ${want.ratio[bad]}）。`), { hint: INT8_HINT });
}

// --- int4 -------------------------------------------------------------------------------------------------------------

const INT4_HINT = t('For group g of row o (w[o, g·G .. g·G + G − 1]): scale = (max − min) / 15; zero = clamp(roundHalfEven(−min / scale), 0, 15); q = clamp(roundHalfEven(w / scale) + zero, 0, 15); scales and zeros at o · (in / G) + g.',
  '对第 o 行的第 g 组（w[o, g·G .. g·G + G − 1]）：scale = (max − min) / 15；zero = clamp(roundHalfEven(−min / scale), 0, 15)；q = clamp(roundHalfEven(w / scale) + zero, 0, 15)；scales 和 zeros 位于 o · (in / G) + g。');

function expectInt4(m: Learner, w: Tensor, G: number, exactOnly: boolean): Int4 {
  const what = `quantizeInt4(w, ${G})`;
  const data = Float64Array.from(w.data);
  const shape = [...w.shape];
  const r = callUnchanged(w, what, () => m.quantizeInt4(w, G));
  const want = quantInt4Ref(data, shape, G);
  lengths(what, 'q', r.q, data.length, t('one code per weight', '每个权重一个编码'));
  lengths(what, 'scales', r.scales, want.scales.length, t(`one per group: out · in / G = ${shape[0]} · ${shape[1]} / ${G}`, `每组一个：out · in / G = ${shape[0]} · ${shape[1]} / ${G}`));
  lengths(what, 'zeros', r.zeros, want.zeros.length, t('one per group', '每组一个'));
  const codes = Array.from(r.q);
  if (codes.some((c) => !(c >= 0 && c <= 15 && Number.isInteger(c)))) {
    const i = codes.findIndex((c) => !(c >= 0 && c <= 15 && Number.isInteger(c)));
    failWith('int4-range-8', t(`(${what}: q[${i}] = ${codes[i]}.)`, `（${what}：q[${i}] = ${codes[i]}。）`));
  }
  const ratio = exactOnly ? want.q.map(() => 0.25) : want.ratio;
  const zeroRatio = exactOnly ? want.zeros.map(() => 0.25) : want.zeroRatio;
  const scalesOk = closeArr(r.scales, want.scales, 1e-6);
  const zerosBad = firstCodeMismatch(r.zeros, want.zeros, zeroRatio);
  const bad = firstCodeMismatch(r.q, want.q, ratio);
  if (scalesOk && zerosBad < 0 && bad < 0) {
    if (r.groupSize !== G) fail(t(`${what}.groupSize is ${r.groupSize}; expected ${G}.`, `${what}.groupSize 是 ${r.groupSize}；应为 ${G}。`));
    return r;
  }
  const sameAs = (mistake: QuantInt4Mistake): boolean => {
    const ref = quantInt4Ref(data, shape, G, mistake);
    return closeArr(r.scales, ref.scales, 1e-6) && r.zeros.length === ref.zeros.length && Array.from(r.zeros).every((z, i) => z === ref.zeros[i]);
  };
  if (shape[0] % G === 0 && sameAs('group-wrong-axis')) failWith('group-wrong-axis', t(`(${what}, weight ${shape.join(' × ')})`, `（${what}，权重 ${shape.join(' × ')}）`));
  if (scalesOk && (sameAs('zero-plus-one') || sameAs('zero-minus-one'))) failWith('zero-off-by-one', t(`(${what}: zeros[${zerosBad}] is ${r.zeros[zerosBad]}, expected ${want.zeros[zerosBad]}.)`, `（${what}：zeros[${zerosBad}] 是 ${r.zeros[zerosBad]}，应为 ${want.zeros[zerosBad]}。）`));
  if (exactOnly && scalesOk) {
    const halfUp = (x: number) => Math.round(x);
    const g = zerosBad >= 0 ? zerosBad : -1;
    const zHalfUp = want.scales.map((s, k) => Math.max(0, Math.min(15, halfUp(want.zeroRatio[k]))));
    if (g >= 0 && r.zeros[g] === zHalfUp[g]) failWith('round-half-up', t(`(${what}: −min / scale = ${want.zeroRatio[g]} gave zero point ${r.zeros[g]}.)`, `（${what}：−min / scale = ${want.zeroRatio[g]} 得到的零点是 ${r.zeros[g]}。）`));
    if (bad >= 0 && zerosBad < 0) {
      const per = shape[1] / G;
      const k = Math.floor(bad / shape[1]) * per + Math.floor((bad % shape[1]) / G);
      if (r.q[bad] === Math.max(0, Math.min(15, halfUp(want.ratio[bad]) + want.zeros[k]))) failWith('round-half-up', t(`(${what}: w / scale = ${want.ratio[bad]} gave code ${r.q[bad]} − zero ${want.zeros[k]}.)`, `（${what}：w / scale = ${want.ratio[bad]} 得到的编码是 ${r.q[bad]} − 零点 ${want.zeros[k]}。）`));
    }
  }
  if (!scalesOk) {
    const i = want.scales.findIndex((v, j) => !(Math.abs(r.scales[j] - v) <= 1e-12 + 1e-6 * Math.abs(v)));
    fail(t(`${what}: scales[${i}] is ${r.scales[i]}; expected ${want.scales[i]} ((max − min) / 15 of group ${i}).`, `${what}：scales[${i}] 是 ${r.scales[i]}；应为 ${want.scales[i]}（第 ${i} 组的 (max − min) / 15）。`), { hint: INT4_HINT });
  }
  if (zerosBad >= 0) fail(t(`${what}: zeros[${zerosBad}] is ${r.zeros[zerosBad]}; expected ${want.zeros[zerosBad]}.`, `${what}：zeros[${zerosBad}] 是 ${r.zeros[zerosBad]}；应为 ${want.zeros[zerosBad]}。`), { hint: INT4_HINT });
  return fail(t(`${what}: q[${bad}] is ${r.q[bad]}; expected ${want.q[bad]} (w = ${data[bad]}).`, `${what}：q[${bad}] 是 ${r.q[bad]}；应为 ${want.q[bad]}（w = ${data[bad]}）。`), { hint: INT4_HINT });
}

function expectDequant4(m: Learner, x: Int4, what: string): Float32Array {
  const copy = { q: Uint8Array.from(x.q), scales: Float32Array.from(x.scales), zeros: Uint8Array.from(x.zeros), shape: [...x.shape] as [number, number], groupSize: x.groupSize };
  const out = m.dequantizeInt4(copy);
  if (!isTensorLike(out) || out.shape.length !== 2 || out.shape[0] !== x.shape[0] || out.shape[1] !== x.shape[1]) {
    fail(t(`${what} did not return a (${x.shape.join(', ')}) Tensor.`, `${what} 没有返回形状为 (${x.shape.join(', ')}) 的 Tensor。`));
  }
  const want = quantDequantInt4(x.q, x.scales, x.zeros, x.shape, x.groupSize);
  const tol = (i: number) => 1e-6 * Math.max(1, Math.abs(want[i]));
  const bad = Array.from(want).findIndex((v, i) => !(Math.abs(out.data[i] - v) <= tol(i)));
  if (bad < 0) return Float32Array.from(out.data);
  const noZero = quantDequantInt4(x.q, x.scales, x.zeros, x.shape, x.groupSize, true);
  if (Array.from(noZero).every((v, i) => Math.abs(out.data[i] - v) <= tol(i))) failWith('dequant-no-zero', t(`(${what})`, `（${what}）`));
  return fail(t(`${what}: element ${bad} is ${out.data[bad]}; expected (q − zero) · scale = ${want[bad]}.`, `${what}：第 ${bad} 个元素是 ${out.data[bad]}；应为 (q − zero) · scale = ${want[bad]}。`),
    { hint: M['dequant-no-zero'].hint });
}

// --- GPTQ -------------------------------------------------------------------------------------------------------------

const GPTQ_HINT = t('H = 2 XᵀX / n + damp · mean(diag) · I; Hinv = H⁻¹; grid from each original row (quantizeInt4(w, in)); for j in order: round column j; err = (w[o][j] − q̂) / Hinv[j][j]; w[o][k] −= err · Hinv[j][k] for k > j; then Hinv[a][b] −= Hinv[a][j] · Hinv[j][b] / Hinv[j][j] for a, b > j.',
  'H = 2 XᵀX / n + damp · mean(diag) · I；Hinv = H⁻¹；网格取自每个原始行（quantizeInt4(w, in)）；按顺序对每一列 j：舍入第 j 列；err = (w[o][j] − q̂) / Hinv[j][j]；对 k > j：w[o][k] −= err · Hinv[j][k]；再对 a, b > j：Hinv[a][b] −= Hinv[a][j] · Hinv[j][b] / Hinv[j][j]。');

/** Correlated inputs (n, in): a random mix of a few directions plus noise, so the Hessian has real off-diagonals. */
function correlatedInputs(random: () => number, n: number, inp: number): Tensor {
  const k = 4;
  const mix = Array.from({ length: k * inp }, () => 2 * random() - 1);
  const data = new Float32Array(n * inp);
  for (let s = 0; s < n; s++) {
    const z = Array.from({ length: k }, () => 2 * random() - 1);
    for (let i = 0; i < inp; i++) {
      let v = 0.3 * (2 * random() - 1);
      for (let a = 0; a < k; a++) v += z[a] * mix[a * inp + i];
      data[s * inp + i] = v;
    }
  }
  return new Tensor(data, [n, inp]);
}

interface GptqOutcome { deq: Float64Array; err: number; refErr: number; rtnErr: number; mismatches: number }

function runGptq(m: Learner, w: Tensor, x: Tensor, damp: number | undefined, heldOut: { data: ArrayLike<number>; n: number }): GptqOutcome {
  const what = `gptqQuantize(w, x${damp === undefined ? '' : `, ${damp}`})`;
  const [wd, xd, shape] = [Float64Array.from(w.data), Float64Array.from(x.data), [...w.shape]];
  const xBefore = Float32Array.from(x.data);
  const r = callUnchanged(w, what, () => (damp === undefined ? m.gptqQuantize(w, x) : m.gptqQuantize(w, x, damp)));
  if (!xBefore.every((v, i) => Object.is(v, x.data[i]))) fail(t(`${what} changed the calibration inputs x.`, `${what} 修改了校准输入 x。`));
  const ref = quantGptqRef(wd, shape, xd, x.shape[0], damp ?? 0.01);
  const rtn = quantGptqRef(wd, shape, xd, x.shape[0], damp ?? 0.01, 'no-propagation');
  lengths(what, 'q', r.q, wd.length, t('one code per weight', '每个权重一个编码'));
  lengths(what, 'scales', r.scales, shape[0], t('one grid per output row (groupSize = in)', '每个输出行一个网格（groupSize = in）'));
  lengths(what, 'zeros', r.zeros, shape[0], t('one grid per output row (groupSize = in)', '每个输出行一个网格（groupSize = in）'));
  if (!closeArr(r.scales, ref.scales, 1e-6) || firstCodeMismatch(r.zeros, ref.zeros, ref.zeroRatio) >= 0) {
    fail(t(`${what}: the grid (scales, zeros) is not each original row's int4 grid: scales[0] = ${r.scales[0]} (expected ${ref.scales[0]}), zeros[0] = ${r.zeros[0]} (expected ${ref.zeros[0]}).`,
      `${what}：网格（scales、zeros）不是每个原始行的 int4 网格：scales[0] = ${r.scales[0]}（应为 ${ref.scales[0]}），zeros[0] = ${r.zeros[0]}（应为 ${ref.zeros[0]}）。`), { hint: GPTQ_HINT });
  }
  const deq = quantDequantInt4(r.q, r.scales, r.zeros, shape, shape[1]);
  const differs = ref.q.some((v, i) => v !== rtn.q[i]);
  if (differs && firstCodeMismatch(r.q, rtn.q, rtn.ratio) < 0) failWith('gptq-no-propagation', t(`(${what})`, `（${what}）`));
  const mismatches = ref.q.reduce((s, v, i) => s + (v === r.q[i] ? 0 : 1), 0);
  const err = quantOutputError(wd, deq, shape, heldOut.data, heldOut.n);
  const refErr = quantOutputError(wd, ref.deq, shape, heldOut.data, heldOut.n);
  const rtnErr = quantOutputError(wd, rtn.deq, shape, heldOut.data, heldOut.n);
  // Float32 and float64 may round a near-tie apart, and a different code changes the later columns a little: allow
  // 3 % of codes to differ if the output error stays within 2 % of the reference's.
  if (mismatches > 0.03 * ref.q.length || err > 1.02 * refErr) {
    const i = ref.q.findIndex((v, k) => v !== r.q[k]);
    fail(t(`${what}: ${mismatches} of ${ref.q.length} codes differ from the float64 reference (first at ${i}: ${r.q[i]}, expected ${ref.q[i]}); held-out output error ${err.toPrecision(4)} vs the reference's ${refErr.toPrecision(4)} (round-to-nearest: ${rtnErr.toPrecision(4)}).`,
      `${what}：${ref.q.length} 个编码中有 ${mismatches} 个与 float64 参考不同（第一个在 ${i}：${r.q[i]}，应为 ${ref.q[i]}）；留出数据上的输出误差为 ${err.toPrecision(4)}，参考为 ${refErr.toPrecision(4)}（就近舍入：${rtnErr.toPrecision(4)}）。`), { hint: GPTQ_HINT });
  }
  return { deq, err, refErr, rtnErr, mismatches };
}

// --- the model --------------------------------------------------------------------------------------------------------

interface Scheme { label: Text; apply(w: Tensor): { deq: ArrayLike<number>; bytes: number }; ref(w: Float64Array, shape: number[]): { deq: ArrayLike<number>; step: ArrayLike<number> } }

const round4 = (v: number): number => Math.round(v * 1e4) / 1e4;

export default defineChecks<Learner>({
  exports: ['roundHalfEven', 'quantizeInt8', 'dequantizeInt8', 'quantizeInt4', 'dequantizeInt4', 'gptqQuantize'],
  shared: {
    model: (): Promise<QuantModel> => quantModel(),
  },
  checks: [
    {
      name: t('quantizeInt8: hand-worked cases, per tensor and per channel (max|w| / 127, halves to even, clamp to ±127)', 'quantizeInt8：手算用例，逐张量与逐通道（max|w| / 127、取偶舍入、截断到 ±127）'),
      task: 'quantizeInt8',
      hint: INT8_HINT,
      run: (m) => {
        for (const [x, want] of [[2.5, 2], [3.5, 4], [-2.5, -2], [-3.5, -4], [0.5, 0], [-0.5, -0], [1.4999, 1], [2.5001, 3]] as const) {
          const got = m.roundHalfEven(x);
          if (got !== want) {
            if (got === Math.round(x)) failWith('round-half-up', t(`(roundHalfEven(${x}) is ${got}; expected ${want}.)`, `（roundHalfEven(${x}) 是 ${got}；应为 ${want}。）`));
            fail(t(`roundHalfEven(${x}) is ${got}; expected ${want}.`, `roundHalfEven(${x}) 是 ${got}；应为 ${want}。`), { hint: M['round-half-up'].hint });
          }
        }
        // max|w| = 127 · 2: the scale is 2 and every ratio is exact; −254 is the largest magnitude, 100 the largest value.
        const a = mat([[-254, 5, 3, -7], [100, 1, -1, 0.5]]);
        expectInt8(m, a, false, undefined, true);
        // Per channel: row 0's scale is 2, row 1's is 0.5 (max 63.5), row 2 is all zeros.
        const b = mat([[-254, 5, 7, -3], [63.5, 0.25, -0.75, 1.25], [0, 0, 0, 0]]);
        const rb = expectInt8(m, b, true, undefined, true);
        expectTrue(rb.scales[2] === 0 && Array.from(rb.q.slice(8)).every((v) => v === 0),
          t('quantizeInt8(w, true): an all-zero row must get scale 0 and codes 0.', 'quantizeInt8(w, true)：全零的行应得到缩放系数 0 和编码 0。'), INT8_HINT);
        // clip 0.5: the scale halves, and the largest weights clamp at ±127 (not ±128: 128 is no int8).
        expectInt8(m, mat([[-254, 127, 5, 254], [3, -1, 0.5, 100]]), false, 0.5, true);
        expectInt8(m, mat([[-254, 127, 5, 254], [3, -1, 0.5, 100]]), true, 0.5, true);
      },
    },
    {
      name: t('int8 on random weights: codes exact, scales per tensor and per row, dequantized within scale / 2', 'int8 随机权重：编码精确、逐张量与逐行的缩放系数、反量化误差不超过 scale / 2'),
      task: 'dequantizeInt8',
      hint: INT8_HINT,
      run: (m, ctx) => {
        const w = randomMatrix(ctx.random, 12, 40, 0.1);
        for (const [perChannel, clip] of [[false, undefined], [true, undefined], [true, 0.8]] as const) {
          const r = expectInt8(m, w, perChannel, clip, false);
          const what = `dequantizeInt8(quantizeInt8(w, ${perChannel}${clip === undefined ? '' : `, ${clip}`}))`;
          const copy = { q: Int8Array.from(r.q), scales: Float32Array.from(r.scales), shape: [...r.shape] as [number, number] };
          const back = m.dequantizeInt8(copy);
          if (!isTensorLike(back) || back.shape[0] !== 12 || back.shape[1] !== 40) fail(t(`${what} did not return a (12, 40) Tensor.`, `${what} 没有返回形状为 (12, 40) 的 Tensor。`));
          for (let i = 0; i < w.size; i++) {
            const s = r.scales[perChannel ? Math.floor(i / 40) : 0];
            const want = r.q[i] * s;
            if (!(Math.abs(back.data[i] - want) <= 1e-6 * Math.max(1, Math.abs(want)))) {
              fail(t(`${what}: element ${i} is ${back.data[i]}; expected q · scale = ${r.q[i]} · ${s} = ${want}.`, `${what}：第 ${i} 个元素是 ${back.data[i]}；应为 q · scale = ${r.q[i]} · ${s} = ${want}。`), { hint: t('w ≈ q[i] · scale of its row (or the one scale).', 'w ≈ q[i] · 所在行的缩放系数（或唯一的缩放系数）。') });
            }
            if (clip === undefined && !(Math.abs(back.data[i] - w.data[i]) <= s / 2 + 1e-6)) {
              fail(t(`${what}: element ${i} came back as ${back.data[i]} from ${w.data[i]}: more than half a step (${s / 2}) off.`, `${what}：第 ${i} 个元素由 ${w.data[i]} 还原为 ${back.data[i]}：误差超过了半个步长（${s / 2}）。`), { hint: INT8_HINT });
            }
          }
        }
      },
    },
    {
      name: t('quantizeInt4: hand-worked groups along the input axis (scale = (max − min) / 15, zero point, codes 0 .. 15)', 'quantizeInt4：沿输入轴分组的手算用例（scale = (max − min) / 15、零点、编码 0 .. 15）'),
      task: 'quantizeInt4',
      hint: INT4_HINT,
      run: (m) => {
        // Group [−1.25, 6.25]: scale 0.5, −min / scale = 2.5 -> zero 2 (halves to even); 6.25 / 0.5 = 12.5 -> 12 + 2 = 14.
        // Group [−3, 4.5]: scale 0.5, zero 6. Group [−0.5, 7]: scale 0.5, zero 1. Group [−7, 0.5]: zero 14.
        // Groups of 2 in a 4 × 4 weight first: there, groups down the columns would also tile (and are named).
        const g2 = mat([[-1.25, 6.25, -3, 4.5], [-0.5, 7, -7, 0.5], [2.5, -5, 1, -6.5], [-2, 5.5, 3.5, -4]]);
        expectInt4(m, g2, 2, true);
        const w = mat([[-1.25, 6.25, 1.5, -3, 4.5, 0.25], [-0.5, 7, 2.75, -7, 0.5, -2.25]]);
        expectInt4(m, w, 3, true);
        let threw = false;
        try {
          m.quantizeInt4(mat([[1, -1, 2, -2, 3, -3]]), 4);
        } catch (e) {
          threw = e instanceof RangeError;
        }
        expectTrue(threw, t('quantizeInt4(w, 4) with 6 inputs per row must throw a RangeError: the groups must tile the row.', '每行 6 个输入时，quantizeInt4(w, 4) 应抛出 RangeError：分组必须恰好铺满一行。'), INT4_HINT);
      },
    },
    {
      name: t('int4 on random weights: groups of 32 and 16 along the input axis, dequantized as (q − zero) · scale', 'int4 随机权重：沿输入轴 32 个与 16 个一组，按 (q − zero) · scale 反量化'),
      task: 'dequantizeInt4',
      hint: INT4_HINT,
      run: (m, ctx) => {
        const w = randomMatrix(ctx.random, 16, 64, 0.1);
        for (const G of [32, 16]) {
          const r = expectInt4(m, w, G, false);
          const back = expectDequant4(m, r, `dequantizeInt4(quantizeInt4(w, ${G}))`);
          const per = 64 / G;
          for (let i = 0; i < w.size; i++) {
            const s = r.scales[Math.floor(i / 64) * per + Math.floor((i % 64) / G)];
            if (!(Math.abs(back[i] - w.data[i]) <= s / 2 + 1e-6)) {
              fail(t(`dequantizeInt4(quantizeInt4(w, ${G})): element ${i} came back as ${back[i]} from ${w.data[i]}: more than half a step (${s / 2}) off.`, `dequantizeInt4(quantizeInt4(w, ${G}))：第 ${i} 个元素由 ${w.data[i]} 还原为 ${back[i]}：误差超过了半个步长（${s / 2}）。`), { hint: INT4_HINT });
            }
          }
        }
      },
    },
    {
      name: t('gptqQuantize: a small layer against the float64 reference (columns in order, error spread with H⁻¹, damp)', 'gptqQuantize：小层与 float64 参考对比（按列顺序、用 H⁻¹ 分摊误差、damp）'),
      task: 'gptqQuantize',
      hint: GPTQ_HINT,
      run: (m, ctx) => {
        const [out, inp] = [8, 16];
        const w = randomMatrix(ctx.random, out, inp, 0.2);
        const calib = correlatedInputs(ctx.random, 96, inp);
        const held = correlatedInputs(ctx.random, 64, inp);
        const a = runGptq(m, w, calib, undefined, { data: held.data, n: 64 });
        const b = runGptq(m, w, calib, 1, { data: held.data, n: 64 });
        expectTrue(a.mismatches + b.mismatches < 0.03 * out * inp * 2, t('gptqQuantize: too many codes differ from the reference.', 'gptqQuantize：与参考不同的编码太多。'), GPTQ_HINT);
        let threw = false;
        try {
          m.gptqQuantize(w, correlatedInputs(ctx.random, 8, inp + 1));
        } catch (e) {
          threw = e instanceof RangeError;
        }
        expectTrue(threw, t(`gptqQuantize(w, x) with x of shape (8, ${inp + 1}) must throw a RangeError: x needs one column per input of w.`, `x 的形状为 (8, ${inp + 1}) 时，gptqQuantize(w, x) 应抛出 RangeError：x 的每一列对应 w 的一个输入。`), GPTQ_HINT);
      },
    },
    {
      name: t("gptqQuantize beats round-to-nearest on the bundled model's h.1.mlp.fc (output error on held-out text)", 'gptqQuantize 在内置模型的 h.1.mlp.fc 上胜过就近舍入（留出文本上的输出误差）'),
      task: 'gptqQuantize',
      hint: GPTQ_HINT,
      run: async (m, ctx) => {
        const model = await ctx.shared<QuantModel>('model');
        model.restore(); // float32 weights, whatever an earlier check left
        const { calib, heldOut, nCalib, nHeldOut } = quantLayerInputs(model, 8, 4, 64);
        const W = tensorAt(model.gpt, QUANT_GPTQ_LAYER.name);
        const w = new Tensor(Float32Array.from(W.data), [...W.shape]);
        const o = runGptq(m, w, new Tensor(calib, [nCalib, w.shape[1]]), undefined, { data: heldOut, n: nHeldOut });
        ctx.artifact({
          kind: 'table', title: t(`${QUANT_GPTQ_LAYER.name}, int4 (one grid per row): output error Σ((Ŵ − W)x)² on held-out Moby-Dick`, `${QUANT_GPTQ_LAYER.name}，int4（每行一个网格）：留出的《白鲸记》文本上的输出误差 Σ((Ŵ − W)x)²`),
          columns: [t('method', '方法'), t('output error', '输出误差'), t('vs round-to-nearest', '相对就近舍入')],
          rows: [
            [t('round-to-nearest', '就近舍入'), Number(o.rtnErr.toPrecision(4)), 1],
            [t('your GPTQ', '你的 GPTQ'), Number(o.err.toPrecision(4)), round4(o.err / o.rtnErr)],
            [t('reference GPTQ (float64)', '参考 GPTQ（float64）'), Number(o.refErr.toPrecision(4)), round4(o.refErr / o.rtnErr)],
          ],
        });
        if (!(o.err < 0.9 * o.rtnErr)) {
          fail(t(`gptqQuantize on ${QUANT_GPTQ_LAYER.name}: held-out output error ${o.err.toPrecision(4)}, round-to-nearest's ${o.rtnErr.toPrecision(4)}: GPTQ should be at least 10 % better.`,
            `在 ${QUANT_GPTQ_LAYER.name} 上的 gptqQuantize：留出数据上的输出误差为 ${o.err.toPrecision(4)}，就近舍入为 ${o.rtnErr.toPrecision(4)}：GPTQ 应至少好 10%。`), { hint: GPTQ_HINT });
        }
      },
    },
    {
      name: t('the bundled model quantized per scheme: bytes and validation loss vs float32', '按各方案量化内置模型：字节数与验证损失（对比 float32）'),
      task: 'quantizeInt4',
      timeoutSeconds: 30,
      run: async (m, ctx) => {
        const model = await ctx.shared<QuantModel>('model');
        model.restore();
        const n = model.names.reduce((s, name) => s + tensorAt(model.gpt, name).size, 0);
        const fp32 = model.valLoss();
        const int8 = (perChannel: boolean): Scheme => ({
          label: perChannel ? t('int8, per channel', 'int8，逐通道') : t('int8, per tensor', 'int8，逐张量'),
          apply: (w) => {
            const r = m.quantizeInt8(w, perChannel);
            return { deq: m.dequantizeInt8(r).data, bytes: w.size + 4 * r.scales.length };
          },
          ref: (w, shape) => {
            const r = quantInt8Ref(w, shape, perChannel);
            return { deq: r.q.map((q, i) => q * r.scales[perChannel ? Math.floor(i / shape[1]) : 0]), step: r.q.map((_, i) => r.scales[perChannel ? Math.floor(i / shape[1]) : 0]) };
          },
        });
        const int4 = (G: number): Scheme => ({
          label: t(`int4, groups of ${G}`, `int4，每组 ${G} 个`),
          apply: (w) => {
            const r = m.quantizeInt4(w, G);
            return { deq: m.dequantizeInt4(r).data, bytes: w.size / 2 + 5 * r.scales.length };
          },
          ref: (w, shape) => {
            const r = quantInt4Ref(w, shape, G);
            const per = shape[1] / G;
            return { deq: quantDequantInt4(r.q, r.scales, r.zeros, shape, G), step: r.q.map((_, i) => r.scales[Math.floor(i / shape[1]) * per + Math.floor((i % shape[1]) / G)]) };
          },
        });
        const rows: (Text | string | number)[][] = [[t('float32', 'float32'), 4 * n, round4(fp32), 0]];
        const losses: number[] = [];
        for (const s of [int8(false), int8(true), int4(64), int4(32)]) {
          try {
            let bytes = 0;
            for (const name of model.names) {
              const W = tensorAt(model.gpt, name);
              const w = new Tensor(Float32Array.from(model.original.get(name)!), [...W.shape]);
              const got = s.apply(w);
              const ref = s.ref(Float64Array.from(w.data), [...w.shape]);
              // A code may differ by one where w / scale is a near-tie (float32 vs float64): at most one step, rarely.
              let off = 0;
              for (let i = 0; i < w.size; i++) {
                const d = Math.abs(got.deq[i] - ref.deq[i]);
                if (d > 1e-6 * Math.max(1, Math.abs(ref.deq[i]))) off += d <= 1.001 * ref.step[i] ? 1 : w.size;
              }
              if (off > 1e-3 * w.size) {
                fail(t(`${s.label.en}: ${name} dequantized differs from the reference scheme's weights.`, `${s.label['zh-cn']}：${name} 反量化后与参考方案的权重不同。`), { hint: join([INT8_HINT, INT4_HINT], ' ') });
              }
              bytes += got.bytes;
              W.data.set(got.deq);
            }
            const loss = model.valLoss();
            losses.push(loss);
            rows.push([s.label, bytes, round4(loss), round4(loss - fp32)]);
          } finally {
            model.restore(); // the next scheme (and any later check) starts from the float32 weights
          }
          await new Promise((r) => setTimeout(r, 0));
        }
        const others = 4 * model.gpt.parameters().reduce((s, p) => s + p.size, 0) - 4 * n;
        ctx.artifact({
          kind: 'table',
          title: t(`The bundled model's ${model.names.length} block matrices quantized (embeddings, LayerNorms and biases stay float32: ${others} more bytes): validation loss on held-out Moby-Dick`,
            `量化内置模型的 ${model.names.length} 个块矩阵（嵌入、LayerNorm 和偏置保持 float32：另占 ${others} 字节）：留出的《白鲸记》文本上的验证损失`),
          columns: [t('scheme', '方案'), t('bytes (block matrices)', '字节数（块矩阵）'), t('validation loss', '验证损失'), t('vs float32', '相对 float32')],
          rows,
        });
        ctx.artifact({
          kind: 'bars',
          title: t('Validation loss above float32 per scheme (nats per character)', '各方案比 float32 多出的验证损失（每字符奈特）'),
          labels: rows.slice(1).map((row) => row[0] as Text),
          values: losses.map((l) => round4(l - fp32)),
        });
        expectTrue(losses.every((l) => Number.isFinite(l) && l < fp32 + 0.5),
          t(`a quantized model's validation loss is far above float32's (${round4(fp32)}): ${losses.map(round4).join(', ')}.`, `某个量化模型的验证损失远高于 float32 的（${round4(fp32)}）：${losses.map(round4).join('，')}。`));
      },
    },
  ],
});
