/**
 * Checks for the pretraining lesson (pretraining/train): batches with shifted targets, the language-model loss with
 * padding ignored, evaluation over tokens, the training loop, and a GPT trained from scratch on Moby-Dick, live.
 *
 * Expected values come from the course (@llm-lab/course/tokens, /attention): the reference batch replayed from the
 * same seed, the loss and its gradient in float64, a reference GPT forward pass (gptVariant) for evaluation, and a
 * training loop built from the learner's OWN parts (their gptForward, getBatch, lmLoss, AdamW, cosineLr, clipGradNorm)
 * so that only the loop's logic is judged. Every input is copied before the learner sees it. The training run is
 * shared: the checks that need the trained model ask for it, the first one trains (once per run), and a run of the
 * quick checks alone does not train.
 *
 * Which check names which catalogued mistake (lessons/06d-pretraining/mistakes.ts):
 *   check                                              names
 *   the parts from earlier lessons ...                 earlier-lessons
 *   getBatch: windows and targets ...                  targets-not-shifted, hf-shift-in-loss (convention: Hugging Face)
 *   lmLoss: the mean over the targets ...              loss-over-padding, hf-shift-in-loss (convention: Hugging Face)
 *   evaluate: loss and perplexity ...                  ppl-mean-of-batches, loss-mean-of-batches, padding-counted
 *   train: the loop matches ...                        no-zero-grad, clip-after-step, schedule-off-by-one, lr-not-scheduled
 *   pretraining run (live) ...                         (the validation loss against the reference band)
 *   evaluate on your trained model ...                 ppl-mean-of-batches, loss-mean-of-batches (on the real model)
 * Accepted as well: nanoGPT's weight decay on tensors of 2+ dims only (two AdamW optimizers); any way of writing the
 * loss (crossEntropyLoss on the kept rows, logSoftmax + gather with a mask, loops over .data into a kit op).
 * Not catalogued, said in plain words: starts drawn another way (another range, extra draws), windows of the wrong
 * length, data modified, a loss that ignores its ignoreIndex argument or has a wrong gradient, a wrong token count,
 * a loop that differs otherwise (a config field ignored, onStep not called once per step).
 */
import { type CheckContext, type Text, defineChecks, expectTrue, fail, join, mistake, t } from '@llm-lab/check';
import { gptVariant, randomModel } from '@llm-lab/course/attention';
import {
  PRETRAIN_REFERENCE, PRETRAIN_SETTINGS, type PretrainLoopVariant, type PretrainModelConfig, type PretrainParts, type PretrainRunResult,
  pretrainBatch, pretrainClone, pretrainEncode, pretrainInitWeights, pretrainLoop, pretrainMaxDiff, pretrainNll64, pretrainRun, pretrainWindows,
} from '@llm-lab/course/tokens';
import { Rng, Tensor, mul, noGrad, sum } from '@llm-lab/kit';
import { PRETRAIN_MISTAKES as M } from './mistakes';
import TEXT from './moby.json';

type Learner = typeof import('./pretrain');

const VOCAB = [...TEXT.vocab].length;
const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
const partsOf = (m: Learner): PretrainParts => ({
  gptForward: m.gptForward as PretrainParts['gptForward'], getBatch: m.getBatch, lmLoss: m.lmLoss,
  AdamW: m.AdamW, cosineLr: m.cosineLr, clipGradNorm: m.clipGradNorm,
});
const rowsOf = (a: number[][]): string => `[${a.map((r) => `[${r.join(', ')}]`).join(', ')}]`;

/** The loss Hugging Face's causal-LM models compute from labels = input_ids: logits[b, t - 1] against targets[b][t]. */
function shiftedLoss64(values: ArrayLike<number>, targets: number[][], V: number, ignoreIndex: number): number {
  const T = targets[0].length;
  const rows: number[] = [];
  const kept: number[] = [];
  targets.forEach((row, b) => row.forEach((v, t) => { if (t > 0 && v !== ignoreIndex) { rows.push(b * T + t - 1); kept.push(v); } }));
  const picked = rows.flatMap((r) => Array.from({ length: V }, (_, c) => values[r * V + c]));
  const r = pretrainNll64(picked, kept, V, ignoreIndex);
  return r.sum / r.count;
}

/** Whether the learner's lmLoss shifts inside (Hugging Face's labels = input_ids): probed on fixed logits. */
function lossShiftsInside(m: Learner): boolean {
  const [B, T, V] = [2, 5, 6];
  const values = Float32Array.from({ length: B * T * V }, (_, i) => Math.sin(i * 1.7) * 2);
  const targets = [[1, 4, 2, 0, 5], [3, 3, 1, 4, 2]];
  try {
    const v = m.lmLoss(new Tensor(Float32Array.from(values), [B, T, V], true), targets.map((r) => [...r])).item();
    return Math.abs(v - shiftedLoss64(values, targets, V, -100)) < 1e-4;
  } catch {
    return false;
  }
}

// --- getBatch ------------------------------------------------------------------------------------------------------

