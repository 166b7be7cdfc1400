/**
 * The distillation lesson's course code: the loss in float64 (value and gradient, and the variants the catalogue
 * names), and the live run: a 1-layer, 32-wide student GPT trained twice from the same start on the same windows of
 * Moby-Dick, once with the learner's distillation loss against the bundled model's logits (the teacher, computed once),
 * once on the hard labels only (cross-entropy, the kit's), then both measured on held-out text.
 *
 * Never learner code. The loss is Hinton et al. (2015):
 *   L = α · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α) · CE(s, y)
 * KL summed over the classes and averaged over the rows (PyTorch's kl_div(log_softmax(s/T), softmax(t/T),
 * reduction='batchmean')), CE averaged over the rows.
 */
import { AdamW, GPT, Rng, Tensor, crossEntropy, noGrad } from '@llm-lab/kit';
import { type LocalArtifact, type Text, t } from '@llm-lab/check';
import { kitGpt, MOBY_VAL } from '@llm-lab/course/lora';
import { lessonModel } from '@llm-lab/course/decoding';

/** How the catalogue's mistakes compute the loss (for recognising them; 'reference' is the lesson's). */
export type DistillVariant =
  | 'reference'
  | 'no-t-squared' //        α · KL + (1 − α) · CE
  | 'kl-reversed' //         KL(student ‖ teacher)
  | 'student-no-T' //        softmax(s), not softmax(s/T)
  | 'teacher-no-T' //        softmax(t), not softmax(t/T)
  | 'alpha-swapped' //       (1 − α) · T² · KL + α · CE (Keras's example)
  | 'T-after-softmax' //     softmax(z) / T in place of softmax(z / T)
  | 'kl-mean-over-classes'; // KL averaged over N·V elements (kl_div reduction='mean')

export const DISTILL_VARIANTS: readonly DistillVariant[] = ['no-t-squared', 'kl-reversed', 'student-no-T', 'teacher-no-T', 'alpha-swapped', 'T-after-softmax', 'kl-mean-over-classes'];

function logSoftmax64(row: ArrayLike<number>, T: number): Float64Array {
  let m = -Infinity;
  for (let i = 0; i < row.length; i++) m = Math.max(m, row[i] / T);
  let z = 0;
  for (let i = 0; i < row.length; i++) z += Math.exp(row[i] / T - m);
  const lz = m + Math.log(z);
  return Float64Array.from(row, (v) => v / T - lz);
}

export interface Distill64 {
  loss: number;
  /** dL/ds, (N, V) row-major. */
  grad: Float64Array;
}

/**
 * The loss in float64 and its gradient with respect to the student's logits. s and t are (N, V) row-major, y the N
 * targets. For a variant, the loss that mistake computes (its gradient is not needed and left as zeros).
 */
export function distillLoss64(s: ArrayLike<number>, tl: ArrayLike<number>, y: ArrayLike<number>, V: number, T: number, alpha: number, variant: DistillVariant = 'reference'): Distill64 {
  const N = y.length;
  const grad = new Float64Array(N * V);
  let kl = 0;
  let ce = 0;
  for (let n = 0; n < N; n++) {
    const srow = Array.from({ length: V }, (_, c) => s[n * V + c]);
    const trow = Array.from({ length: V }, (_, c) => tl[n * V + c]);
    const lsT = logSoftmax64(srow, variant === 'student-no-T' ? 1 : T);
    const ltT = logSoftmax64(trow, variant === 'teacher-no-T' ? 1 : T);
    const ls1 = logSoftmax64(srow, 1);
    if (variant === 'T-after-softmax') {
      // p = softmax(z) / T for both: Σ pt (log pt − log ps), with log p = log softmax(z) − log T.
      const lt1 = logSoftmax64(trow, 1);
      for (let c = 0; c < V; c++) kl += (Math.exp(lt1[c]) / T) * (lt1[c] - ls1[c]);
    } else if (variant === 'kl-reversed') {
      for (let c = 0; c < V; c++) kl += Math.exp(lsT[c]) * (lsT[c] - ltT[c]);
    } else {
      for (let c = 0; c < V; c++) kl += Math.exp(ltT[c]) * (ltT[c] - lsT[c]);
    }
    ce -= ls1[y[n]];
    if (variant === 'reference') {
      for (let c = 0; c < V; c++) {
        grad[n * V + c] = (alpha * T * (Math.exp(lsT[c]) - Math.exp(ltT[c])) + (1 - alpha) * (Math.exp(ls1[c]) - (c === y[n] ? 1 : 0))) / N;
      }
    }
  }
  kl /= variant === 'kl-mean-over-classes' ? N * V : N;
  ce /= N;
  const T2 = variant === 'no-t-squared' ? 1 : T * T;
  const loss = variant === 'alpha-swapped' ? (1 - alpha) * T2 * kl + alpha * ce : alpha * T2 * kl + (1 - alpha) * ce;
  return { loss, grad };
}

