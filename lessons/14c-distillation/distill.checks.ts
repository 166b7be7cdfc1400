/**
 * Checks for the distillation lesson (distillation/distill): Hinton et al.'s loss
 *   α · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α) · CE(s, y)
 * against a float64 reference (value and gradient), its documented throws, and a live run: a 1-layer, 32-wide student
 * GPT trained with the learner's loss from the bundled model's logits (the teacher, computed once) against the same
 * student trained on the hard labels only, same start, same batches, same budget; the distilled one must be better on
 * held-out text.
 *
 * Expected values come from @llm-lab/course/scale (distillLoss64, distillRun). Every input is copied before the
 * learner sees it, and the inputs are checked unchanged afterwards. A mistake is named only when that mistake's loss
 * matches the learner's on EVERY input (four settings of T and α where the variants all differ); otherwise the
 * message gives the expected and actual values.
 *
 * Which check names which catalogued mistake (lessons/14c-distillation/mistakes.ts):
 *   check                                              names
 *   distillLoss: the value against a float64 ...       no-t-squared, kl-reversed, one-side-temperature,
 *                                                      alpha-swapped (convention: Keras), t-after-softmax,
 *                                                      kl-mean-over-classes
 *   distillLoss: the gradient ...                      (the gradient against the analytic one: plain words)
 *   distillLoss: rejects ...                           (the documented throws: plain words)
 *   distillation run (live) ...                        (held-out losses against the measured margins: plain words)
 */
import { type CheckContext, defineChecks, expectTrue, fail, join, mistake, t } from '@llm-lab/check';
import { DISTILL_SETTINGS, DISTILL_VARIANTS, type DistillRunResult, type DistillVariant, distillLoss64, distillRun } from '@llm-lab/course/scale';
import { Tensor } from '@llm-lab/kit';
import { DISTILL_MISTAKES as M } from './mistakes';

type Learner = typeof import('./distill');

/** Settings where every catalogued variant gives a different value (T ≠ 1, α ∉ {0, 0.5, 1}), then the two ends of α. */
const SETTINGS: { N: number; V: number; T: number; alpha: number }[] = [
  { N: 5, V: 7, T: 2, alpha: 0.7 },
  { N: 3, V: 11, T: 4, alpha: 0.3 },
  { N: 4, V: 6, T: 0.5, alpha: 0.8 },
  { N: 6, V: 9, T: 3, alpha: 0.25 },
];
const ENDS: { N: number; V: number; T: number; alpha: number }[] = [
  { N: 4, V: 5, T: 2, alpha: 0 }, //  plain cross-entropy
  { N: 3, V: 8, T: 5, alpha: 1 }, //  the soft term alone
];

const MISTAKE_OF: Record<Exclude<DistillVariant, 'reference'>, keyof typeof M> = {
  'no-t-squared': 'no-t-squared',
  'kl-reversed': 'kl-reversed',
  'student-no-T': 'one-side-temperature',
  'teacher-no-T': 'one-side-temperature',
  'alpha-swapped': 'alpha-swapped',
  'T-after-softmax': 't-after-softmax',
  'kl-mean-over-classes': 'kl-mean-over-classes',
};

interface Input { s: Float32Array; tl: Float32Array; y: number[]; N: number; V: number; T: number; alpha: number }

function inputOf(ctx: CheckContext, c: { N: number; V: number; T: number; alpha: number }): Input {
  const s = Float32Array.from({ length: c.N * c.V }, () => 6 * ctx.random() - 3);
  const tl = Float32Array.from({ length: c.N * c.V }, () => 8 * ctx.random() - 4);
  const y = Array.from({ length: c.N }, () => Math.floor(ctx.random() * c.V));
  return { s, tl, y, ...c };
}

const where = (i: Input) => t(` (N ${i.N}, V ${i.V}, temperature ${i.T}, alpha ${i.alpha})`, `（N ${i.N}，V ${i.V}，temperature ${i.T}，alpha ${i.alpha}）`);