function expectBatch(m: Learner, data: number[], as: 'array' | 'int32', B: number, T: number, seed: number): void {
  const given = as === 'array' ? [...data] : Int32Array.from(data);
  const rng = new Rng(seed);
  const got = m.getBatch(given, B, T, rng) as unknown as { x?: unknown; y?: unknown };
  const ref = new Rng(seed);
  const want = pretrainBatch(data, B, T, ref);
  const where = t(` (batchSize ${B}, blockSize ${T}, data of ${data.length} ids as ${as === 'array' ? 'number[]' : 'Int32Array'})`,
    `（batchSize ${B}，blockSize ${T}，${data.length} 个 id 的数据，类型为 ${as === 'array' ? 'number[]' : 'Int32Array'}）`);
  if (Array.from(given).some((v, i) => v !== data[i]) || given.length !== data.length) {
    fail(join([t('getBatch changed the data it was given', 'getBatch 修改了传给它的数据'), where, t(': read the ids, do not modify them.', '：只读取这些 id，不要修改它们。')], ''));
  }
  const rows = (v: unknown): number[][] | undefined => (Array.isArray(v) && v.every((r) => Array.isArray(r) || ArrayBuffer.isView(r)) ? v.map((r) => Array.from(r as ArrayLike<number>)) : undefined);
  const [x, y] = [rows(got?.x), rows(got?.y)];
  if (!x || !y || x.length !== B || y.length !== B || [...x, ...y].some((r) => r.length !== T)) {
    fail(join([t(`getBatch returned x ${x ? `with ${x.length} rows of ${x.map((r) => r.length).join('/')}` : typeof got?.x} and y ${y ? `with ${y.length} rows of ${y.map((r) => r.length).join('/')}` : typeof got?.y}`,
      `getBatch 返回的 x ${x ? `有 ${x.length} 行，长度为 ${x.map((r) => r.length).join('/')}` : `是 ${typeof got?.x}`}，y ${y ? `有 ${y.length} 行，长度为 ${y.map((r) => r.length).join('/')}` : `是 ${typeof got?.y}`}`), where,
    t(`; expected { x, y }, each ${B} rows (number[][]) of ${T} ids.`, `；应返回 { x, y }，各为 ${B} 行（number[][]），每行 ${T} 个 id。`)], ''));
  }
  const same = (a: number[][], b: number[][]) => a.every((r, i) => r.every((v, j) => v === b[i][j]));
  if (same(x, want.x) && same(y, want.y)) {
    const [next, wantNext] = [rng.random(), ref.random()];
    expectTrue(next === wantNext, join([t('getBatch gave the right windows but drew more or fewer numbers from rng than one randint per row', 'getBatch 给出的窗口正确，但从 rng 抽取的随机数不是每行恰好一次 randint'), where, t('.', '。')], ''),
      t('Exactly one rng.randint(0, data.length - blockSize) per row, in row order, and nothing else.', '每行恰好一次 rng.randint(0, data.length - blockSize)，按行的顺序，不做其他抽取。'));
    return;
  }
  if (same(x, want.x) && same(y, x) && lossShiftsInside(m)) fail(...mistake(M['hf-shift-in-loss']));
  if (same(x, want.x) && same(y, x)) fail(join([M['targets-not-shifted'].message, where], ''), { hint: M['targets-not-shifted'].hint });
  if (y.every((r, b) => r.every((v, k) => v === x[b][k]))) fail(join([M['targets-not-shifted'].message, where], ''), { hint: M['targets-not-shifted'].hint });
  const b = want.x.findIndex((r, i) => !same([r], [x[i]]) || !same([want.y[i]], [y[i]]));
  fail(join([t(`row ${b} of the batch`, `批次的第 ${b} 行`), where, t(`: expected x = [${want.x[b].join(', ')}] and y = [${want.y[b].join(', ')}] (start ${want.starts[b]}), got x = [${x[b].join(', ')}] and y = [${y[b].join(', ')}].`,
    `：应为 x = [${want.x[b].join(', ')}]、y = [${want.y[b].join(', ')}]（起点 ${want.starts[b]}），实际为 x = [${x[b].join(', ')}]、y = [${y[b].join(', ')}]。`)], ''),
  { hint: t('For b = 0 .. batchSize - 1 in order: start = rng.randint(0, data.length - blockSize); x[b] = data[start .. start + blockSize), y[b] = data[start + 1 .. start + blockSize + 1).',
    '按 b = 0 .. batchSize - 1 的顺序：start = rng.randint(0, data.length - blockSize)；x[b] = data[start .. start + blockSize)，y[b] = data[start + 1 .. start + blockSize + 1)。') });
}

// --- lmLoss ------------------------------------------------------------------------------------------------------------

