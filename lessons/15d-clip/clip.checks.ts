/**
 * Checks for the CLIP lesson (clip/clip): L2 normalisation, the logits exp(t) · cosine, the symmetric InfoNCE loss with
 * a learned log-temperature t (clamped to [0, ln 100] after each step), zero-shot classification, and a live training
 * run on 8×8×3 images of coloured shapes that the course renders (src/course/apps/clip.ts).
 *
 * Expected values come from float64 references (clipCosine64, clipLossRef) computed on COPIES of the inputs taken
 * before the learner's call, and from the course's own kit training step (clipTrainStepRef) on a twin model.
 *
 * Which check names which catalogued mistake (lessons/15d-clip/mistakes.ts):
 *   check                                   names
 *   l2Normalize: ...                        (none: a wrong norm or a missing gradient is said in plain words)
 *   clipLogits: ...                         no-normalize, divide-scale, scale-not-exp, hf-logits-per-text (convention: Hugging Face)
 *   clipLoss: value and gradients ...       one-direction, labels-not-diagonal, sum-not-mean, scale-not-learned,
 *                                           no-normalize, divide-scale, scale-not-exp
 *   trainStep: ...                          no-clamp, scale-not-learned
 *   zeroShot: ...                           (none: a wrong argmax is said in plain words)
 *   training run (live) ...                 (none: it measures the zero-shot accuracy on held-out pairs)
 * Accepted as well: normalisation with an epsilon (PyTorch's F.normalize: x / max(‖x‖, 1e-12)), loops over .data,
 * the loss computed from the transposed logits first (Hugging Face's order of the two terms).
 * Not catalogued, said in plain words: wrong values or gradients otherwise, mutated inputs, missing throws, a step
 * that does not match the reference (gradients not zeroed, no optimizer step), a wrong zero-shot argmax.
 */
import { type CheckContext, type Text, defineChecks, expectThrows, fail, join, t } from '@llm-lab/check';
import {
  CLIP_ALL, CLIP_HELD_OUT, CLIP_MAX_LOG_SCALE, CLIP_RUN, CLIP_TRAIN, type ClipModelLike, type ClipRunResult, clipCaption,
  clipCosine64, clipImages, clipIsHeldOut, clipLabel, clipShortLabel, clipLossRef, clipRowCE64, clipTrainRun, clipTrainStepRef, clipTranspose,
} from '@llm-lab/course/apps';
import { AdamW, Rng, type Tensor, mul as mulT, noGrad, sum as sumAll, tensor } from '@llm-lab/kit';
import { CLIP_MISTAKES as M, type ClipMistake } from './mistakes';

type Learner = typeof import('./clip');
type Ctx = CheckContext;

const failWith = (key: ClipMistake, where: Text): never => fail(join([M[key].message, where], ''), { hint: M[key].hint, convention: M[key].convention });
const near = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
const allNear = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) => a.length === b.length && Array.from(a).every((v, i) => near(v, b[i], tol));
const seeded = (ctx: Ctx, n: number) => Array.from({ length: n }, () => (ctx.random() - 0.5) * 2);
const isTensor = (x: unknown): x is Tensor => !!x && typeof x === 'object' && 'data' in x && 'shape' in x;
const show = (v: number) => v.toFixed(6);

const LOGITS_HINT = t('logits = mul(matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1)), exp(logitScale)): (N images, M texts).',
  'logits = mul(matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1)), exp(logitScale))：形状为（N 张图像，M 条文本）。');
const LOSS_HINT = t('labels = [0, ..., N − 1]; loss = (crossEntropy(logits, labels) + crossEntropy(transpose(logits, 0, 1), labels)) / 2, with logits = clipLogits(...).',
  'labels = [0, ..., N − 1]；loss = (crossEntropy(logits, labels) + crossEntropy(transpose(logits, 0, 1), labels)) / 2，其中 logits = clipLogits(...)。');

