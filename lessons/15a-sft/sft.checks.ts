/**
 * Checks for the SFT lesson (sft/sft): the chat template and its labels, right padding, the masked and shifted loss,
 * and a short supervised fine-tune of the bundled model with the learner's three functions, live.
 *
 * Expected values come from the course (@llm-lab/course/apps): the reference example and padding, and the loss and
 * its gradient in float64, computed from copies of the inputs taken before the learner's call. The live run is a
 * shared result (computed once per run, and not at all when only the quick checks run); the data set, the training
 * loop, the evaluation (greedy generation parsed by the stated rule, and the held-out response loss by the float64
 * reference loss) are the course's, so only the learner's parts are judged.
 *
 * Which check names which catalogued mistake (lessons/15a-sft/mistakes.ts):
 *   check                                              names
 *   buildExample: the chat template ...                prompt-trained, mask-shifted, no-end-marker, pre-shifted (convention: nanoGPT)
 *   collate: right padding ...                         padding-counted
 *   sftLoss: the mean over the response tokens ...     loss-all-tokens, pre-shifted (convention: nanoGPT)
 *   supervised fine-tuning of the bundled model ...    (the format accuracy and held-out loss against the bars)
 * Accepted as well: Hugging Face's shift_logits / shift_labels form, a masked mean of logSoftmax + gather, one crossEntropy
 * per sequence weighted by its token count, labels built by index, padding by index loops.
 * Not catalogued, said in plain words: ids that are not the template (another marker, a missing space), labels of
 * another length, an example or pair modified, left padding or padding to another length, rows reordered, examples
 * modified, the mean of per-sequence means, a loss or gradient that differs otherwise, labels modified.
 */
import { type Text, defineChecks, expectTrue, fail, join, mistake, t } from '@llm-lab/check';
import {
  SFT_IGNORE, SFT_RECIPE, type SftBatch, type SftEval, type SftExample, type SftHistory, type SftPair,
  sftCollate64, sftCurve, sftData, sftEncoder, sftEvaluate, sftExample64, sftLoss64, sftTrain,
} from '@llm-lab/course/apps';
import { kitGpt } from '@llm-lab/course/lora';
import { tensor } from '@llm-lab/kit';
import { shippedModel } from '@llm-lab/model';
import { SFT_MISTAKES as M } from './mistakes';

type Learner = typeof import('./sft');

/** A stand-in tokenizer for the quick checks: one id per character, not the character code itself. */
const ENCODE = (s: string): number[] => [...s].map((ch) => (ch.codePointAt(0)! * 7 + 3) % 1000);
const DECODE = new Map<number, string>();
for (let c = 9; c < 127; c++) DECODE.set((c * 7 + 3) % 1000, String.fromCharCode(c));
const show = (ids: readonly number[]): string => JSON.stringify(ids.map((id) => DECODE.get(id) ?? '?').join(''));
const list = (a: readonly number[]): string => `[${a.join(', ')}]`;
const same = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
const r3 = (v: number): number => Math.round(v * 1e3) / 1e3;
const pct = (v: number): string => `${Math.round(v * 100)}%`;

function asExample(v: unknown, what: string): SftExample {
  const e = v as SftExample;
  if (!e || !Array.isArray(e.ids) || !Array.isArray(e.labels)) {
    fail(t(`${what} should be { ids: number[], labels: number[] }`, `${what} 应当是 { ids: number[], labels: number[] }`));
  }
  return e;
}