function expectLoss(m: Learner, ctx: CheckContext, B: number, T: number, V: number, targets: number[][], ignoreIndex: number | undefined): void {
  const values = Float32Array.from({ length: B * T * V }, () => 6 * ctx.random() - 3);
  const logits = new Tensor(Float32Array.from(values), [B, T, V], true);
  const copy = targets.map((r) => [...r]);
  const ignore = ignoreIndex ?? -100;
  const ref = pretrainNll64(values, targets.flat(), V, ignore);
  const want = ref.sum / ref.count;
  const where = t(` (logits (${B}, ${T}, ${V}), targets ${rowsOf(targets)}, ignoreIndex ${ignoreIndex === undefined ? 'not given: -100' : ignoreIndex})`,
    `（logits (${B}, ${T}, ${V})，targets ${rowsOf(targets)}，ignoreIndex ${ignoreIndex === undefined ? '未给出：-100' : ignoreIndex}）`);
  const loss = ignoreIndex === undefined ? m.lmLoss(logits, copy) : m.lmLoss(logits, copy, ignoreIndex);
  if (copy.some((r, i) => r.some((v, j) => v !== targets[i][j]))) fail(join([t('lmLoss changed the targets it was given', 'lmLoss 修改了传给它的 targets'), where, t('.', '。')], ''));
  if (!(loss instanceof Tensor) || loss.size !== 1) {
    fail(join([t(`lmLoss returned ${loss instanceof Tensor ? `a tensor of shape (${loss.shape.join(', ')})` : typeof loss}`, `lmLoss 返回了 ${loss instanceof Tensor ? `形状为 (${loss.shape.join(', ')}) 的张量` : typeof loss}`), where,
      t('; expected a scalar tensor (the mean), so that loss.backward() can start from it.', '；应返回一个标量张量（平均值），以便从它开始 loss.backward()。')], ''));
  }
  const v = loss.item();
  if (Math.abs(v - want) > 1e-4 * Math.max(1, Math.abs(want))) {
    if (Math.abs(v - shiftedLoss64(values, targets, V, ignore)) <= 1e-4 * Math.max(1, Math.abs(want))) fail(...mistake(M['hf-shift-in-loss']));
    const all = ref.sum / (B * T);
    if (ref.count < B * T && Math.abs(v - all) <= 1e-4 * Math.max(1, all)) fail(join([M['loss-over-padding'].message, where, t(`: got ${v.toFixed(6)} = ${ref.sum.toFixed(4)} / ${B * T}, expected ${ref.sum.toFixed(4)} / ${ref.count} = ${want.toFixed(6)}.`, `：得到 ${v.toFixed(6)} = ${ref.sum.toFixed(4)} / ${B * T}，应为 ${ref.sum.toFixed(4)} / ${ref.count} = ${want.toFixed(6)}。`)], ''), { hint: M['loss-over-padding'].hint });
    fail(join([t(`lmLoss is ${v}, expected ${want.toFixed(6)}`, `lmLoss 是 ${v}，应为 ${want.toFixed(6)}`), where, t(': the mean of -log softmax(logits)[target] over the positions whose target is not ignoreIndex.', '：在目标不等于 ignoreIndex 的位置上 -log softmax(logits)[target] 的平均值。')], ''),
    { hint: t('Keep the positions whose target !== ignoreIndex (use the argument, not a fixed -100), take their rows of logits.reshape(B * T, V), and average their cross-entropy.', '保留目标 !== ignoreIndex 的位置（用传入的参数，而不是固定的 -100），取出 logits.reshape(B * T, V) 中对应的行，再对它们的交叉熵求平均。') });
  }
  loss.backward();
  const g = logits.grad;
  let worst = -1;
  let diff = 0;
  for (let i = 0; i < ref.grad.length; i++) {
    const d = Math.abs((g ? g[i] : 0) - ref.grad[i]);
    if (d > diff) { diff = d; worst = i; }
  }
  if (!g || diff > 1e-5) {
    const [n, c] = [Math.floor(worst / V), worst % V];
    fail(join([t(`lmLoss has the right value but the wrong gradient`, `lmLoss 的值正确，但梯度不对`), where,
      t(`: d loss / d logits[${Math.floor(n / T)}, ${n % T}, ${c}] is ${g ? g[worst] : 'missing (logits.grad is null)'}, expected ${ref.grad[worst].toFixed(7)} ((softmax - onehot) / kept positions, 0 where the target is ignored).`,
        `：d loss / d logits[${Math.floor(n / T)}, ${n % T}, ${c}] 是 ${g ? g[worst] : '缺失（logits.grad 为 null）'}，应为 ${ref.grad[worst].toFixed(7)}（(softmax - onehot) / 保留位置数，被忽略的目标处为 0）。`)], ''),
    { hint: t('Build the loss from kit ops on the logits (reshape, embedding or gather, crossEntropyLoss): values copied out of .data carry no gradient.', '用作用在 logits 上的 kit 运算（reshape、embedding 或 gather、crossEntropyLoss）构造损失：从 .data 中复制出来的数值不带梯度。') });
  }
}

// --- evaluate --------------------------------------------------------------------------------------------------------

const EVAL_MODEL: PretrainModelConfig = { vocabSize: 13, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 };