/** Calls the learner on copies; checks the inputs were left alone; returns the loss tensor and the student tensor. */
function call(m: Learner, i: Input): { loss: Tensor; student: Tensor } {
  const student = new Tensor(Float32Array.from(i.s), [i.N, i.V], true);
  const teacher = new Tensor(Float32Array.from(i.tl), [i.N, i.V]);
  const y = [...i.y];
  const loss = m.distillLoss(student, teacher, y, { temperature: i.T, alpha: i.alpha }) as unknown;
  const changed = student.data.some((v, k) => v !== i.s[k]) || teacher.data.some((v, k) => v !== i.tl[k]) || y.some((v, k) => v !== i.y[k]);
  if (changed) {
    fail(join([t('distillLoss changed its inputs (the logits or the targets)', 'distillLoss 修改了它的输入（logits 或目标）'), where(i), t(': compute new tensors with kit ops, do not write into the ones you are given.', '：请用 kit 运算得到新的张量，不要写入传给你的张量。')], ''));
  }
  if (!(loss instanceof Tensor) || loss.size !== 1) {
    fail(join([t(`distillLoss returned ${loss instanceof Tensor ? `a tensor of shape [${loss.shape.join(', ')}]` : typeof loss}`, `distillLoss 返回了${loss instanceof Tensor ? `形状为 [${loss.shape.join(', ')}] 的张量` : ` ${typeof loss}`}`), where(i),
      t('; expected a Tensor holding one number (the mean over the rows), built with kit ops so that backward() reaches the student\'s logits.', '；应返回只含一个数的 Tensor（在行上的平均），并用 kit 运算构建，使 backward() 能传到学生的 logits。')], ''));
  }
  return { loss: loss as Tensor, student };
}

const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

async function run(m: Learner, ctx: CheckContext): Promise<DistillRunResult> {
  return distillRun((s, tl, y, o) => m.distillLoss(s, tl, y, o), (a) => ctx.progress(a));
}

/** What the seeds 0-5 of the reference solution gave (see the lesson's notes): the margins are set below all of them. */
const MARGIN_FINAL = 0.3; //   hard − distilled at the end: measured 0.77 to 0.96
const MARGIN_BEST = 0.05; //   best hard-label point of the run − distilled at the end: measured 0.13 to 0.29