/** Judges one example against the reference: the catalogued mistakes first, then plain words. */
function judgeExample(got: SftExample, pair: SftPair): void {
  const want = sftExample64(pair, ENCODE);
  const P = ENCODE(`Q: ${pair.question}\nA: `).length;
  const what = `buildExample(${JSON.stringify(pair)}, encode)`;
  if (same(got.ids, want.ids.slice(0, -1))) fail(join([M['no-end-marker'].message, t(` (ids decode to ${show(got.ids)})`, `（ids 解码为 ${show(got.ids)}）`)], ''), { hint: M['no-end-marker'].hint });
  if (!same(got.ids, want.ids)) {
    fail(t(`${what}.ids decode to ${show(got.ids)}; the template gives ${show(want.ids)}: "Q: " + question + "\\n" + "A: " + answer + "\\n".`,
      `${what}.ids 解码为 ${show(got.ids)}；按模板应为 ${show(want.ids)}："Q: " + question + "\\n" + "A: " + answer + "\\n"。`),
    { hint: t('ids = [...encode(`Q: ${pair.question}\\nA: `), ...encode(`${pair.answer}\\n`)]', 'ids = [...encode(`Q: ${pair.question}\\nA: `), ...encode(`${pair.answer}\\n`)]') });
  }
  const ids = want.ids;
  if (got.labels.length !== ids.length) {
    fail(t(`${what}.labels has ${got.labels.length} entries for ${ids.length} ids: one label per id, aligned with it.`,
      `${what}.labels 有 ${got.labels.length} 个元素，而 ids 有 ${ids.length} 个：每个 id 对应一个与之对齐的标签。`), { hint: M['mask-shifted'].hint });
  }
  if (same(got.labels, want.labels)) return;
  const detail = t(` (labels ${list(got.labels)}, expected ${list(want.labels)})`, `（labels 为 ${list(got.labels)}，应为 ${list(want.labels)}）`);
  const named = (key: keyof typeof M) => fail(join([M[key].message, detail], ''), { hint: M[key].hint });
  if (same(got.labels, ids)) named('prompt-trained');
  // Pre-shifted: every label is -100 or the NEXT id, and the response's tokens are all there as next ids.
  const nextOk = got.labels.every((l, i) => l === SFT_IGNORE || l === ids[i + 1]);
  const nextCount = got.labels.filter((l, i) => l !== SFT_IGNORE && l === ids[i + 1]).length;
  if (nextOk && nextCount >= ids.length - P - 1 && nextCount <= ids.length - P + 1 && nextCount > 0) fail(...mistake(M['pre-shifted']));
  const valuesOk = got.labels.every((l, i) => l === SFT_IGNORE || l === ids[i]);
  if (valuesOk) {
    const first = got.labels.findIndex((l) => l !== SFT_IGNORE);
    const lastKept = got.labels[ids.length - 1] !== SFT_IGNORE;
    const contiguous = first >= 0 && got.labels.slice(first).every((l) => l !== SFT_IGNORE);
    if (contiguous && (first === P - 1 || first === P + 1)) named('mask-shifted');
    if (first === P && !lastKept && got.labels.slice(P, -1).every((l) => l !== SFT_IGNORE)) named('no-end-marker');
    if (first > 0 && first < P && contiguous) named('prompt-trained');
  }
  fail(t(`${what}.labels = ${list(got.labels)}; expected ${list(want.labels)}: -100 for the ${P} prompt tokens, then the response's ids.`,
    `${what}.labels = ${list(got.labels)}；应为 ${list(want.labels)}：${P} 个提示 token 为 -100，之后是回答的 id。`),
  { hint: M['prompt-trained'].hint });
}

function expectSameRows(got: unknown, want: number[][], what: string, hint: Text): void {
  const rows = got as number[][];
  if (!Array.isArray(rows) || rows.length !== want.length || rows.some((r) => !Array.isArray(r))) {
    fail(t(`${what} should be ${want.length} rows of numbers`, `${what} 应当是 ${want.length} 行数字`), { hint });
  }
  rows.forEach((r, b) => {
    if (!same(r, want[b])) {
      fail(t(`${what}[${b}] = ${list(r)}; expected ${list(want[b])}`, `${what}[${b}] = ${list(r)}；应为 ${list(want[b])}`), { hint });
    }
  });
}

/** Random logits (B, T, V) and labels with prompt (-100), response and padding (-100) per row. */
function lossCase(random: () => number, lengths: { prompt: number; response: number }[], T: number, V: number, ignoreFirst = true) {
  const B = lengths.length;
  const logits = Array.from({ length: B * T * V }, () => (random() * 2 - 1) * 3);
  const labels = lengths.map(({ prompt, response }) => Array.from({ length: T }, (_, i) => {
    if (i < prompt || i >= prompt + response) return SFT_IGNORE;
    return Math.floor(random() * V);
  }));
  if (!ignoreFirst) labels[0][0] = 1; // a label at position 0: nothing predicts it, the shifted loss never reads it
  return { logits, labels, B, T, V };
}

interface Tuned {
  before: SftEval;
  after: SftEval;
  history: SftHistory;
  seconds: number;
}