// --- the live run ---------------------------------------------------------------------------------------------------

/** The run's settings: chosen so that both trainings together take well under 30 s on two busy cores. */
export const DISTILL_SETTINGS = {
  student: { nLayer: 1, nHead: 2, nEmbd: 32, blockSize: 32 },
  /** Training windows of the student (fixed, drawn once): little data, where a teacher's soft labels help most. */
  trainWindows: 32,
  /** Characters of MOBY_VAL the training windows come from; the held-out windows come from the rest. */
  trainChars: 4000,
  heldOutWindows: 48,
  steps: 200,
  batch: 8,
  lr: 3e-3,
  temperature: 2,
  alpha: 0.9,
  seed: 0,
};

export interface DistillRunResult {
  /** Held-out loss (nats per character) of the distilled student, of the hard-label student, of the teacher. */
  distilled: number;
  hard: number;
  teacher: number;
  /** Held-out loss every `every` steps: [step, distilled, hard]. */
  curve: [number, number, number][];
  seconds: { teacher: number; distilled: number; hard: number };
  seed: number;
  problem?: Text;
}

export type DistillLossFn = (student: Tensor, teacher: Tensor, targets: number[], opts: { temperature: number; alpha: number }) => Tensor;

interface Windows { x: Int32Array; y: number[]; count: number }

function windowsAt(ids: Int32Array, starts: number[], T: number): Windows {
  const x = new Int32Array(starts.length * T);
  const y: number[] = [];
  starts.forEach((s, w) => { for (let k = 0; k < T; k++) { x[w * T + k] = ids[s + k]; y.push(ids[s + k + 1]); } });
  return { x, y, count: starts.length };
}

function heldOutLoss(gpt: GPT, w: Windows, T: number): number {
  return noGrad(() => gpt.forward(w.x, w.count, T, { targets: w.y }).loss!.item());
}