export default defineChecks<Learner>({
  exports: ['distillLoss'],
  shared: { run },
  checks: [
    {
      name: t('distillLoss: the value against a float64 reference (four settings of temperature and alpha, and alpha 0 and 1)', 'distillLoss：数值与 float64 参考一致（四组 temperature 和 alpha，以及 alpha 为 0 和 1）'),
      task: 'distillLoss',
      run: (m, ctx) => {
        const inputs = SETTINGS.map((c) => inputOf(ctx, c));
        const got = inputs.map((i) => call(m, i).loss.item());
        const want = inputs.map((i) => distillLoss64(i.s, i.tl, i.y, i.V, i.T, i.alpha).loss);
        const bad = got.findIndex((v, k) => !close(v, want[k]));
        if (bad >= 0) {
          for (const v of DISTILL_VARIANTS) {
            if (inputs.every((i, k) => close(got[k], distillLoss64(i.s, i.tl, i.y, i.V, i.T, i.alpha, v).loss))) {
              const entry = M[MISTAKE_OF[v as Exclude<DistillVariant, 'reference'>]];
              if (entry.convention) fail(...mistake(entry));
              fail(join([entry.message, t(` (for example${where(inputs[bad]).en}: ${got[bad]}, expected ${want[bad].toFixed(6)})`, `（例如${where(inputs[bad])['zh-cn']}：${got[bad]}，应为 ${want[bad].toFixed(6)}）`)], ''), { hint: entry.hint });
            }
          }
          fail(join([t('distillLoss', 'distillLoss'), where(inputs[bad]), t(` is ${got[bad]}, expected ${want[bad].toFixed(6)}.`, ` 为 ${got[bad]}，应为 ${want[bad].toFixed(6)}。`)], ''),
            { hint: t('α · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α) · CE(s, y): the KL summed over the classes and averaged over the N rows, the cross-entropy averaged over the rows at T = 1.', 'α · T² · KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α) · CE(s, y)：KL 在类别上求和、在 N 行上求平均，交叉熵在温度为 1 时对各行求平均。') });
        }
        for (const c of ENDS) {
          const i = inputOf(ctx, c);
          const v = call(m, i).loss.item();
          const w = distillLoss64(i.s, i.tl, i.y, i.V, i.T, i.alpha).loss;
          expectTrue(close(v, w), join([t('distillLoss', 'distillLoss'), where(i), t(` is ${v}, expected ${w.toFixed(6)}${c.alpha === 0 ? ': with alpha 0 it is the plain cross-entropy on the labels' : ': with alpha 1 it is T² times the KL alone'}.`, ` 为 ${v}，应为 ${w.toFixed(6)}${c.alpha === 0 ? '：alpha 为 0 时它就是标签上的普通交叉熵' : '：alpha 为 1 时它只是 T² 乘以 KL'}。`)], ''),
            t('Use alpha and 1 − alpha as the weights without special cases: alpha · T² · kl + (1 − alpha) · ce.', '直接用 alpha 和 1 − alpha 作权重，不要特殊处理：alpha · T² · kl + (1 − alpha) · ce。'));
        }
      },
    },
    {
      name: t('distillLoss: the gradient with respect to the student\'s logits against the analytic one (α·T·(p_s − p_t) + (1 − α)·(softmax(s) − onehot)) / N', 'distillLoss：对学生 logits 的梯度与解析梯度 (α·T·(p_s − p_t) + (1 − α)·(softmax(s) − onehot)) / N 一致'),
      task: 'distillLoss',
      run: (m, ctx) => {
        for (const c of [SETTINGS[0], SETTINGS[2], { N: 3, V: 10, T: 6, alpha: 0.5 }]) {
          const i = inputOf(ctx, c);
          const { loss, student } = call(m, i);
          loss.backward();
          const want = distillLoss64(i.s, i.tl, i.y, i.V, i.T, i.alpha).grad;
          const g = student.grad;
          if (!g) fail(join([t('the student\'s logits got no gradient from distillLoss(...).backward()', 'distillLoss(...).backward() 没有给学生的 logits 带来梯度'), where(i), t(': build the loss from the student tensor with kit ops (no .data, no numbers taken out with .item()).', '：请用 kit 运算由学生张量构建损失（不要经过 .data，也不要用 .item() 取出数字）。')], ''));
          const k = want.findIndex((v, j) => Math.abs(v - g[j]) > 1e-5 + 1e-3 * Math.abs(v));
          expectTrue(k < 0, join([t(`the gradient of the student's logit [${Math.floor(k / i.V)}, ${k % i.V}]`, `学生 logit [${Math.floor(k / i.V)}, ${k % i.V}] 的梯度`), where(i), t(` is ${g[k]}, expected ${want[k]?.toFixed(7)}.`, ` 为 ${g[k]}，应为 ${want[k]?.toFixed(7)}。`)], ''),
            t('The value check tells whether the loss is right; if it passes and this fails, the loss goes through something autograd does not see (a value copied out of a tensor, or the teacher\'s logits built from the student\'s).', '数值检查会告诉你损失本身是否正确；如果它通过而这里失败，说明损失经过了 autograd 看不到的计算（从张量中复制出的数值，或用学生 logits 构建的教师 logits）。'));
        }
      },
    },
    {
      name: t('distillLoss: rejects a temperature ≤ 0 and an alpha outside [0, 1]', 'distillLoss：拒绝 ≤ 0 的 temperature 和 [0, 1] 之外的 alpha'),
      task: 'distillLoss',
      run: (m, ctx) => {
        for (const [T, alpha] of [[0, 0.5], [-1, 0.5], [2, -0.1], [2, 1.5]]) {
          const i = inputOf(ctx, { N: 2, V: 4, T, alpha });
          let threw = false;
          try {
            m.distillLoss(new Tensor(Float32Array.from(i.s), [2, 4], true), new Tensor(Float32Array.from(i.tl), [2, 4]), [...i.y], { temperature: T, alpha });
          } catch (e) {
            if (e instanceof Error && e.name === 'NotImplementedError') throw e;
            threw = true;
          }
          expectTrue(threw, t(`distillLoss with temperature ${T} and alpha ${alpha} returned a value; the lesson's distillLoss throws an Error when temperature ≤ 0 or alpha is outside [0, 1].`, `distillLoss 在 temperature ${T}、alpha ${alpha} 时返回了一个值；本课的 distillLoss 在 temperature ≤ 0 或 alpha 不在 [0, 1] 内时应抛出 Error。`),
            t('At the start: if (!(temperature > 0)) throw new Error(...); if (!(alpha >= 0 && alpha <= 1)) throw new Error(...).', '在开头：if (!(temperature > 0)) throw new Error(...)；if (!(alpha >= 0 && alpha <= 1)) throw new Error(...)。'));
        }
      },
    },
    {
      name: t('distillation run (live): a 1-layer student trained from the bundled model beats the same student trained on hard labels only', '蒸馏训练（实时）：从内置模型蒸馏出的单层学生模型胜过只用硬标签训练的同一学生模型'),
      task: 'distillLoss',
      timeoutSeconds: 120,
      run: async (m, ctx) => {
        const r = await ctx.shared<DistillRunResult>('run');
        const S = DISTILL_SETTINGS;
        const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
        const bestHard = Math.min(...r.curve.map((p) => p[2]).filter(Number.isFinite));
        ctx.artifact({
          kind: 'table', title: t('Distilled student against the hard-label student (held-out Moby-Dick)', '蒸馏学生与硬标签学生的对比（留出的《白鲸记》文本）'),
          columns: ['', t('held-out loss (nats per character)', '留出损失（每字符 nat）'), t('wall time (s)', '耗时（秒）')],
          rows: [
            [t(`student distilled with your distillLoss (T ${S.temperature}, alpha ${S.alpha})`, `用你的 distillLoss 蒸馏的学生（T ${S.temperature}，alpha ${S.alpha}）`), r4(r.distilled), r.seconds.distilled],
            [t('the same student on hard labels only', '只用硬标签训练的同一学生'), r4(r.hard), r.seconds.hard],
            [t('the hard-label student at its best evaluation point', '硬标签学生在其最佳评估点'), r4(bestHard), ''],
            [t('teacher: the bundled model (4 layers, 128 wide)', '教师：内置模型（4 层，宽 128）'), r4(r.teacher), r.seconds.teacher],
            [t(`budget: ${S.steps} steps × ${S.batch} windows of ${S.student.blockSize} characters, from ${S.trainWindows} training windows`, `预算：${S.steps} 步 × ${S.batch} 个窗口，每个 ${S.student.blockSize} 个字符，取自 ${S.trainWindows} 个训练窗口`), '', ''],
          ],
        });
        if (r.problem) fail(t(`the distilled student did not train: ${r.problem.en}.`, `蒸馏学生没有训练成功：${r.problem['zh-cn']}。`));
        expectTrue(r.distilled <= r.hard - MARGIN_FINAL,
          t(`the distilled student's held-out loss is ${r.distilled.toFixed(4)}, the hard-label student's ${r.hard.toFixed(4)}: the reference solution's runs (seeds 0-5) are better by 0.77 to 0.96, and the check asks for at least ${MARGIN_FINAL}.`,
            `蒸馏学生的留出损失是 ${r.distilled.toFixed(4)}，硬标签学生的是 ${r.hard.toFixed(4)}：参考解的训练（种子 0-5）要好 0.77 到 0.96，检查要求至少好 ${MARGIN_FINAL}。`),
          t('The quick checks test the loss on hand-made logits; if they pass, look at the curve: a distilled curve that overfits like the hard-label one means the soft term carries little weight (alpha, T²).', '快速检查会在手工构造的 logits 上测试损失；如果它们都通过了，请看曲线：蒸馏曲线如果也像硬标签曲线那样过拟合，说明软目标项的权重太小（alpha、T²）。'));
        expectTrue(r.distilled <= bestHard - MARGIN_BEST,
          t(`the distilled student ends at ${r.distilled.toFixed(4)}, not clearly below the hard-label student's best point ${bestHard.toFixed(4)} (the reference solution's runs are below it by 0.13 to 0.29; the check asks for ${MARGIN_BEST}).`,
            `蒸馏学生最终为 ${r.distilled.toFixed(4)}，没有明显低于硬标签学生的最佳点 ${bestHard.toFixed(4)}（参考解的训练比它低 0.13 到 0.29；检查要求低 ${MARGIN_BEST}）。`));
      },
    },
  ],
});