/** Logits (N, M) of rows a (N, D) and b (M, D) with each side normalised or not, times `scale`. */
function logits64(a: number[], b: number[], N: number, Mn: number, D: number, scale: number, normA: boolean, normB: boolean): number[][] {
  const rows = (x: number[], n: number, norm: boolean) => Array.from({ length: n }, (_, i) => {
    const r = x.slice(i * D, (i + 1) * D);
    const s = norm ? Math.sqrt(r.reduce((acc, v) => acc + v * v, 0)) : 1;
    return r.map((v) => v / s);
  });
  const [A, B] = [rows(a, N, normA), rows(b, Mn, normB)];
  return A.map((r) => B.map((q) => scale * r.reduce((acc, v, k) => acc + v * q[k], 0)));
}

/** Which catalogued mistake turns (a, b, t) into logits equal to `got` (N, M), if any. */
function logitsMistake(got: ArrayLike<number>, a: number[], b: number[], N: number, Mn: number, D: number, logT: number): ClipMistake | undefined {
  const s = Math.exp(logT);
  const flat = (L: number[][]) => L.flat();
  if ([[false, false], [true, false], [false, true]].some(([x, y]) => allNear(got, flat(logits64(a, b, N, Mn, D, s, x, y))))) return 'no-normalize';
  if (allNear(got, flat(logits64(a, b, N, Mn, D, 1 / s, true, true)))) return 'divide-scale';
  if (allNear(got, flat(logits64(a, b, N, Mn, D, logT, true, true)))) return 'scale-not-exp';
  return undefined;
}

function expectLogits(m: Learner, N: number, Mn: number, D: number, logT: number, ctx: Ctx): void {
  const [a, b] = [seeded(ctx, N * D).map(Math.fround), seeded(ctx, Mn * D).map(Math.fround)];
  const [img, txt, scale] = [tensor(a, [N, D]), tensor(b, [Mn, D]), tensor([logT], [1], { requiresGrad: true })];
  const where = t(` (imageEmb (${N}, ${D}), textEmb (${Mn}, ${D}), t = ${logT.toFixed(4)})`, `（imageEmb (${N}, ${D})，textEmb (${Mn}, ${D})，t = ${logT.toFixed(4)}）`);
  const got = m.clipLogits(img, txt, scale) as unknown;
  if (img.data.some((v, i) => v !== a[i]) || txt.data.some((v, i) => v !== b[i])) fail(join([t('clipLogits changed the embeddings it was given', 'clipLogits 修改了传给它的嵌入'), where, t('.', '。')], ''));
  const want = clipCosine64(a, b, N, Mn, D).map((r) => r.map((c) => Math.exp(Math.fround(logT)) * c));
  if (!isTensor(got)) fail(join([t('clipLogits must return a Tensor', 'clipLogits 必须返回一个 Tensor'), where, t('.', '。')], ''), { hint: LOGITS_HINT });
  const shape = Array.from(got.shape);
  if (shape.length === 2 && shape[0] === Mn && shape[1] === N && N !== Mn && allNear(got.data, clipTranspose(want).flat())) {
    failWith('hf-logits-per-text', join([where, t(`: got shape (${Mn}, ${N}), texts in the rows.`, `：得到的形状是 (${Mn}, ${N})，文本在行上。`)], ''));
  }
  if (shape.length !== 2 || shape[0] !== N || shape[1] !== Mn) {
    fail(join([t(`clipLogits returned shape (${shape.join(', ')}); expected (${N}, ${Mn}): N images in the rows, M texts in the columns`, `clipLogits 返回的形状是 (${shape.join(', ')})；应为 (${N}, ${Mn})：N 张图像在行上，M 条文本在列上`), where, t('.', '。')], ''), { hint: LOGITS_HINT });
  }
  if (allNear(got.data, want.flat())) return;
  const named = logitsMistake(got.data, a, b, N, Mn, D, Math.fround(logT));
  if (named) failWith(named, join([where, t(`: logits[0][0] = ${show(got.data[0])}, expected exp(t) · cos = ${show(want[0][0])}.`, `：logits[0][0] = ${show(got.data[0])}，应为 exp(t) · cos = ${show(want[0][0])}。`)], ''));
  const k = Array.from(got.data).findIndex((v, i) => !near(v, want.flat()[i]));
  fail(join([t(`clipLogits[${Math.floor(k / Mn)}][${k % Mn}] is ${show(got.data[k])}; expected exp(t) · cos = ${show(want.flat()[k])}`, `clipLogits[${Math.floor(k / Mn)}][${k % Mn}] 为 ${show(got.data[k])}；应为 exp(t) · cos = ${show(want.flat()[k])}`), where, t('.', '。')], ''), { hint: LOGITS_HINT });
}