const CURVE_TITLE = t(`Supervised fine-tuning (${SFT_RECIPE.steps} steps): loss on response tokens`, `监督微调（${SFT_RECIPE.steps} 步）：回答 token 上的损失`);

export default defineChecks<Learner>({
  exports: ['buildExample', 'collate', 'sftLoss'],
  shared: {
    sft: async (m, ctx): Promise<Tuned> => {
      const t0 = performance.now();
      const model = await shippedModel();
      const gpt = kitGpt(model);
      const data = sftData();
      // The learner's parts once on one pair before anything slow: a TODO or a throw shows at once.
      const encode = sftEncoder(model.vocab);
      m.collate([m.buildExample({ ...data.train[0] }, encode)], encode(' ')[0]);
      const before = sftEvaluate(gpt, model.vocab, data.heldOut);
      const history = await sftTrain(gpt, model.vocab, m, data, {
        random: () => ctx.random(),
        onStep: (h) => ctx.progress(sftCurve(h, CURVE_TITLE)),
      });
      ctx.progress(sftCurve(history, CURVE_TITLE));
      const after = sftEvaluate(gpt, model.vocab, data.heldOut);
      return { before, after, history, seconds: (performance.now() - t0) / 1000 };
    },
  },
  checks: [
    {
      name: t('buildExample: the chat template, and labels -100 on the prompt', 'buildExample：对话模板，以及提示部分的标签为 -100'),
      task: 'buildExample',
      run: (m, ctx) => {
        const { train } = sftData();
        const pairs: SftPair[] = [
          { question: 'Hi?', answer: 'yo' }, // hand-worked: 10 prompt tokens, 3 response tokens
          ...Array.from({ length: 3 }, () => train[Math.floor(ctx.random() * train.length)]),
        ];
        for (const pair of pairs) {
          const copy = { ...pair };
          const got = asExample(m.buildExample(pair, ENCODE), `buildExample(${JSON.stringify(copy)}, encode)`);
          expectTrue(pair.question === copy.question && pair.answer === copy.answer,
            t('buildExample modified the pair it was given.', 'buildExample 修改了传入的 pair。'));
          judgeExample(got, copy);
        }
      },
    },
    {
      name: t('collate: right padding with padId, labels -100 on the padding', 'collate：用 padId 在右侧填充，填充位置的标签为 -100'),
      task: 'collate',
      run: (m, ctx) => {
        for (const [padId, lengths] of [[0, [5, 8, 3]], [7, [4, 4, 6, 2]]] as [number, number[]][]) {
          const examples: SftExample[] = lengths.map((n) => {
            const ids = Array.from({ length: n }, () => 1 + Math.floor(ctx.random() * 20));
            const P = Math.floor(n / 2);
            return { ids, labels: ids.map((id, i) => (i < P ? SFT_IGNORE : id)) };
          });
          const copies = examples.map((e) => ({ ids: [...e.ids], labels: [...e.labels] }));
          const want: SftBatch = sftCollate64(copies, padId);
          const got = m.collate(examples, padId);
          expectTrue(examples.every((e, i) => same(e.ids, copies[i].ids) && same(e.labels, copies[i].labels)),
            t('collate modified the examples it was given (pad copies, not the originals).', 'collate 修改了传入的样本（应填充副本，而不是原数组）。'));
          if (!got || typeof got !== 'object') fail(t('collate should return { ids: number[][], labels: number[][] }', 'collate 应返回 { ids: number[][], labels: number[][] }'));
          const hint = t('Pad on the right to the longest example: ids with padId, labels with -100.', '在右侧填充到最长样本的长度：ids 用 padId，labels 用 -100。');
          expectSameRows(got.ids, want.ids, `collate(examples, ${padId}).ids`, hint);
          const padded = Array.isArray(got.labels) && got.labels.some((r, b) => Array.isArray(r) && r.length === want.labels[b].length
            && r.some((v, i) => i >= lengths[b] && v === padId) && r.every((v, i) => (i >= lengths[b] ? v === padId : v === want.labels[b][i])));
          if (padded) {
            fail(join([M['padding-counted'].message, t(` (padId = ${padId})`, `（padId = ${padId}）`)], ''), { hint: M['padding-counted'].hint });
          }
          expectSameRows(got.labels, want.labels, `collate(examples, ${padId}).labels`, hint);
        }
      },
    },
    {
      name: t('sftLoss: the mean over the response tokens, shifted inside, value and gradient against float64',
        'sftLoss：对回答 token 取平均、在内部错位，数值与梯度与 float64 参考一致'),
      task: 'sftLoss',
      run: (m, ctx) => {
        const random = () => ctx.random();
        const cases = [
          lossCase(random, [{ prompt: 3, response: 2 }, { prompt: 2, response: 5 }, { prompt: 4, response: 3 }], 8, 5),
          lossCase(random, [{ prompt: 1, response: 6 }, { prompt: 5, response: 1 }], 7, 6, false),
        ];
        for (const c of cases) {
          const labels = c.labels.map((r) => [...r]);
          const want = sftLoss64(c.logits, labels, c.V);
          const logits = tensor(Float32Array.from(c.logits), [c.B, c.T, c.V], { requiresGrad: true });
          const out = m.sftLoss(logits, labels);
          expectTrue(labels.every((r, b) => same(r, c.labels[b])), t('sftLoss modified the labels it was given.', 'sftLoss 修改了传入的 labels。'));
          if (!out || typeof (out as { item?: unknown }).item !== 'function' || out.size !== 1) {
            fail(t('sftLoss should return a scalar tensor (one element).', 'sftLoss 应返回一个标量张量（只有一个元素）。'));
          }
          const value = out.item();
          if (Math.abs(value - want.value) > 1e-4 * Math.max(1, Math.abs(want.value))) {
            const close = (v: number) => Math.abs(value - v) <= 1e-4 * Math.max(1, Math.abs(v));
            const detail = t(` (got ${value.toFixed(5)}, expected ${want.value.toFixed(5)})`, `（得到 ${value.toFixed(5)}，应为 ${want.value.toFixed(5)}）`);
            if (close(sftLoss64(c.logits, c.labels, c.V, { shift: false }).value)) fail(...mistake(M['pre-shifted']));
            if (close(sftLoss64(c.logits, c.labels, c.V, { over: 'all' }).value) || close(sftLoss64(c.logits, c.labels, c.V, { over: 'all', shift: false }).value)
              || close(want.value * want.count / (c.B * c.T))) {
              fail(join([M['loss-all-tokens'].message, detail], ''), { hint: M['loss-all-tokens'].hint });
            }
            if (close(sftLoss64(c.logits, c.labels, c.V, { over: 'rows' }).value)) {
              fail(join([t('sftLoss is the mean of each sequence\'s mean: a short answer then weighs as much as a long one. Every response token of the batch must weigh the same.',
                'sftLoss 是各序列平均值的平均：于是短答案和长答案的权重一样。批次中每个回答 token 的权重必须相同。'), detail], ''),
              { hint: M['loss-all-tokens'].hint });
            }
            fail(join([t('sftLoss differs from the mean of -log softmax(logits[b, t])[labels[b][t + 1]] over the labels that are not -100', 'sftLoss 与对所有不为 -100 的标签求 -log softmax(logits[b, t])[labels[b][t + 1]] 的平均值不一致'), detail], ''),
            { hint: M['pre-shifted'].hint });
          }
          out.backward();
          const grad = logits.grad;
          let worst = 0;
          let at = 0;
          for (let i = 0; i < want.grad.length; i++) {
            const d = Math.abs((grad ? grad[i] : 0) - want.grad[i]);
            if (d > worst) [worst, at] = [d, i];
          }
          if (worst > 1e-5) {
            const [b, rest] = [Math.floor(at / (c.T * c.V)), at % (c.T * c.V)];
            fail(t(`the gradient of sftLoss with respect to logits[${b}, ${Math.floor(rest / c.V)}, ${rest % c.V}] is ${grad ? grad[at].toExponential(4) : 'missing'}; expected ${want.grad[at].toExponential(4)}`,
              `sftLoss 对 logits[${b}, ${Math.floor(rest / c.V)}, ${rest % c.V}] 的梯度为 ${grad ? grad[at].toExponential(4) : '缺失'}；应为 ${want.grad[at].toExponential(4)}`),
            { hint: t('Build the loss from kit ops on the logits tensor (reshape, embedding, crossEntropy or logSoftmax) so autograd reaches every kept row.',
              '用作用在 logits 张量上的 kit 运算（reshape、embedding、crossEntropy 或 logSoftmax）构建损失，这样自动求导才能到达每一个保留的行。') });
          }
        }
      },
    },
    {
      name: t('supervised fine-tuning of the bundled model (live): held-out answers follow the format, and their loss falls',
        '内置模型的监督微调（实时）：留出集上的回答符合格式，且其损失下降'),
      task: 'sftLoss',
      timeoutSeconds: 90,
      run: async (_m, ctx) => {
        const { before, after, history, seconds } = await ctx.shared<Tuned>('sft');
        ctx.artifact({
          kind: 'table', title: t('Before and after SFT: 32 held-out questions (1962 address)', 'SFT 前后：32 个留出问题（1962 年国情咨文）'),
          columns: [t('measure', '指标'), t('before', '微调前'), t('after', '微调后'), t('bar', '要求')],
          rows: [
            [t('format accuracy (a lowercase word, then \\n)', '格式正确率（一个小写单词，然后 \\n）'), pct(before.formatAccuracy), pct(after.formatAccuracy),
              t(`after ≥ ${pct(SFT_RECIPE.minFormatAfter)}`, `微调后 ≥ ${pct(SFT_RECIPE.minFormatAfter)}`)],
            [t('right word (reported only)', '答对单词（仅报告）'), pct(before.answerAccuracy), pct(after.answerAccuracy), '—'],
            [t('held-out response loss (nats per token)', '留出集回答损失（每 token nat）'), r3(before.responseLoss), r3(after.responseLoss),
              t(`falls by ≥ ${SFT_RECIPE.minLossDrop}`, `下降 ≥ ${SFT_RECIPE.minLossDrop}`)],
            [t('wall time (s)', '耗时（秒）'), '', Math.round(seconds * 10) / 10, ''],
          ],
        });
        ctx.artifact({
          kind: 'table', title: t('Greedy answers to held-out prompts', '对留出提示的贪心生成回答'),
          columns: [t('prompt', '提示'), t('before', '微调前'), t('after', '微调后')],
          rows: before.samples.slice(0, 6).map((s, i) => [s.prompt.replace(/\n/g, '\\n'), JSON.stringify(s.generated), JSON.stringify(after.samples[i].generated)]),
        });
        const last = history.heldOut[history.heldOut.length - 1];
        expectTrue(Number.isFinite(last), t('the held-out loss is not finite after training: the loss you trained with produced NaN or Infinity.',
          '训练后留出集损失不是有限值：你用来训练的损失产生了 NaN 或 Infinity。'));
        expectTrue(after.formatAccuracy >= SFT_RECIPE.minFormatAfter,
          t(`after fine-tuning, ${pct(after.formatAccuracy)} of the held-out answers follow the format (a lowercase word, then the end marker); at least ${pct(SFT_RECIPE.minFormatAfter)} expected (the reference reaches 100% on every seed tried).`,
            `微调后，留出集上只有 ${pct(after.formatAccuracy)} 的回答符合格式（一个小写单词，然后是结束标记）；至少应为 ${pct(SFT_RECIPE.minFormatAfter)}（参考实现在所有试过的种子上都达到 100%）。`),
          t('The quick checks of buildExample, collate and sftLoss come first: a template without the end marker, or a loss that trains the prompt, teaches something else.',
            '先通过 buildExample、collate 和 sftLoss 的快速检查：没有结束标记的模板，或训练了提示的损失，教给模型的是别的东西。'));
        expectTrue(before.responseLoss - after.responseLoss >= SFT_RECIPE.minLossDrop,
          t(`the held-out response loss went from ${r3(before.responseLoss)} to ${r3(after.responseLoss)}; it should fall by at least ${SFT_RECIPE.minLossDrop} nats.`,
            `留出集回答损失从 ${r3(before.responseLoss)} 变为 ${r3(after.responseLoss)}；它应至少下降 ${SFT_RECIPE.minLossDrop} nat。`),
          t('The held-out loss is measured on the response tokens only: a loss that trains the prompt, or the padding, spends the steps elsewhere. Pass the quick checks first.',
            '留出集损失只在回答 token 上测量：训练了提示或填充的损失，会把训练步数花在别处。请先通过快速检查。'));
      },
    },
  ],
});