function expectEvaluation(got: unknown, batches: { x: number[][]; y: number[][] }[], perBatch: { sum: number; count: number }[], where: Text): void {
  const total = perBatch.reduce((s, b) => s + b.sum, 0);
  const tokens = perBatch.reduce((s, b) => s + b.count, 0);
  const loss = total / tokens;
  const ppl = Math.exp(loss);
  const e = got as { loss?: unknown; perplexity?: unknown; tokens?: unknown } | undefined;
  if (typeof e !== 'object' || e === null || typeof e.loss !== 'number' || typeof e.perplexity !== 'number' || typeof e.tokens !== 'number') {
    fail(join([t(`evaluate returned ${JSON.stringify(got)}`, `evaluate 返回了 ${JSON.stringify(got)}`), where, t('; expected { loss, perplexity, tokens }, three numbers.', '；应返回 { loss, perplexity, tokens } 三个数。')], ''));
  }
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
  const means = perBatch.map((b) => b.sum / b.count);
  const allPositions = batches.reduce((s, b) => s + b.y.length * b.y[0].length, 0);
  const show = (what: Text, value: number, want: number) => join([what, t(`: got ${value}, expected ${want.toFixed(6)}`, `：得到 ${value}，应为 ${want.toFixed(6)}`)], '');
  const say = (key: 'ppl-mean-of-batches' | 'loss-mean-of-batches' | 'padding-counted', detail: Text) => fail(join([M[key].message, where, t(' ', ''), detail], ''), { hint: M[key].hint });
  if (!near(e.perplexity as number, ppl)) {
    const meanPpl = means.reduce((s, l) => s + Math.exp(l), 0) / means.length;
    if (near(e.perplexity as number, meanPpl)) say('ppl-mean-of-batches', t(`(perplexity ${r4(e.perplexity as number)} = the mean of the batches' ${means.map((l) => r4(Math.exp(l))).join(', ')}; exp(total NLL / total tokens) = ${r4(ppl)})`, `（困惑度 ${r4(e.perplexity as number)} = 各批次 ${means.map((l) => r4(Math.exp(l))).join('、')} 的平均；exp(总 NLL / 总词元数) = ${r4(ppl)}）`));
  }
  if (!near(e.loss as number, loss) || !near(e.perplexity as number, ppl)) {
    const meanLoss = means.reduce((s, l) => s + l, 0) / means.length;
    if (near(e.loss as number, meanLoss) || near(e.perplexity as number, Math.exp(meanLoss))) say('loss-mean-of-batches', t(`(loss ${r4(e.loss as number)}: the batches' mean losses ${means.map(r4).join(', ')} averaged; over tokens it is ${r4(loss)})`, `（损失 ${r4(e.loss as number)}：把各批次平均损失 ${means.map(r4).join('、')} 再平均；按词元计算应为 ${r4(loss)}）`));
    const padded = total / allPositions;
    if (near(e.loss as number, padded) || near(e.perplexity as number, Math.exp(padded)) || (e.tokens as number) === allPositions) say('padding-counted', t(`(${e.tokens} tokens, loss ${r4(e.loss as number)}; ${tokens} targets are real, ${allPositions - tokens} are -100 padding)`, `（${e.tokens} 个词元，损失 ${r4(e.loss as number)}；真实目标 ${tokens} 个，另有 ${allPositions - tokens} 个是 -100 填充）`));
  }
  if (!near(e.loss as number, loss)) fail(join([show(t('evaluate(...).loss', 'evaluate(...).loss'), e.loss as number, loss), where, t(' (total NLL / total real targets).', '（总 NLL / 真实目标总数）。')], ''),
    { hint: M['ppl-mean-of-batches'].hint });
  if (!near(e.perplexity as number, ppl)) fail(join([show(t('evaluate(...).perplexity', 'evaluate(...).perplexity'), e.perplexity as number, ppl), where, t(' (exp(loss)).', '（exp(loss)）。')], ''));
  expectTrue(e.tokens === tokens, join([t(`evaluate(...).tokens is ${e.tokens}, expected ${tokens}: the targets that are not -100`, `evaluate(...).tokens 是 ${e.tokens}，应为 ${tokens}：不等于 -100 的目标个数`), where, t('.', '。')], ''));
}

// --- the shared run --------------------------------------------------------------------------------------------------

async function run(m: Learner, ctx: CheckContext): Promise<PretrainRunResult> {
  return pretrainRun(TEXT, m.gptForward as PretrainParts['gptForward'], (w, data, model, config, hooks) => m.train(w, data, model, config, hooks), (a) => ctx.progress(a));
}

const [LO, HI] = PRETRAIN_REFERENCE.band;