function expectLoss(m: Learner, N: number, D: number, logT: number, ctx: Ctx): void {
  const [a, b] = [seeded(ctx, N * D).map(Math.fround), seeded(ctx, N * D).map(Math.fround)];
  const img = tensor(a, [N, D], { requiresGrad: true });
  const txt = tensor(b, [N, D], { requiresGrad: true });
  const scale = tensor([logT], [1], { requiresGrad: true });
  const lt = Math.fround(logT);
  const where = t(` (N = ${N}, D = ${D}, t = ${logT.toFixed(4)})`, `（N = ${N}，D = ${D}，t = ${logT.toFixed(4)}）`);
  const loss = m.clipLoss(img, txt, scale) as unknown;
  if (img.data.some((v, i) => v !== a[i]) || txt.data.some((v, i) => v !== b[i]) || scale.data[0] !== lt) fail(join([t('clipLoss changed its inputs', 'clipLoss 修改了它的输入'), where, t('.', '。')], ''));
  if (!isTensor(loss) || loss.data.length !== 1) fail(join([t('clipLoss must return a scalar Tensor', 'clipLoss 必须返回一个标量 Tensor'), where, t('.', '。')], ''), { hint: LOSS_HINT });
  const ref = clipLossRef(a, b, N, D, lt);
  const v = loss.data[0];
  const got = t(`: got ${show(v)}, expected ${show(ref.loss)}.`, `：得到 ${show(v)}，应为 ${show(ref.loss)}。`);
  if (!near(v, ref.loss)) {
    const diag = Array.from({ length: N }, (_, i) => i);
    const sym = (L: number[][], labels: number[]) => 0.5 * (clipRowCE64(L, labels) + clipRowCE64(clipTranspose(L), labels));
    if (near(v, clipRowCE64(ref.logits, diag)) || near(v, clipRowCE64(clipTranspose(ref.logits), diag))) failWith('one-direction', join([where, got], ''));
    const wrongLabels = [diag.map((i) => N - 1 - i), diag.map(() => 0), diag.map((i) => (i + 1) % N)];
    if (wrongLabels.some((l) => near(v, sym(ref.logits, l)))) failWith('labels-not-diagonal', join([where, got], ''));
    if ([N, 2, 2 * N].some((f) => near(v, f * ref.loss))) failWith('sum-not-mean', join([where, got], ''));
    const s = Math.exp(lt);
    if ([[false, false], [true, false], [false, true]].some(([x, y]) => near(v, sym(logits64(a, b, N, N, D, s, x, y), diag)))) failWith('no-normalize', join([where, got], ''));
    if (near(v, sym(logits64(a, b, N, N, D, 1 / s, true, true), diag))) failWith('divide-scale', join([where, got], ''));
    if (near(v, sym(logits64(a, b, N, N, D, lt, true, true), diag))) failWith('scale-not-exp', join([where, got], ''));
    fail(join([t('clipLoss gave the wrong value', 'clipLoss 的值不对'), where, got], ''), { hint: LOSS_HINT });
  }
  if (!loss.requiresGrad) failWith('scale-not-learned', join([where, t(': the loss carries no gradient at all.', '：这个损失完全没有梯度。')], ''));
  loss.backward();
  const gs = scale.grad?.[0];
  if (gs === undefined || (gs === 0 && Math.abs(ref.gradScale) > 1e-6)) {
    failWith('scale-not-learned', join([where, t(`: d loss / d t is ${gs ?? 'missing'}, expected ${show(ref.gradScale)}.`, `：d loss / d t 为 ${gs ?? '缺失'}，应为 ${show(ref.gradScale)}。`)], ''));
  }
  const grads: [Text, Float32Array | null, number[]][] = [[t('imageEmb', 'imageEmb'), img.grad, ref.gradImage], [t('textEmb', 'textEmb'), txt.grad, ref.gradText], [t('t (logitScale)', 't（logitScale）'), scale.grad, [ref.gradScale]]];
  for (const [name, g, want] of grads) {
    const k = g ? want.findIndex((w, i) => Math.abs(g[i] - w) > 1e-5 + 1e-3 * Math.abs(w)) : 0;
    if (!g || k >= 0) {
      fail(join([t('the gradient of the loss with respect to ', '损失对 '), name, t(` is wrong at element ${k}: ${g ? show(g[k]) : 'missing'}, expected ${show(want[k])}`, ` 的梯度在第 ${k} 个元素处不对：${g ? show(g[k]) : '缺失'}，应为 ${show(want[k])}`), where, t('.', '。')], ''), { hint: LOSS_HINT });
    }
  }
}