const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * Trains the student twice (distilled with `lossFn`, then on hard labels with the kit's cross-entropy) from the same
 * initial weights, on the same batches in the same order, with the same AdamW, and returns the held-out losses.
 */
export async function distillRun(lossFn: DistillLossFn, progress?: (a: LocalArtifact) => void | Promise<void>, seed = DISTILL_SETTINGS.seed): Promise<DistillRunResult> {
  const S = DISTILL_SETTINGS;
  const t0 = Date.now();
  const model = await lessonModel();
  const V = model.config.vocabSize;
  const T = S.student.blockSize;
  const index = new Map(model.vocab.map((ch, i) => [ch, i]));
  const ids = Int32Array.from([...MOBY_VAL], (ch) => index.get(ch) ?? index.get(' ') ?? 0);
  const rng = new Rng(1000 + seed);
  const train = windowsAt(ids, Array.from({ length: S.trainWindows }, () => rng.randint(0, S.trainChars - T - 1)), T);
  const heldStart = S.trainChars;
  const span = ids.length - heldStart - T - 1;
  const held = windowsAt(ids, Array.from({ length: S.heldOutWindows }, (_, i) => heldStart + Math.floor((i * span) / S.heldOutWindows)), T);
  // The teacher's logits for every training window, once (the bundled model in the kit, no gradient).
  const teacherGpt = kitGpt(model);
  const teacherLogits = noGrad(() => teacherGpt.forward(train.x, train.count, T).logits.data.slice());
  const teacherHeld = heldOutLoss(teacherGpt, held, T);
  const tTeacher = Math.round((Date.now() - t0) / 100) / 10;
  const config = { vocabSize: V, ...S.student };
  // The batches: a fixed order of window indices, the same for both runs.
  const order = new Rng(2000 + seed);
  const batches = Array.from({ length: S.steps }, () => Array.from({ length: S.batch }, () => order.randint(0, S.trainWindows)));
  const every = 25;
  const curve: [number, number, number][] = [];
  const result: DistillRunResult = { distilled: NaN, hard: NaN, teacher: teacherHeld, curve, seconds: { teacher: tTeacher, distilled: 0, hard: 0 }, seed };
  const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
  const pick = (col: 1 | 2) => curve.filter((p) => Number.isFinite(p[col]));
  const chart = async () => progress?.({
    kind: 'curve', title: t('Held-out loss of the two students (live)', '两个学生模型的留出损失（实时）'),
    xLabel: t('step', '步数'), yLabel: t('held-out loss (nats per character)', '留出损失（每字符 nat）'),
    series: [
      { name: t('distilled (your distillLoss)', '蒸馏（你的 distillLoss）'), x: pick(1).map((p) => p[0]), y: pick(1).map((p) => r4(p[1])) },
      { name: t('hard labels only (cross-entropy)', '仅用硬标签（交叉熵）'), x: pick(2).map((p) => p[0]), y: pick(2).map((p) => r4(p[2])) },
      { name: t('teacher (the bundled model)', '教师（内置模型）'), x: [0, S.steps], y: [r4(teacherHeld), r4(teacherHeld)] },
    ],
  });
  for (const mode of ['distilled', 'hard'] as const) {
    const started = Date.now();
    const gpt = new GPT(config, new Rng(seed));
    const params = gpt.parameters();
    const opt = new AdamW(params, { lr: S.lr, weightDecay: 0 });
    const col = mode === 'distilled' ? 1 : 2;
    for (let step = 0; step <= S.steps; step++) {
      if (step % every === 0) {
        const v = heldOutLoss(gpt, held, T);
        let row = curve.find((p) => p[0] === step);
        if (!row) { row = [step, NaN, NaN]; curve.push(row); }
        row[col] = v;
        await chart();
        await tick();
      }
      if (step === S.steps) break;
      const b = batches[step];
      const x = new Int32Array(b.length * T);
      const y: number[] = [];
      const tl = new Float32Array(b.length * T * V);
      b.forEach((w, i) => {
        x.set(train.x.subarray(w * T, (w + 1) * T), i * T);
        y.push(...train.y.slice(w * T, (w + 1) * T));
        tl.set(teacherLogits.subarray(w * T * V, (w + 1) * T * V), i * T * V);
      });
      const logits = gpt.forward(x, b.length, T).logits.reshape(b.length * T, V);
      let loss: Tensor;
      if (mode === 'hard') loss = crossEntropy(logits, y);
      else {
        try {
          loss = lossFn(logits, new Tensor(tl, [b.length * T, V]), [...y], { temperature: S.temperature, alpha: S.alpha });
        } catch (e) {
          if (e instanceof Error && e.name === 'NotImplementedError') throw e;
          const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
          result.problem = t(`distillLoss threw at step ${step}: ${why}`, `distillLoss 在第 ${step} 步抛出了异常：${why}`);
          return result;
        }
      }
      const value = loss?.item?.();
      if (!Number.isFinite(value)) {
        result.problem = t(`the loss is ${value} at step ${step}`, `第 ${step} 步的损失是 ${value}`);
        return result;
      }
      opt.zeroGrad();
      try {
        loss.backward();
      } catch (e) {
        const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
        result.problem = t(`backward() through the loss failed at step ${step}: ${why}`, `第 ${step} 步对损失调用 backward() 失败：${why}`);
        return result;
      }
      opt.step();
    }
    result[mode] = curve[curve.length - 1][col];
    result.seconds[mode] = Math.round((Date.now() - started) / 100) / 10;
  }
  return result;
}