export default defineChecks<Learner>({
  exports: ['getBatch', 'lmLoss', 'evaluate', 'train', 'gptForward', 'crossEntropyLoss', 'AdamW', 'cosineLr', 'clipGradNorm'],
  shared: { run },
  checks: [
    {
      name: t('the parts from earlier lessons (gptForward, crossEntropyLoss, AdamW, cosineLr, clipGradNorm) pass a quick test', '前几课的部件（gptForward、crossEntropyLoss、AdamW、cosineLr、clipGradNorm）通过一个简单测试'),
      task: 'train',
      run: (m, ctx) => {
        const broken = (what: string, why: Text) => fail(join([M['earlier-lessons'].message, t(` (${what}: ${why.en})`, `（${what}：${why['zh-cn']}）`)], ''), { hint: M['earlier-lessons'].hint });
        try {
          // gptForward: logits and the gradients of every weight against the course's reference forward pass.
          const config: PretrainModelConfig = { vocabSize: 11, blockSize: 6, nLayer: 2, nHead: 2, nEmbd: 8 };
          const model = randomModel(config, 5);
          const [mine, ref] = [pretrainClone(model.weights()), pretrainClone(model.weights())];
          const ids = [[1, 4, 2, 9, 0, 3], [7, 7, 10, 5, 6, 2]];
          const probe = new Tensor(Float32Array.from({ length: 2 * 6 * 11 }, () => ctx.random() - 0.5), [2, 6, 11]);
          const out = m.gptForward(mine, ids.map((r) => [...r]), { ...config });
          const want = gptVariant((n) => ref.get(n)!, ids, config);
          if (!(out?.logits instanceof Tensor) || out.logits.size !== want.size || want.data.some((v, i) => Math.abs(v - out.logits.data[i]) > 1e-4)) broken('gptForward', t('its logits differ from a reference forward pass', '它的 logits 与参考前向计算不一致'));
          sum(mul(out.logits, probe)).backward();
          sum(mul(want, probe)).backward();
          for (const [name, w] of ref) {
            const g = mine.get(name)?.grad;
            if (!g || Array.from(w.grad!).some((v, i) => Math.abs(v - g[i]) > 1e-4 + 1e-3 * Math.abs(v))) broken('gptForward', t(`the gradient of ${name} is ${g ? 'wrong' : 'missing'}: the logits must be built from the weights with kit ops, so that autograd reaches every weight`, `${name} 的梯度${g ? '不对' : '缺失'}：logits 必须用 kit 运算由权重计算得到，autograd 才能到达每个权重`));
          }
          // crossEntropyLoss: value.
          const V = 7;
          const logits = new Tensor(Float32Array.from({ length: 3 * V }, () => 4 * ctx.random() - 2), [3, V], true);
          const targets = [0, 5, 6];
          const ce = pretrainNll64(logits.data, targets, V);
          const loss = m.crossEntropyLoss(logits, targets);
          if (Math.abs(loss.item() - ce.sum / 3) > 1e-4) broken('crossEntropyLoss', t(`${loss.item()}, expected ${(ce.sum / 3).toFixed(6)}`, `${loss.item()}，应为 ${(ce.sum / 3).toFixed(6)}`));
          // cosineLr: warmup, middle, end.
          const o = { maxLr: 1, minLr: 0.1, warmup: 4, total: 12 };
          const lrs = [0, 3, 8, 12, 20].map((s) => m.cosineLr(s, o));
          const wantLr = [0.25, 1, 0.1 + 0.45 * (1 + Math.cos(Math.PI * 0.5)), 0.1, 0.1];
          if (lrs.some((v, i) => Math.abs(v - wantLr[i]) > 1e-9)) broken('cosineLr', t(`steps 0, 3, 8, 12, 20 of warmup 4, total 12 give [${lrs.map((v) => +v.toFixed(4)).join(', ')}], expected [${wantLr.map((v) => +v.toFixed(4)).join(', ')}]`, `预热 4 步、共 12 步时，第 0、3、8、12、20 步给出 [${lrs.map((v) => +v.toFixed(4)).join(', ')}]，应为 [${wantLr.map((v) => +v.toFixed(4)).join(', ')}]`));
          // clipGradNorm: global norm 5 clipped to 1.
          const a = new Tensor(Float32Array.of(3, 0), [2], true);
          const b = new Tensor(Float32Array.of(4), [1], true);
          a.grad = Float32Array.of(3, 0);
          b.grad = Float32Array.of(4);
          const norm = m.clipGradNorm([a, b], 1);
          if (Math.abs(norm - 5) > 1e-5 || Math.abs(a.grad[0] - 0.6) > 1e-5 || Math.abs(b.grad[0] - 0.8) > 1e-5) broken('clipGradNorm', t(`gradients of global norm 5 clipped to 1 gave norm ${norm} and [${a.grad[0]}, ${b.grad[0]}], expected 5 and [0.6, 0.8]`, `把全局范数为 5 的梯度裁剪到 1，得到范数 ${norm} 和 [${a.grad[0]}, ${b.grad[0]}]，应为 5 和 [0.6, 0.8]`));
          // AdamW, two steps, lr 0.1, weightDecay 0.5, decoupled, betas (0.8, 0.95) (the run passes betas).
          const w = new Tensor(Float32Array.of(1, -2), [2], true);
          const opt = new m.AdamW([w], { lr: 0.1, weightDecay: 0.5, betas: [0.8, 0.95] });
          const w64 = [1, -2];
          const [m1, v1] = [[0, 0], [0, 0]];
          for (let s = 1; s <= 2; s++) {
            const g = s === 1 ? [0.5, -1] : [-0.25, 2];
            w.grad = Float32Array.from(g);
            opt.step();
            for (let i = 0; i < 2; i++) {
              w64[i] -= 0.1 * 0.5 * w64[i];
              m1[i] = 0.8 * m1[i] + 0.2 * g[i];
              v1[i] = 0.95 * v1[i] + 0.05 * g[i] * g[i];
              w64[i] -= (0.1 * m1[i] / (1 - 0.8 ** s)) / (Math.sqrt(v1[i] / (1 - 0.95 ** s)) + 1e-8);
            }
          }
          if (w64.some((v, i) => Math.abs(v - w.data[i]) > 1e-5)) broken('AdamW', t(`two steps (betas 0.8, 0.95) gave [${Array.from(w.data, (v) => v.toFixed(5)).join(', ')}], expected [${w64.map((v) => v.toFixed(5)).join(', ')}]`, `两步之后（betas 0.8, 0.95）得到 [${Array.from(w.data, (v) => v.toFixed(5)).join(', ')}]，应为 [${w64.map((v) => v.toFixed(5)).join(', ')}]`));
        } catch (e) {
          if (e instanceof Error && (e.name === 'NotImplementedError' || e.name === 'CheckFailure')) throw e;
          const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
          broken('gptForward / crossEntropyLoss / AdamW / cosineLr / clipGradNorm', t(`it threw: ${why}`, `它抛出了异常：${why}`));
        }
      },
    },
    {
      name: t('getBatch: windows and their targets shifted by one, starts drawn as stated (three sizes)', 'getBatch：窗口及其错开一位的目标，起点按规定抽取（三种尺寸）'),
      task: 'getBatch',
      run: (m, ctx) => {
        const data = Array.from({ length: 60 }, () => Math.floor(ctx.random() * VOCAB));
        expectBatch(m, data, 'array', 4, 6, 11);
        expectBatch(m, pretrainEncode(TEXT.train.slice(0, 500), TEXT.vocab), 'int32', 3, 16, 12);
        // The last window: only start 0 fits when the data is one id longer than the window.
        expectBatch(m, data.slice(0, 9), 'array', 5, 8, 13);
      },
    },
    {
      name: t('lmLoss: the mean over the targets that are not ignored, value and gradient (ignoreIndex -100 and another)', 'lmLoss：在未被忽略的目标上求平均，值和梯度（ignoreIndex 为 -100 和另一个值）'),
      task: 'lmLoss',
      run: (m, ctx) => {
        const V = 7;
        const ids = (B: number, T: number) => Array.from({ length: B }, () => Array.from({ length: T }, () => Math.floor(ctx.random() * V)));
        expectLoss(m, ctx, 2, 4, V, ids(2, 4), undefined); // no padding
        const padded = ids(3, 5);
        padded[0][4] = padded[0][3] = padded[2][4] = -100; // sequences of length 3, 5, 4 padded to 5
        expectLoss(m, ctx, 3, 5, V, padded, undefined);
        const zeros = ids(2, 6).map((r) => r.map((v, i) => (i >= 4 ? 0 : v))); // ignoreIndex 0: a pad id from the vocabulary
        expectLoss(m, ctx, 2, 6, V, zeros, 0);
      },
    },
    {
      name: t('evaluate: loss and perplexity over batches of unequal size, padding ignored', 'evaluate：在大小不等的批次上计算损失和困惑度，忽略填充'),
      task: 'evaluate',
      run: (m, ctx) => {
        const model = randomModel(EVAL_MODEL, 9);
        const V = EVAL_MODEL.vocabSize;
        const id = () => Math.floor(ctx.random() * V);
        const batch = (B: number, T: number, lengths: number[]) => {
          const x = Array.from({ length: B }, () => Array.from({ length: T }, id));
          const y = x.map((r, b) => r.map((_, k) => (k < lengths[b] ? id() : -100)));
          return { x, y };
        };
        const sets = [
          [batch(4, 8, [8, 8, 8, 8]), batch(1, 3, [3]), batch(2, 6, [6, 2])],
          [batch(1, 8, [1]), batch(3, 5, [5, 5, 4])],
        ];
        for (const batches of sets) {
          const perBatch = batches.map((b) => {
            const logits = noGrad(() => gptVariant(model.weight, b.x, EVAL_MODEL)).data;
            return pretrainNll64(logits, b.y.flat(), V);
          });
          const copy = batches.map((b) => ({ x: b.x.map((r) => [...r]), y: b.y.map((r) => [...r]) }));
          const got = m.evaluate(model.weights(), { ...EVAL_MODEL }, copy);
          const where = t(` (${batches.length} batches of ${batches.map((b) => `${b.y.length}×${b.y[0].length}`).join(', ')} positions, ${perBatch.map((b) => b.count).join(', ')} real targets)`,
            `（${batches.length} 个批次，位置数 ${batches.map((b) => `${b.y.length}×${b.y[0].length}`).join('、')}，真实目标 ${perBatch.map((b) => b.count).join('、')} 个）`);
          expectEvaluation(got, batches, perBatch, where);
        }
      },
    },
    {
      name: t('train: the loop matches one built from your own parts, step by step (two configurations)', 'train：训练循环与用你自己的部件搭建的循环逐步一致（两种配置）'),
      task: 'train',
      run: async (m) => {
        const data = pretrainEncode(TEXT.train.slice(0, 3000), TEXT.vocab);
        const runs: [PretrainModelConfig, Parameters<Learner['train']>[3]][] = [
          [{ vocabSize: VOCAB, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16 }, { steps: 7, batchSize: 4, maxLr: 0.01, minLr: 0.001, warmup: 3, weightDecay: 0.1, betas: [0.9, 0.95], clip: 0.05, seed: 5 }],
          [{ vocabSize: VOCAB, blockSize: 6, nLayer: 2, nHead: 2, nEmbd: 8 }, { steps: 6, batchSize: 3, maxLr: 0.02, minLr: 0.002, warmup: 2, weightDecay: 0.01, betas: [0.8, 0.99], clip: 0.1, seed: 9 }],
        ];
        for (const [k, [c, cfg]] of runs.entries()) {
          const start = pretrainInitWeights(c, 40 + k);
          const mine = pretrainClone(start);
          const seen: [number, number][] = [];
          const losses = await m.train(mine, [...data], { ...c }, { ...cfg }, { onStep: (step, loss) => { seen.push([step, loss]); } });
          const variant = (v: PretrainLoopVariant) => {
            const w = pretrainClone(start);
            return { losses: pretrainLoop(partsOf(m), w, data, c, { ...cfg }, v), weights: w };
          };
          const ref = variant('reference');
          const where = t(` (model ${JSON.stringify(c)}, config ${JSON.stringify(cfg)})`, `（模型 ${JSON.stringify(c)}，配置 ${JSON.stringify(cfg)}）`);
          const matches = (r: { losses: number[]; weights: Map<string, Tensor> }) => pretrainMaxDiff(mine, r.weights) <= 1e-5
            && Array.isArray(losses) && losses.length === r.losses.length && losses.every((v, i) => Math.abs(v - r.losses[i]) <= 1e-5 * Math.max(1, Math.abs(r.losses[i])));
          if (!matches(ref) && !matches(variant('nanogpt-decay'))) { // nanoGPT decays only 2-D tensors: accepted too
            for (const v of ['no-zero-grad', 'clip-after-step', 'schedule-off-by-one', 'lr-not-scheduled'] as const) {
              if (matches(variant(v))) fail(join([M[v].message, where], ''), { hint: M[v].hint });
            }
            if (!Array.isArray(losses) || losses.length !== cfg.steps) {
              fail(t(`train returned ${Array.isArray(losses) ? `${losses.length} losses` : typeof losses} for ${cfg.steps} steps; expected one batch loss per step.`,
                `train 在 ${cfg.steps} 步后返回了 ${Array.isArray(losses) ? `${losses.length} 个损失` : typeof losses}；应每步返回一个批次损失。`));
            }
            const i = losses.findIndex((v, j) => Math.abs(v - ref.losses[j]) > 1e-5 * Math.max(1, Math.abs(ref.losses[j])));
            fail(t(`train differs from the lesson's loop${where.en}: ${i >= 0 ? `the loss of step ${i} is ${losses[i]}, expected ${ref.losses[i]}` : `the losses agree, but the weights after ${cfg.steps} steps differ by up to ${pretrainMaxDiff(mine, ref.weights).toExponential(2)}`}.`,
              `train 与本课的训练循环不一致${where['zh-cn']}：${i >= 0 ? `第 ${i} 步的损失是 ${losses[i]}，应为 ${ref.losses[i]}` : `损失一致，但 ${cfg.steps} 步后的权重最多相差 ${pretrainMaxDiff(mine, ref.weights).toExponential(2)}`}。`),
            { hint: t('Each step: getBatch(data, train.batchSize, config.blockSize, rng) with ONE rng = new Rng(train.seed); loss = lmLoss(gptForward(weights, x, config).logits, y); zeroGrad; backward; clipGradNorm(params, train.clip); optimizer.lr = cosineLr(step, {..., total: train.steps}); optimizer.step(). AdamW over [...weights.values()] with lr: train.maxLr, weightDecay: train.weightDecay and betas: train.betas.',
              '每一步：getBatch(data, train.batchSize, config.blockSize, rng)，整个训练只用一个 rng = new Rng(train.seed)；loss = lmLoss(gptForward(weights, x, config).logits, y)；zeroGrad；backward；clipGradNorm(params, train.clip)；optimizer.lr = cosineLr(step, {..., total: train.steps})；optimizer.step()。AdamW 作用于 [...weights.values()]，参数为 lr: train.maxLr、weightDecay: train.weightDecay 和 betas: train.betas。') });
          }
          const okSteps = seen.length === cfg.steps && seen.every(([s, l], i) => s === i && Math.abs(l - losses[i]) <= 1e-6 * Math.max(1, Math.abs(losses[i])));
          expectTrue(okSteps, t(`hooks.onStep was called ${seen.length} times for ${cfg.steps} steps${seen.length ? `, first with (${seen[0].join(', ')})` : ''}; expected onStep(step, loss) once after every step, step = 0, 1, ..., with that step's loss.`,
            `${cfg.steps} 步中 hooks.onStep 被调用了 ${seen.length} 次${seen.length ? `，第一次的参数是 (${seen[0].join(', ')})` : ''}；应在每一步之后调用一次 onStep(step, loss)，step = 0, 1, ...，loss 为这一步的损失。`),
          t('await hooks.onStep?.(step, loss.item()) at the end of every step.', '在每一步结束时 await hooks.onStep?.(step, loss.item())。'));
        }
      },
    },
    {
      name: t('pretraining run (live): a GPT trained from scratch on Moby-Dick, validation loss inside the reference band', '预训练过程（实时）：在《白鲸记》上从零训练的 GPT，验证损失落在参考区间内'),
      task: 'train',
      timeoutSeconds: 240,
      run: async (m, ctx) => {
        const r = await ctx.shared<PretrainRunResult>('run');
        const s = PRETRAIN_SETTINGS;
        const tokens = s.steps * s.batchSize * r.config.blockSize;
        ctx.artifact({
          kind: 'table', title: t('Your pretraining run against the reference solution\'s', '你的预训练与参考解的对比'),
          columns: ['', t('your run', '你的训练'), t('reference solution', '参考解')],
          rows: [
            [t('validation loss (nats per character, all of the held-out chapters)', '验证损失（每字符 nat，全部留出章节）'), r4(r.finalVal), r4(PRETRAIN_REFERENCE.finalVal)],
            [t('validation perplexity, exp(loss)', '验证困惑度，exp(loss)'), r4(Math.exp(r.finalVal)), r4(Math.exp(PRETRAIN_REFERENCE.finalVal))],
            [t('training loss (mean of the last 25 batches)', '训练损失（最后 25 个批次的平均）'), r4(r.finalTrain), ''],
            [t('accepted band for the validation loss', '验证损失的接受区间'), `[${LO}, ${HI}]`, ''],
            [t(`steps × batch × context = characters read`, `步数 × 批次 × 上下文 = 读过的字符数`), `${s.steps} × ${s.batchSize} × ${r.config.blockSize} = ${tokens}`, ''],
            [t('wall time of the training (seconds)', '训练耗时（秒）'), Math.round(r.seconds * 10) / 10, ''],
          ],
        });
        if (r.problem) fail(r.problem);
        expectTrue(Number.isFinite(r.finalVal), t(`the validation loss is ${r.finalVal} after training: something diverged.`, `训练后的验证损失是 ${r.finalVal}：训练发散了。`));
        expectTrue(r.finalVal <= HI,
          t(`the validation loss is ${r.finalVal.toFixed(4)} after ${s.steps} steps; the reference solution's runs end between ${LO} and ${HI} (a model that predicts every character with its frequency gets about 3.1).`,
            `${s.steps} 步后的验证损失是 ${r.finalVal.toFixed(4)}；参考解的训练结束时在 ${LO} 到 ${HI} 之间（按字符频率预测每个字符的模型约为 3.1）。`),
          t('The other checks test the loop step by step; if they pass, look at the curve: a loss that stays near ln 89 ≈ 4.49 means nothing trains, one that stops near 3.1 has learned only how frequent each character is.',
            '其他检查会逐步测试训练循环；如果它们都通过了，请看损失曲线：损失一直停在 ln 89 ≈ 4.49 附近说明什么都没训练，停在 3.1 附近则说明模型只学到了每个字符的频率。'));
        expectTrue(r.finalVal >= LO,
          t(`the validation loss is ${r.finalVal.toFixed(4)}, below the band of the reference solution's runs [${LO}, ${HI}]: with ${s.steps} steps of this model that is not plausible. Did the training see more than the training text, or more steps than train.steps?`,
            `验证损失是 ${r.finalVal.toFixed(4)}，低于参考解训练的区间 [${LO}, ${HI}]：这个模型训练 ${s.steps} 步不可能做到。训练是否看到了训练文本以外的内容，或者多于 train.steps 的步数？`));
      },
    },
    {
      name: t('evaluate on your trained model: the validation loss and perplexity over every held-out character', 'evaluate 作用于你训练好的模型：全部留出字符上的验证损失和困惑度'),
      task: 'evaluate',
      timeoutSeconds: 240, // run alone, it trains first (the shared run)
      run: async (m, ctx) => {
        const r = await ctx.shared<PretrainRunResult>('run');
        if (r.problem) fail(join([t('the model did not train: ', '模型没有训练成功：'), r.problem], ''));
        const windows = pretrainWindows(pretrainEncode(TEXT.val, TEXT.vocab), r.config.blockSize);
        // Batches of unequal size (the last one short), as a data loader over a held-out set gives them.
        const sizes = [40, 25, 64];
        const batches: { x: number[][]; y: number[][] }[] = [];
        for (let i = 0, k = 0; i < windows.x.length; k++) {
          const n = sizes[k % sizes.length];
          batches.push({ x: windows.x.slice(i, i + n), y: windows.y.slice(i, i + n) });
          i += n;
        }
        const got = m.evaluate(r.weights, { ...r.config }, batches.map((b) => ({ x: b.x.map((row) => [...row]), y: b.y.map((row) => [...row]) })));
        // The run measured the same windows with the same model (r.finalVal): only a mismatch needs the batches' own NLL.
        const tokens = windows.x.length * r.config.blockSize;
        const near = (a: unknown, b: number) => typeof a === 'number' && Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
        const agrees = near(got?.loss, r.finalVal) && near(got?.perplexity, Math.exp(r.finalVal)) && got?.tokens === tokens;
        const perBatch = agrees ? [] : batches.map((b) => {
          const logits = noGrad(() => m.gptForward(r.weights, b.x, r.config).logits).data;
          return pretrainNll64(logits, b.y.flat(), r.config.vocabSize);
        });
        if (!agrees) expectEvaluation(got, batches, perBatch, t(` (your trained model, ${batches.length} batches of ${batches.map((b) => b.x.length).join(', ')} windows)`, `（你训练好的模型，${batches.length} 个批次，窗口数 ${batches.map((b) => b.x.length).join('、')}）`));
        ctx.artifact({ kind: 'table', title: t('Your evaluate on your trained model (validation)', '你的 evaluate 在你训练好的模型上的结果（验证集）'),
          columns: [t('loss (nats per character)', '损失（每字符 nat）'), t('perplexity', '困惑度'), t('characters', '字符数')],
          rows: [[r4(got.loss), r4(got.perplexity), got.tokens]] });
      },
    },
  ],
});