const STEP_HINT = t('opt.zeroGrad(); loss = clipLoss(model.encodeImages(images), model.encodeTexts(captions), model.logitScale); loss.backward(); opt.step(); then clamp model.logitScale.data[0] to [0, Math.log(100)]; return loss.data[0].',
  'opt.zeroGrad()；loss = clipLoss(model.encodeImages(images), model.encodeTexts(captions), model.logitScale)；loss.backward()；opt.step()；然后把 model.logitScale.data[0] 截断到 [0, Math.log(100)]；返回 loss.data[0]。');

async function run(m: Learner, ctx: Ctx): Promise<ClipRunResult> {
  const title = t('CLIP training: the symmetric InfoNCE loss per step', 'CLIP 训练：每一步的对称 InfoNCE 损失');
  const curve = (losses: number[]) => ({ kind: 'curve' as const, title, xLabel: t('step', '步数'), yLabel: t('loss (nats)', '损失（nat）'),
    series: [{ name: t('training batch (12 pairs)', '训练批次（12 对）'), x: losses.map((_, i) => i + 1), y: losses.map((v) => Math.round(v * 1e4) / 1e4) }] });
  return clipTrainRun((rng) => new m.ClipModel(rng) as unknown as ClipModelLike, m.trainStep as unknown as Parameters<typeof clipTrainRun>[1],
    m.zeroShot as unknown as Parameters<typeof clipTrainRun>[2], (losses) => ctx.progress(curve(losses)));
}

const CLIP_HELD_OUT_BAR = 0.5;
const CLIP_TRAIN_PAIRS_BAR = 0.9;

export default defineChecks<Learner>({
  exports: ['ClipModel', 'l2Normalize', 'clipLogits', 'clipLoss', 'trainStep', 'zeroShot'],
  shared: { run },
  checks: [
    {
      name: t('l2Normalize: hand-worked and seeded rows, each divided by its L2 norm, gradient included', 'l2Normalize：手算与带种子的行，每行除以它的 L2 范数，包括梯度'),
      task: 'l2Normalize',
      run: (m, ctx) => {
        const x = tensor([3, 4, 0, -2, 1, 1], [3, 2]);
        const got = m.l2Normalize(x) as unknown;
        const want = [0.6, 0.8, 0, -1, Math.SQRT1_2, Math.SQRT1_2];
        if (x.data.some((v, i) => v !== [3, 4, 0, -2, 1, 1][i])) fail(t('l2Normalize changed its input.', 'l2Normalize 修改了它的输入。'));
        if (!isTensor(got) || !allNear(got.data, want, 1e-6) || got.shape.join() !== '3,2') {
          fail(t(`l2Normalize([[3, 4], [0, -2], [1, 1]]) should be [[0.6, 0.8], [0, -1], [0.707107, 0.707107]]: every row divided by its L2 norm; got ${isTensor(got) ? `[${Array.from(got.data, show).join(', ')}]` : 'no Tensor'}.`,
            `l2Normalize([[3, 4], [0, -2], [1, 1]]) 应为 [[0.6, 0.8], [0, -1], [0.707107, 0.707107]]：每一行除以它的 L2 范数；得到 ${isTensor(got) ? `[${Array.from(got.data, show).join(', ')}]` : '不是 Tensor'}。`),
          { hint: t('div(x, sqrt(sum(mul(x, x), -1, true))).', 'div(x, sqrt(sum(mul(x, x), -1, true)))。') });
        }
        for (const [N, D] of [[5, 8], [3, 1], [1, 6]]) {
          const a = seeded(ctx, N * D).map(Math.fround);
          const xin = tensor(a, [N, D], { requiresGrad: true });
          const y = m.l2Normalize(xin) as unknown;
          const want = Array.from({ length: N }, (_, i) => { const r = a.slice(i * D, (i + 1) * D); const n = Math.hypot(...r); return r.map((v) => v / n); });
          const where = t(` (seeded x of shape (${N}, ${D}))`, `（形状为 (${N}, ${D}) 的带种子的 x）`);
          if (!isTensor(y) || y.shape.join() !== `${N},${D}` || !allNear(y.data, want.flat(), 1e-5)) {
            fail(join([t('l2Normalize: the rows are not x / ‖x‖', 'l2Normalize：各行不等于 x / ‖x‖'), where, t(`: expected row 0 = [${want[0].map(show).join(', ')}], got ${isTensor(y) ? `[${Array.from(y.data.subarray(0, D), show).join(', ')}]` : 'no Tensor'}.`, `：第 0 行应为 [${want[0].map(show).join(', ')}]，得到 ${isTensor(y) ? `[${Array.from(y.data.subarray(0, D), show).join(', ')}]` : '不是 Tensor'}。`)], ''),
            { hint: t('div(x, sqrt(sum(mul(x, x), -1, true))): the sum over the LAST axis, one norm per row.', 'div(x, sqrt(sum(mul(x, x), -1, true)))：在最后一维上求和，每一行一个范数。') });
          }
          // d/dx of Σ w ⊙ (x / ‖x‖) = (w − u (u·w)) / ‖x‖ per row, with fixed weights w.
          const w = seeded(ctx, N * D);
          const out = y as Tensor;
          if (!out.requiresGrad) fail(join([t('l2Normalize: the result carries no gradient (it must be built from kit ops on x)', 'l2Normalize：结果没有梯度（必须由作用在 x 上的 kit 运算构成）'), where, t('.', '。')], ''));
          const wt = tensor(w, [N, D]);
          const prod = sumAll(mulT(out, wt));
          prod.backward();
          const g = xin.grad;
          const gw = want.flatMap((u, i) => { const r = a.slice(i * D, (i + 1) * D); const n = Math.hypot(...r); const wr = w.slice(i * D, (i + 1) * D); const dot = u.reduce((acc, v, k) => acc + v * wr[k], 0); return u.map((v, k) => (wr[k] - v * dot) / n); });
          const k = g ? gw.findIndex((v, i) => Math.abs(g[i] - v) > 1e-5 + 1e-3 * Math.abs(v)) : 0;
          if (!g || k >= 0) fail(join([t(`l2Normalize: the gradient into x is wrong at element ${k}: ${g ? show(g[k]) : 'missing'}, expected ${show(gw[k])}`, `l2Normalize：流回 x 的梯度在第 ${k} 个元素处不对：${g ? show(g[k]) : '缺失'}，应为 ${show(gw[k])}`), where, t('.', '。')], ''));
        }
      },
    },
    {
      name: t('clipLogits: seeded embeddings, (N images, M texts), exp(t) times the cosine', 'clipLogits：带种子的嵌入，（N 张图像，M 条文本），exp(t) 乘以余弦相似度'),
      task: 'clipLogits',
      run: (m, ctx) => {
        expectLogits(m, 2, 3, 2, Math.log(1 / 0.07), ctx);
        expectLogits(m, 3, 5, 6, Math.log(1 / 0.07), ctx);
        expectLogits(m, 4, 4, 8, 1.3, ctx);
        expectLogits(m, 6, 2, 5, 0.4, ctx);
      },
    },
    {
      name: t('clipLoss: value and gradients (image, text, t) against a float64 reference, both directions, diagonal labels', 'clipLoss：值与梯度（图像、文本、t）与 float64 参考比较，两个方向，对角线标签'),
      task: 'clipLoss',
      run: (m, ctx) => {
        expectLoss(m, 5, 6, Math.log(1 / 0.07), ctx);
        expectLoss(m, 3, 4, 0.7, ctx);
        expectLoss(m, 8, 5, 3.5, ctx);
        for (const [N, Mn] of [[3, 5], [5, 3]]) {
          expectThrows(() => m.clipLoss(tensor(seeded(ctx, N * 4), [N, 4]), tensor(seeded(ctx, Mn * 4), [Mn, 4]), tensor([2.6], [1], { requiresGrad: true })),
            `clipLoss(imageEmb (${N}, 4), textEmb (${Mn}, 4), t)`, t('The batch must hold N matching pairs: throw new Error(...) when the numbers of images and texts differ.', '批次必须由 N 个匹配的样本对组成：图像数与文本数不同时 throw new Error(...)。'));
        }
      },
    },
    {
      name: t('trainStep: the loss returned, parameters after two steps equal the reference, t learned and clamped to [0, ln 100]', 'trainStep：返回的损失、两步之后的参数与参考一致，t 被学习并截断到 [0, ln 100]'),
      task: 'trainStep',
      run: (m, ctx) => {
        const seed = Math.floor(ctx.random() * 1e6);
        const [mine, ref] = [new m.ClipModel(new Rng(11)) as unknown as ClipModelLike, new m.ClipModel(new Rng(11)) as unknown as ClipModelLike];
        const [optMine, optRef] = [new AdamW(mine.parameters(), { lr: 1e-2, weightDecay: 0 }), new AdamW(ref.parameters(), { lr: 1e-2, weightDecay: 0 })];
        const names = [...(mine as unknown as { namedParameters(): Map<string, Tensor> }).namedParameters().keys()];
        const rng = new Rng(seed);
        const captions = CLIP_TRAIN.map(clipCaption);
        const t0 = mine.logitScale.data[0];
        const stepBoth = (label: Text) => {
          const images = clipImages(CLIP_TRAIN, rng);
          const copy = tensor(Float32Array.from(images.data), images.shape);
          const got = Number(m.trainStep(mine as never, images, [...captions], optMine));
          const want = clipTrainStepRef(ref, copy, captions, optRef);
          const lt = mine.logitScale.data[0];
          if (lt > CLIP_MAX_LOG_SCALE + 1e-6 || lt < -1e-6) failWith('no-clamp', join([label, t(`: t = ${show(lt)} after the step (exp(t) = ${Math.exp(lt).toFixed(2)}).`, `：这一步之后 t = ${show(lt)}（exp(t) = ${Math.exp(lt).toFixed(2)}）。`)], ''));
          const ps = [mine.parameters(), ref.parameters()];
          const k = ps[0].findIndex((p, i) => !allNear(p.data, ps[1][i].data, 1e-4));
          if (k >= 0) {
            if (names[k] === 'logitScale' && near(lt, t0, 1e-9)) failWith('scale-not-learned', join([label, t(`: t is still ${show(lt)}.`, `：t 仍然是 ${show(lt)}。`)], ''));
            const rt = ref.logitScale.data[0];
            // Steps 1 and 2 matched, so the step itself is right: a t off the bound the reference clamped to was not clamped AFTER the step.
            if ((rt === 0 || rt === Math.fround(CLIP_MAX_LOG_SCALE)) && !near(lt, rt, 1e-6)) {
              failWith('no-clamp', join([label, t(`: t = ${show(lt)} after the step; clamped after the step it is ${show(rt)}.`, `：这一步之后 t = ${show(lt)}；在更新之后截断应为 ${show(rt)}。`)], ''));
            }
            fail(join([label, t(`: after trainStep, parameter ${names[k]} differs from the reference step (zero the gradients, backward, opt.step(), then clamp t).`, `：trainStep 之后，参数 ${names[k]} 与参考的一步不同（先清零梯度，再 backward、opt.step()，然后截断 t）。`)], ''), { hint: STEP_HINT });
          }
          if (!near(got, want)) fail(join([label, t(`: trainStep returned ${show(got)}; the loss of the batch before the step is ${show(want)}.`, `：trainStep 返回 ${show(got)}；这一步之前该批次的损失是 ${show(want)}。`)], ''), { hint: STEP_HINT });
        };
        stepBoth(t('step 1', '第 1 步'));
        stepBoth(t('step 2', '第 2 步'));
        if (near(mine.logitScale.data[0], t0, 1e-9)) failWith('scale-not-learned', t(`: t is still ${show(t0)} after two steps.`, `：两步之后 t 仍然是 ${show(t0)}。`));
        for (const [start, label] of [[6, t('step 3, starting from t = 6 (above ln 100)', '第 3 步，从 t = 6 开始（高于 ln 100）')], [-0.5, t('step 4, starting from t = −0.5 (below 0)', '第 4 步，从 t = −0.5 开始（低于 0）')]] as const) {
          mine.logitScale.data[0] = start;
          ref.logitScale.data[0] = start;
          stepBoth(label);
        }
      },
    },
    {
      name: t('zeroShot: the caption with the highest cosine for every image, against a float64 reference', 'zeroShot：每张图像选余弦相似度最高的文本，与 float64 参考比较'),
      task: 'zeroShot',
      run: (m, ctx) => {
        const model = new m.ClipModel(new Rng(5)) as unknown as ClipModelLike;
        const rng = new Rng(Math.floor(ctx.random() * 1e6));
        const all = CLIP_ALL.map(clipCaption);
        for (const captions of [all, [all[5], all[0], all[12], all[9], all[3]]]) {
          const pairs = Array.from({ length: 12 }, () => CLIP_ALL[rng.randint(0, CLIP_ALL.length)]);
          const images = clipImages(pairs, rng);
          const got = m.zeroShot(model as never, images, [...captions]) as unknown;
          const want = noGrad(() => {
            const [a, b] = [model.encodeImages(images), model.encodeTexts(captions)];
            return clipCosine64(a.data, b.data, pairs.length, captions.length, a.shape[1]).map((r) => r.indexOf(Math.max(...r)));
          });
          const arr = got && typeof (got as ArrayLike<number>).length === 'number' ? Array.from(got as ArrayLike<number>, Number) : undefined;
          if (!arr || arr.length !== pairs.length) {
            fail(t(`zeroShot must return one caption index per image (${pairs.length} numbers).`, `zeroShot 必须为每张图像返回一个文本下标（${pairs.length} 个数）。`), { hint: t('For each row of clipLogits(images, captions), the index of its largest entry.', '对 clipLogits(images, captions) 的每一行，取其最大元素的下标。') });
          }
          const i = arr!.findIndex((v, k) => v !== want[k]);
          if (i >= 0) {
            fail(t(`zeroShot: image ${i} (${clipCaption(pairs[i])}) got caption ${arr![i]}; the highest cosine among the ${captions.length} captions [${captions.join(', ')}] is caption ${want[i]}.`,
              `zeroShot：图像 ${i}（${clipCaption(pairs[i])}）得到文本 ${arr![i]}；在 ${captions.length} 条文本 [${captions.join(', ')}] 中余弦相似度最高的是文本 ${want[i]}。`),
            { hint: t('argmax over the captions (the columns of the (N images, M texts) logits), for every image.', '对每张图像，在文本维度上（(N 张图像, M 条文本) logits 的列）取 argmax。') });
          }
        }
      },
    },
    {
      name: t('training run (live): zero-shot accuracy on the held-out colour-shape pairs at least 0.5 (chance 1/16)', '训练过程（实时）：在留出的颜色-形状组合上零样本准确率至少为 0.5（随机猜测为 1/16）'),
      task: 'trainStep',
      timeoutSeconds: 60,
      run: async (m, ctx) => {
        const r = await ctx.shared<ClipRunResult>('run');
        if (r.problem) fail(join([t('The training run failed: ', '训练失败：'), r.problem], ''), { hint: STEP_HINT });
        // Red last: the panel rotates column labels, and the last one must be short to fit ("red✚").
        const rank: Record<string, number> = { yellow: 0, green: 1, blue: 2, red: 3 };
        const order = CLIP_ALL.map((_, i) => i).sort((i, j) => rank[CLIP_ALL[i].colour] - rank[CLIP_ALL[j].colour] || i - j);
        const pairs = order.map((i) => CLIP_ALL[i]);
        const labels = pairs.map((p) => (clipIsHeldOut(p) ? join([clipLabel(p), t(' *', ' *')], '') : clipLabel(p)));
        ctx.artifact({
          kind: 'heatmap', title: t('Cosine similarity after training: one image of each pair (rows) × the 16 captions "a red circle"… (columns); ■ square, ● circle, ▲ triangle, ✚ cross; * = held-out pair, never seen in training', '训练后的余弦相似度：每种组合的一张图像（行）× 16 条文本 “a red circle”…（列）；■ 方块，● 圆形，▲ 三角形，✚ 十字；* = 留出的组合，训练中从未出现'),
          rows: labels, columns: pairs.map((p) => clipShortLabel(p)),
          values: order.map((i) => order.map((j) => Math.round(r.similarity[i][j] * 1000) / 1000)),
        });
        const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
        ctx.artifact({
          kind: 'table', title: t('Zero-shot classification among all 16 captions', '在全部 16 条文本中做零样本分类'),
          columns: [t('images', '图像'), t('accuracy', '准确率'), t('bar', '要求')],
          rows: [
            [t(`held-out pairs (${CLIP_HELD_OUT.length} × ${CLIP_RUN.heldOutPerPair} images)`, `留出的组合（${CLIP_HELD_OUT.length} × ${CLIP_RUN.heldOutPerPair} 张图像）`), pct(r.heldOutAccuracy), `≥ ${pct(CLIP_HELD_OUT_BAR)}`],
            [t(`training pairs, new images (${CLIP_TRAIN.length} × ${CLIP_RUN.evalPerPair})`, `训练组合的新图像（${CLIP_TRAIN.length} × ${CLIP_RUN.evalPerPair}）`), pct(r.trainPairsAccuracy), `≥ ${pct(CLIP_TRAIN_PAIRS_BAR)}`],
            [t('chance', '随机猜测'), pct(r.chance), ''],
            [t(`learned t, exp(t) (${CLIP_RUN.steps} steps, ${r.seconds.toFixed(1)} s)`, `学到的 t 与 exp(t)（${CLIP_RUN.steps} 步，${r.seconds.toFixed(1)} 秒）`), `${r.finalLogScale.toFixed(3)}, ${Math.exp(r.finalLogScale).toFixed(1)}`, ''],
          ],
        });
        if (!(r.trainPairsAccuracy >= CLIP_TRAIN_PAIRS_BAR)) {
          fail(t(`After ${CLIP_RUN.steps} steps the model classifies only ${pct(r.trainPairsAccuracy)} of new images of the TRAINING pairs correctly; it should reach ${pct(CLIP_TRAIN_PAIRS_BAR)}: the model did not learn.`,
            `训练 ${CLIP_RUN.steps} 步后，模型只把训练组合的新图像分对了 ${pct(r.trainPairsAccuracy)}；应达到 ${pct(CLIP_TRAIN_PAIRS_BAR)}：模型没有学会。`), { hint: STEP_HINT });
        }
        if (!(r.heldOutAccuracy >= CLIP_HELD_OUT_BAR)) {
          fail(t(`Zero-shot accuracy on the held-out pairs is ${pct(r.heldOutAccuracy)}; it should be at least ${pct(CLIP_HELD_OUT_BAR)} (chance ${pct(r.chance)}).`,
            `在留出组合上的零样本准确率是 ${pct(r.heldOutAccuracy)}；应至少为 ${pct(CLIP_HELD_OUT_BAR)}（随机猜测为 ${pct(r.chance)}）。`), { hint: STEP_HINT });
        }
      },
    },
  ],
});
