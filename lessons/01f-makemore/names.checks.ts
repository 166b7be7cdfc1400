/**
 * Checks for the makemore lesson (makemore/names): windows of names, the embedding + MLP model, the training loop,
 * sampling, and a live training run against the bigram baseline.
 *
 * Expected values come from the course (@llm-lab/course/foundations): the reference windows, the model's forward
 * pass in float64 from the learner's own parameters, a training loop built from the learner's OWN parts (their MLP,
 * crossEntropyLoss, AdamW, cosineLr, clipGradNorm, re-exported by names.ts) so that only the loop's logic is judged,
 * the bigram model from counts (float64), and a replay of every sampled character against the model's probabilities.
 * Every input is copied before the learner sees it. The training run is shared: the two checks that need the trained
 * models ask for it, the first one trains (once per run), and a run of the quick checks alone does not train.
 *
 * Which check names which catalogued mistake (lessons/01f-makemore/mistakes.ts):
 *   check                                              names
 *   the parts from earlier lessons ...                 earlier-lessons
 *   buildDataset: 'emma' and 'ava' by hand ...         no-start-padding, no-end-token, target-in-context, context-not-reset
 *   buildDataset: every window of 400 real names ...   the same four (blockSize 1 and 5, and the names must not change)
 *   NameModel: parameters and logits ...               softmax-in-forward
 *   train: the loop matches ...                        no-zero-grad, lr-not-scheduled, schedule-off-by-one, no-clip
 *   sample: models that spell a name ...               end-in-name, context-not-shifted
 *   sample: every character is drawn ...               greedy-sampling
 *   training run (live) ...                            (the validation loss against the bigram baseline, both settings)
 *   names sampled from your trained models ...         greedy-sampling
 * Accepted as well: windows interleaved feature by feature instead of position by position (a valid model, W1's columns
 * permuted), nanoGPT's weight decay on tensors of 2+ dims only (two AdamW optimizers), X given as number[][] rows.
 * Not catalogued, said in plain words: a wrong number of windows or a wrong window elsewhere, an activation ignored,
 * parameter shapes, a model not drawn from the rng it is given, a loop that differs otherwise (batches not drawn as stated, a config field ignored, onStep not
 * called once per step), sampling that draws more or fewer uniforms than one per character, or picks another character.
 */
import { type CheckContext, type Text, defineChecks, expectTrue, fail, join, mistake, t } from '@llm-lab/check';
import {
  MAKEMORE_CHARS, MAKEMORE_SETTINGS, MAKEMORE_TARGET_VAL, type MakemoreLoopVariant, type MakemoreParts, MakemoreRecordingRng,
  type MakemoreRunResult, makemoreCrossEntropy64, makemoreDataset, makemoreForward64, makemoreLoop, makemoreReplay, makemoreRun, makemoreSoftmax64,
} from '@llm-lab/course/foundations';
import { Rng, Tensor, noGrad } from '@llm-lab/kit';
import { MAKEMORE_MISTAKES as M, type MakemoreMistake } from './mistakes';
import NAMES from './names.json';

type Learner = typeof import('./names');
type Model = InstanceType<Learner['NameModel']>;
type Run = { bigram: { train: number; val: number }; results: MakemoreRunResult<Model>[]; trainNames: number; valNames: number };

const V = MAKEMORE_CHARS.length;
const show = (ids: ArrayLike<number>): string => `'${Array.from(ids, (i) => MAKEMORE_CHARS[i] ?? `<${i}>`).join('')}'`;

// --- buildDataset ----------------------------------------------------------------------------------------------

/** The learner's windows as flat arrays (Int32Array, or number[][] rows: both are read). */
function callDataset(m: Learner, names: string[], T: number): { X: number[]; Y: number[] } {
  const copy = [...names];
  const out = m.buildDataset(copy, T) as unknown as { X?: unknown; Y?: unknown };
  if (copy.length !== names.length || copy.some((n, i) => n !== names[i])) {
    fail(t('buildDataset changed the names array it was given: read the names, do not modify them.', 'buildDataset 修改了传给它的 names 数组：只读取名字，不要改动它们。'));
  }
  if (typeof out !== 'object' || out === null || !out.X || !out.Y) {
    fail(t(`buildDataset returned ${typeof out}; expected { X, Y }`, `buildDataset 返回了 ${typeof out}；应返回 { X, Y }`));
  }
  const flat = (v: unknown): number[] => (Array.isArray(v) ? (v as unknown[]).flatMap((r) => (Array.isArray(r) || ArrayBuffer.isView(r) ? Array.from(r as ArrayLike<number>) : [r as number])) : Array.from(v as ArrayLike<number>));
  return { X: flat(out.X), Y: flat(out.Y) };
}

/** Which catalogued mistake the learner's windows show, from what they look like (or undefined). */
function datasetMistake(names: string[], T: number, got: { X: number[]; Y: number[] }): MakemoreMistake | undefined {
  const N = got.Y.length;
  const total = names.reduce((s, n) => s + n.length + 1, 0);
  if (got.X.length !== N * T) return undefined;
  if (N === total - names.length && !got.Y.includes(0)) return 'no-end-token';
  if (N > 1 && got.Y.every((y, i) => got.X[i * T + T - 1] === y)) return 'target-in-context';
  const zeros = (i: number) => got.X.slice(i * T, (i + 1) * T).every((v) => v === 0);
  if (N === total && zeros(0)) {
    const second = names[0].length + 1; // the first row of the second name
    if (names.length > 1 && !zeros(second)) return 'context-not-reset';
  }
  if (N > 0 && !zeros(0)) return 'no-start-padding';
  return undefined;
}

/** Compares the learner's windows with the reference, naming a catalogued mistake when it is one. */
function expectWindows(names: string[], T: number, got: { X: number[]; Y: number[] }): void {
  const want = makemoreDataset(names, T);
  const N = want.Y.length;
  const same = got.Y.length === N && got.X.length === N * T && got.Y.every((y, i) => y === want.Y[i]) && got.X.every((x, i) => x === want.X[i]);
  if (same) return;
  const named = datasetMistake(names, T, got);
  const where = t(` (blockSize ${T}, names ${names.slice(0, 3).map((n) => `'${n}'`).join(', ')}${names.length > 3 ? ', …' : ''})`,
    `（blockSize ${T}，名字 ${names.slice(0, 3).map((n) => `'${n}'`).join('、')}${names.length > 3 ? '……' : ''}）`);
  if (named) fail(join([M[named].message, where], ''), { hint: M[named].hint });
  if (got.Y.length !== N || got.X.length !== got.Y.length * T) {
    fail(t(`buildDataset gave ${got.Y.length} targets and ${got.X.length} context ids${where.en}; expected ${N} windows (one per character of every name + '.'), so ${N} targets and ${N * T} ids.`,
      `buildDataset 给出了 ${got.Y.length} 个目标和 ${got.X.length} 个上下文 id${where['zh-cn']}；应有 ${N} 个窗口（每个 name + '.' 的每个字符一个），即 ${N} 个目标和 ${N * T} 个 id。`),
    { hint: t('One example per character of name + \'.\', for every name; X holds blockSize ids per example.', '每个名字的 name + \'.\' 中每个字符对应一个样本；X 中每个样本有 blockSize 个 id。') });
  }
  const i = want.Y.findIndex((y, k) => y !== got.Y[k] || Array.from(want.X.subarray(k * T, (k + 1) * T)).some((x, j) => x !== got.X[k * T + j]));
  const [wx, gx] = [want.X.subarray(i * T, (i + 1) * T), got.X.slice(i * T, (i + 1) * T)];
  fail(t(`window ${i}${where.en}: expected ${show(wx)} -> '${MAKEMORE_CHARS[want.Y[i]]}', got ${show(gx)} -> ${show([got.Y[i]])}.`,
    `第 ${i} 个窗口${where['zh-cn']}：应为 ${show(wx)} -> '${MAKEMORE_CHARS[want.Y[i]]}'，实际为 ${show(gx)} -> ${show([got.Y[i]])}。`),
  { hint: t('Windows go name by name, character by character of name + \'.\'; ids: \'.\' is 0, \'a\' is 1, ... \'z\' is 26.', '窗口按名字、再按 name + \'.\' 的字符依次排列；id：\'.\' 为 0，\'a\' 为 1，……，\'z\' 为 26。') });
}

// --- the model ---------------------------------------------------------------------------------------------------

type Config = { blockSize: number; nEmbd: number; hidden: number; activation?: 'tanh' | 'relu' };

/** The learner's model's parameters as the float64 forward reads them, with their shapes checked. */
function paramsOf(model: Model, c: Config): Parameters<typeof makemoreForward64>[0] {
  const emb = (model.emb as unknown as { weight?: Tensor })?.weight ?? (model.emb as unknown as Tensor);
  const layers = (model.mlp as unknown as { layers?: { weight: Tensor; bias: Tensor | null }[] })?.layers;
  const shape = (x: { shape?: number[] } | undefined) => (x?.shape ? `(${x.shape.join(', ')})` : String(x));
  if (!(emb instanceof Tensor) || emb.shape.length !== 2 || emb.shape[0] !== V || emb.shape[1] !== c.nEmbd) {
    fail(t(`model.emb.weight is ${shape(emb)}; expected (${V}, ${c.nEmbd}): one row of nEmbd numbers per character.`, `model.emb.weight 的形状是 ${shape(emb)}；应为 (${V}, ${c.nEmbd})：每个字符一行 nEmbd 个数。`),
    { hint: t('this.emb = new Embedding(CHARS.length, config.nEmbd, rng)', 'this.emb = new Embedding(CHARS.length, config.nEmbd, rng)') });
  }
  const sizes = [c.blockSize * c.nEmbd, c.hidden, V];
  if (!Array.isArray(layers) || layers.length !== 2 || layers.some((l, k) => !(l?.weight instanceof Tensor) || l.weight.shape[0] !== sizes[k + 1] || l.weight.shape[1] !== sizes[k])) {
    const got = Array.isArray(layers) ? layers.map((l) => shape(l?.weight)).join(', ') : String(layers);
    fail(t(`model.mlp.layers have weights ${got}; expected two Linear layers, (${c.hidden}, ${sizes[0]}) and (${V}, ${c.hidden}).`,
      `model.mlp.layers 的权重形状是 ${got}；应是两个 Linear 层：(${c.hidden}, ${sizes[0]}) 和 (${V}, ${c.hidden})。`),
    { hint: t('this.mlp = new MLP([config.blockSize * config.nEmbd, config.hidden, CHARS.length], { activation: config.activation ?? \'tanh\', rng })',
      'this.mlp = new MLP([config.blockSize * config.nEmbd, config.hidden, CHARS.length], { activation: config.activation ?? \'tanh\', rng })') });
  }
  return { emb, layers };
}

// --- the loop ------------------------------------------------------------------------------------------------------

const partsOf = (m: Learner): MakemoreParts => ({ crossEntropyLoss: m.crossEntropyLoss, AdamW: m.AdamW, cosineLr: m.cosineLr, clipGradNorm: m.clipGradNorm });

/** A model of the learner's class with the given parameter values (a clone of another's start). */
function cloneModel(m: Learner, c: Config, start: Float32Array[]): Model {
  const model = new m.NameModel({ ...c }, new Rng(0));
  model.parameters().forEach((p, i) => p.data.set(start[i]));
  return model;
}

const maxDiff = (a: Tensor[], b: Tensor[]): number => {
  let d = 0;
  a.forEach((p, i) => { for (let k = 0; k < p.size; k++) d = Math.max(d, Math.abs(p.data[k] - b[i].data[k])); });
  return d;
};

// --- sampling ------------------------------------------------------------------------------------------------------

/** A model that spells `word` then '.', whatever the context does not know (a stub with the Sampler's shape). */
function spellingModel(word: string, blockSize: number): { config: { blockSize: number }; forward(X: Int32Array): Tensor; calls: number } {
  const next = new Map<string, number>();
  let context = '.'.repeat(blockSize);
  for (const ch of word + '.') {
    next.set(context, MAKEMORE_CHARS.indexOf(ch));
    context = (context + ch).slice(1);
  }
  const stub = {
    config: { blockSize }, calls: 0,
    forward(X: Int32Array): Tensor {
      stub.calls++;
      const B = X.length / blockSize;
      const out = new Float32Array(B * V).fill(-1e4);
      for (let b = 0; b < B; b++) {
        const key = Array.from(X.slice(b * blockSize, (b + 1) * blockSize), (i) => MAKEMORE_CHARS[i]).join('');
        out[b * V + (next.get(key) ?? 1)] = 0; // an unknown context: 'a'
      }
      return new Tensor(out, [B, V]);
    },
  };
  return stub;
}

/** A model that never ends a name: 'a' after every context. */
function endlessModel(blockSize: number): { config: { blockSize: number }; forward(X: Int32Array): Tensor } {
  return {
    config: { blockSize },
    forward(X: Int32Array): Tensor {
      const B = X.length / blockSize;
      const out = new Float32Array(B * V).fill(-1e4);
      for (let b = 0; b < B; b++) out[b * V + 1] = 0;
      return new Tensor(out, [B, V]);
    },
  };
}

/** A model whose probabilities depend on the last character only, from a random table (a bigram model). */
function tableModel(random: () => number, blockSize: number): { config: { blockSize: number }; forward(X: Int32Array): Tensor } {
  const table = Array.from({ length: V }, (_, prev) => Array.from({ length: V }, (_, next) => (next === 0 ? (prev === 0 ? -9 : 2.5) : 2 * random())));
  return {
    config: { blockSize },
    forward(X: Int32Array): Tensor {
      const B = X.length / blockSize;
      const out = new Float32Array(B * V);
      for (let b = 0; b < B; b++) out.set(table[X[(b + 1) * blockSize - 1]], b * V);
      return new Tensor(out, [B, V]);
    },
  };
}

/** Greedy decoding of a model (argmax at every step): what a sampler that never samples writes. */
function greedy(model: { config: { blockSize: number }; forward(X: Int32Array): Tensor }, maxLength: number): string {
  const context = new Array<number>(model.config.blockSize).fill(0);
  let out = '';
  while (out.length < maxLength) {
    const p = makemoreSoftmax64(noGrad(() => model.forward(Int32Array.from(context))).data);
    const next = p.indexOf(Math.max(...p));
    if (next === 0) break;
    out += MAKEMORE_CHARS[next];
    context.shift();
    context.push(next);
  }
  return out;
}

/** Samples `n` names with the learner's sample from one recording generator, and replays them against the model. */
function expectSampled(m: Learner, model: Parameters<Learner['sample']>[0], n: number, seed: number, maxLength: number): string[] {
  const rng = new MakemoreRecordingRng(seed);
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const s = m.sample(model, rng, maxLength);
    if (typeof s !== 'string') fail(t(`sample returned ${typeof s}; expected a string (the name, without the final '.')`, `sample 返回了 ${typeof s}；应返回字符串（名字本身，不带结尾的 '.'）`));
    names.push(s);
  }
  const g = greedy(model, maxLength);
  if (names.every((s) => s === g) && new Set(names).size === 1) {
    fail(join([M['greedy-sampling'].message, t(` (${n} samples, all '${g}')`, `（${n} 个样本，全是 '${g}'）`)], ''), { hint: M['greedy-sampling'].hint });
  }
  if (names.some((s) => s.includes('.'))) fail(join([M['end-in-name'].message, t(` (got '${names.find((s) => s.includes('.'))}')`, `（得到 '${names.find((s) => s.includes('.'))}'）`)], ''), { hint: M['end-in-name'].hint });
  const problem = makemoreReplay(model, names, rng.draws, maxLength);
  if (!problem) return names;
  const hint = t('For each character: probs = softmax(model.forward(context), -1); next = rng.categorical(probs.data) (one uniform per character, the final \'.\' included).',
    '对每个字符：probs = softmax(model.forward(context), -1)；next = rng.categorical(probs.data)（每个字符一个均匀随机数，包括结尾的 \'.\'）。');
  if (problem.kind === 'draws') {
    fail(t(`sample drew ${problem.used} uniforms from rng for ${n} names; one per character (the final '.' included) makes ${problem.expected}.`,
      `sample 为 ${n} 个名字从 rng 抽取了 ${problem.used} 个均匀随机数；每个字符（包括结尾的 '.'）一个，应为 ${problem.expected} 个。`), { hint });
  }
  if (problem.kind === 'bad-char') fail(t(`character ${problem.at} of the samples, ${JSON.stringify(problem.got)}, is not a letter a-z.`, `样本中的第 ${problem.at} 个字符 ${JSON.stringify(problem.got)} 不是 a-z 的字母。`), { hint });
  const p = problem as Extract<typeof problem, { kind: 'char' }>;
  fail(t(`character ${p.at} of the samples is ${p.got}, but the model's probabilities with the uniform ${p.u.toFixed(6)} pick ${p.want}: the characters are not drawn from the model (names: ${names.slice(0, 4).join(', ')}).`,
    `样本中的第 ${p.at} 个字符是 ${p.got}，但用模型的概率和均匀随机数 ${p.u.toFixed(6)} 应抽到 ${p.want}：字符不是从模型的分布中抽取的（名字：${names.slice(0, 4).join('、')}）。`), { hint });
}

// --- the shared run --------------------------------------------------------------------------------------------------

async function run(m: Learner, ctx: CheckContext): Promise<Run> {
  return makemoreRun(NAMES as string[], (c, rng) => new m.NameModel(c, rng), (model, data, c, onStep) => m.train(model, data, c, onStep), (a) => ctx.progress(a));
}

export default defineChecks<Learner>({
  exports: ['buildDataset', 'NameModel', 'train', 'sample', 'MLP', 'crossEntropyLoss', 'AdamW', 'cosineLr', 'clipGradNorm'],
  shared: { run },
  checks: [
    {
      name: t('the parts from earlier lessons (MLP, crossEntropyLoss, AdamW, cosineLr, clipGradNorm) pass a quick test', '前几课的部件（MLP、crossEntropyLoss、AdamW、cosineLr、clipGradNorm）通过一个简单测试'),
      task: 'train',
      run: (m, ctx) => {
        const broken = (what: string, why: Text) => fail(join([M['earlier-lessons'].message, t(` (${what}: ${why.en})`, `（${what}：${why['zh-cn']}）`)], ''), { hint: M['earlier-lessons'].hint });
        try {
          // MLP [4, 5, 3], tanh: against float64 from its own weights.
          const mlp = new m.MLP([4, 5, 3], { activation: 'tanh', rng: new Rng(3) });
          for (const l of mlp.layers) if (l.bias) l.bias.data.set(Array.from({ length: l.bias.size }, () => ctx.random() - 0.5));
          const x = Array.from({ length: 8 }, () => 2 * ctx.random() - 1);
          const y = mlp.forward(new Tensor(Float32Array.from(x), [2, 4]));
          const emb = { data: x, shape: [8, 1] }; // ids 0..7 look up x itself: a flat (2, 4) input
          const want = makemoreForward64({ emb, layers: mlp.layers }, [0, 1, 2, 3, 4, 5, 6, 7], 4, 'tanh');
          if (!(y instanceof Tensor) || y.size !== 6 || want.some((v, i) => Math.abs(v - y.data[i]) > 1e-4)) broken('MLP', t('its forward pass differs from a float64 reference', '前向计算结果与 float64 参考不一致'));
          // crossEntropyLoss: value and gradient.
          const logits = new Tensor(Float32Array.from({ length: 3 * V }, () => 4 * ctx.random() - 2), [3, V], true);
          const targets = [0, 5, 26];
          const loss = m.crossEntropyLoss(logits, targets);
          loss.backward();
          const ce = makemoreCrossEntropy64(logits.data, targets);
          if (Math.abs(loss.item() - ce) > 1e-4) broken('crossEntropyLoss', t(`${loss.item()}, expected ${ce.toFixed(6)}`, `${loss.item()}，应为 ${ce.toFixed(6)}`));
          for (let n = 0; n < 3; n++) {
            const p = makemoreSoftmax64(logits.data.subarray(n * V, (n + 1) * V));
            p.forEach((pv, v) => { if (Math.abs(logits.grad![n * V + v] - (pv - (v === targets[n] ? 1 : 0)) / 3) > 1e-5) broken('crossEntropyLoss', t('its gradient is not (softmax - onehot) / N', '它的梯度不是 (softmax - onehot) / N')); });
          }
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
          // AdamW, two steps, lr 0.1, weightDecay 0.5, decoupled.
          const w = new Tensor(Float32Array.of(1, -2), [2], true);
          const opt = new m.AdamW([w], { lr: 0.1, weightDecay: 0.5 });
          const w64 = [1, -2];
          const [m1, v1] = [[0, 0], [0, 0]];
          for (let s = 1; s <= 2; s++) {
            const g = s === 1 ? [0.5, -1] : [-0.25, 2];
            w.grad = Float32Array.from(g);
            opt.step();
            for (let i = 0; i < 2; i++) {
              w64[i] -= 0.1 * 0.5 * w64[i];
              m1[i] = 0.9 * m1[i] + 0.1 * g[i];
              v1[i] = 0.999 * v1[i] + 0.001 * g[i] * g[i];
              w64[i] -= (0.1 * m1[i] / (1 - 0.9 ** s)) / (Math.sqrt(v1[i] / (1 - 0.999 ** s)) + 1e-8);
            }
          }
          if (w64.some((v, i) => Math.abs(v - w.data[i]) > 1e-5)) broken('AdamW', t(`two steps gave [${Array.from(w.data, (v) => v.toFixed(5)).join(', ')}], expected [${w64.map((v) => v.toFixed(5)).join(', ')}]`, `两步之后得到 [${Array.from(w.data, (v) => v.toFixed(5)).join(', ')}]，应为 [${w64.map((v) => v.toFixed(5)).join(', ')}]`));
        } catch (e) {
          if (e instanceof Error && (e.name === 'NotImplementedError' || e.name === 'CheckFailure')) throw e;
          const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
          broken('MLP / crossEntropyLoss / AdamW / cosineLr / clipGradNorm', t(`it threw: ${why}`, `它抛出了异常：${why}`));
        }
      },
    },
    {
      name: t('buildDataset: \'emma\' and \'ava\' by hand, blockSize 3', 'buildDataset：手算 \'emma\' 和 \'ava\'，blockSize 3'),
      task: 'buildDataset',
      run: (m) => {
        const names = ['emma', 'ava'];
        expectWindows(names, 3, callDataset(m, names, 3));
      },
    },
    {
      name: t('buildDataset: every window of 400 real names, blockSize 1 and 5', 'buildDataset：400 个真实名字的每个窗口，blockSize 1 和 5'),
      task: 'buildDataset',
      run: (m, ctx) => {
        const all = NAMES as string[];
        const names = Array.from({ length: 400 }, () => all[Math.floor(ctx.random() * all.length)]);
        for (const T of [1, 5]) expectWindows(names, T, callDataset(m, names, T));
        const empty = callDataset(m, [], 3);
        expectTrue(empty.X.length === 0 && empty.Y.length === 0, t(`buildDataset([], 3) gave ${empty.Y.length} windows; expected none.`, `buildDataset([], 3) 给出了 ${empty.Y.length} 个窗口；应为 0 个。`));
      },
    },
    {
      name: t('NameModel: parameters and logits match a float64 reference (tanh, relu, and the default)', 'NameModel：参数和 logits 与 float64 参考一致（tanh、relu 和默认值）'),
      task: 'NameModel',
      run: (m, ctx) => {
        const configs: Config[] = [
          { blockSize: 3, nEmbd: 4, hidden: 8, activation: 'tanh' },
          { blockSize: 2, nEmbd: 5, hidden: 6, activation: 'relu' },
          { blockSize: 4, nEmbd: 2, hidden: 7 }, // no activation: tanh
        ];
        // Built from the rng it is given: the same seed gives the same model, another seed another one.
        const values = (seed: number) => new m.NameModel({ ...configs[0] }, new Rng(seed)).parameters().flatMap((p) => Array.from(p.data));
        const [a, b, other] = [values(7), values(7), values(8)];
        expectTrue(a.length === b.length && a.every((v, i) => v === b[i]) && a.some((v, i) => v !== other[i]),
          t('new NameModel(config, new Rng(7)) twice gave different parameters, or Rng(7) and Rng(8) the same ones: draw the embedding table and the MLP\'s weights from the rng the constructor is given.',
            '两次 new NameModel(config, new Rng(7)) 得到的参数不同，或者 Rng(7) 和 Rng(8) 得到的参数相同：嵌入表和 MLP 的权重都应从传给构造函数的 rng 中抽取。'),
          t('new Embedding(CHARS.length, config.nEmbd, rng) and new MLP([...], { activation, rng }): pass the same rng to both.', 'new Embedding(CHARS.length, config.nEmbd, rng) 和 new MLP([...], { activation, rng })：把同一个 rng 传给两者。'));
        for (const [k, c] of configs.entries()) {
          const model = new m.NameModel({ ...c }, new Rng(10 + k));
          const p = paramsOf(model, c);
          const count = V * c.nEmbd + c.blockSize * c.nEmbd * c.hidden + c.hidden + c.hidden * V + V;
          const n = model.parameters().reduce((s, x) => s + x.size, 0);
          expectTrue(n === count, t(`model.parameters() holds ${n} numbers; expected ${count} (the embedding table and both layers, weights and biases).`,
            `model.parameters() 共有 ${n} 个数；应为 ${count}（嵌入表和两个层的权重与偏置）。`));
          // Biases are zero at init: give them values, so a forgotten bias shows.
          for (const l of p.layers) if (l.bias) (l.bias as Tensor).data.set(Array.from({ length: (l.bias as Tensor).size }, () => ctx.random() - 0.5));
          const B = 6;
          const X = Int32Array.from({ length: B * c.blockSize }, () => Math.floor(ctx.random() * V));
          const Xc = Int32Array.from(X);
          const act = c.activation ?? 'tanh';
          const [want, wantF] = [makemoreForward64(p, Xc, c.blockSize, act), makemoreForward64(p, Xc, c.blockSize, act, 'feature')];
          const y = model.forward(X);
          const what = t(`model.forward(X) for ${JSON.stringify(c)}`, `${JSON.stringify(c)} 的 model.forward(X)`);
          if (!(y instanceof Tensor) || y.shape.length !== 2 || y.shape[0] !== B || y.shape[1] !== V) {
            fail(t(`${what.en} has shape ${y instanceof Tensor ? `(${y.shape.join(', ')})` : typeof y}; expected (${B}, ${V}): one row of logits per window.`,
              `${what['zh-cn']} 的形状是 ${y instanceof Tensor ? `(${y.shape.join(', ')})` : typeof y}；应为 (${B}, ${V})：每个窗口一行 logits。`));
          }
          const close = (ref: Float64Array) => ref.every((v, i) => Math.abs(v - y.data[i]) <= 1e-4 + 1e-4 * Math.abs(v));
          if (close(want) || close(wantF)) continue; // position by position (PyTorch's view) or feature by feature: both are valid models
          const probs = Array.from({ length: B }, (_, b) => makemoreSoftmax64(want.subarray(b * V, (b + 1) * V))).flat();
          if (probs.every((v, i) => Math.abs(v - y.data[i]) < 1e-4)) fail(...mistake(M['softmax-in-forward']));
          const other = makemoreForward64(p, Xc, c.blockSize, act === 'tanh' ? 'relu' : 'tanh');
          if (other.every((v, i) => Math.abs(v - y.data[i]) <= 1e-4 + 1e-4 * Math.abs(v))) {
            fail(t(`${what.en}: the hidden layer uses ${act === 'tanh' ? 'relu' : 'tanh'}, not ${act}${c.activation ? '' : ' (the default when config.activation is not given)'}.`,
              `${what['zh-cn']}：隐藏层用的是 ${act === 'tanh' ? 'relu' : 'tanh'}，而不是 ${act}${c.activation ? '' : '（config.activation 未给出时的默认值）'}。`),
            { hint: t('new MLP([...], { activation: config.activation ?? \'tanh\', rng })', 'new MLP([...], { activation: config.activation ?? \'tanh\', rng })') });
          }
          const i = want.findIndex((v, j) => Math.abs(v - y.data[j]) > 1e-4 + 1e-4 * Math.abs(v));
          fail(t(`${what.en}: logit [${Math.floor(i / V)}, ${i % V}] is ${y.data[i]}, expected ${want[i].toFixed(6)} (the embeddings of the window side by side, then the MLP).`,
            `${what['zh-cn']}：logit [${Math.floor(i / V)}, ${i % V}] 是 ${y.data[i]}，应为 ${want[i].toFixed(6)}（窗口中各字符的嵌入向量依次拼接，再送入 MLP）。`),
          { hint: t('e = this.emb.forward(X, [B, blockSize]) is (B, blockSize, nEmbd); this.mlp.forward(e.reshape(B, blockSize * nEmbd)) gives (B, 27).',
            'e = this.emb.forward(X, [B, blockSize]) 的形状是 (B, blockSize, nEmbd)；this.mlp.forward(e.reshape(B, blockSize * nEmbd)) 给出 (B, 27)。') });
        }
      },
    },
    {
      name: t('train: the loop matches one built from your own parts, step by step (two configurations)', 'train：训练循环与用你自己的部件搭建的循环逐步一致（两种配置）'),
      task: 'train',
      run: async (m, ctx) => {
        const all = NAMES as string[];
        const names = Array.from({ length: 150 }, () => all[Math.floor(ctx.random() * all.length)]);
        const runs: [Config, Parameters<Learner['train']>[2]][] = [
          [{ blockSize: 3, nEmbd: 4, hidden: 16, activation: 'tanh' }, { steps: 12, batchSize: 16, maxLr: 0.05, minLr: 0.005, warmup: 3, weightDecay: 0.1, clip: 0.05, seed: 5 }],
          [{ blockSize: 2, nEmbd: 3, hidden: 10, activation: 'relu' }, { steps: 9, batchSize: 8, maxLr: 0.03, minLr: 0.001, warmup: 2, weightDecay: 0.01, clip: 0.1, seed: 9 }],
        ];
        for (const [c, cfg] of runs) {
          const data = makemoreDataset(names, c.blockSize);
          const model = new m.NameModel({ ...c }, new Rng(4));
          const start = model.parameters().map((p) => Float32Array.from(p.data));
          const seen: [number, number][] = [];
          const losses = await m.train(model, { X: Int32Array.from(data.X), Y: Int32Array.from(data.Y) }, { ...cfg }, (step, loss) => { seen.push([step, loss]); });
          const variant = (v: MakemoreLoopVariant) => {
            const ref = cloneModel(m, c, start);
            const l = makemoreLoop(partsOf(m), ref, data, { ...cfg }, v);
            return { losses: l, params: ref.parameters() };
          };
          const ref = variant('reference');
          const where = t(` (config ${JSON.stringify(cfg)})`, `（配置 ${JSON.stringify(cfg)}）`);
          const matches = (r: { losses: number[]; params: Tensor[] }) => maxDiff(model.parameters(), r.params) <= 1e-6
            && Array.isArray(losses) && losses.length === r.losses.length && losses.every((v, i) => Math.abs(v - r.losses[i]) <= 1e-6 * Math.max(1, Math.abs(r.losses[i])));
          if (!matches(ref) && !matches(variant('nanogpt-decay'))) { // nanoGPT decays only 2-D tensors: accepted too
            for (const v of ['no-zero-grad', 'lr-not-scheduled', 'schedule-off-by-one', 'no-clip'] as const) {
              if (matches(variant(v))) fail(join([M[v].message, where], ''), { hint: M[v].hint });
            }
            if (!Array.isArray(losses) || losses.length !== cfg.steps) {
              fail(t(`train returned ${Array.isArray(losses) ? `${losses.length} losses` : typeof losses} for ${cfg.steps} steps; expected one batch loss per step.`,
                `train 在 ${cfg.steps} 步后返回了 ${Array.isArray(losses) ? `${losses.length} 个损失` : typeof losses}；应每步返回一个批次损失。`));
            }
            const k = losses.findIndex((v, i) => Math.abs(v - ref.losses[i]) > 1e-6 * Math.max(1, Math.abs(ref.losses[i])));
            fail(t(`train differs from the lesson's loop${where.en}: ${k >= 0 ? `the loss of step ${k} is ${losses[k]}, expected ${ref.losses[k]}` : `the losses agree, but the parameters after ${cfg.steps} steps differ by up to ${maxDiff(model.parameters(), ref.params).toExponential(2)}`}.`,
              `train 与本课的训练循环不一致${where['zh-cn']}：${k >= 0 ? `第 ${k} 步的损失是 ${losses[k]}，应为 ${ref.losses[k]}` : `损失一致，但 ${cfg.steps} 步后的参数最多相差 ${maxDiff(model.parameters(), ref.params).toExponential(2)}`}。`),
            { hint: t('Each step: a batch of rng.randint(0, N) rows (rng = new Rng(config.seed)), loss = crossEntropyLoss(model.forward(xb), yb), zeroGrad, backward, clipGradNorm(params, config.clip), optimizer.lr = cosineLr(step, {..., total: config.steps}), optimizer.step(). AdamW gets lr: config.maxLr and weightDecay: config.weightDecay.',
              '每一步：用 rng.randint(0, N) 抽取一批行（rng = new Rng(config.seed)），loss = crossEntropyLoss(model.forward(xb), yb)，zeroGrad，backward，clipGradNorm(params, config.clip)，optimizer.lr = cosineLr(step, {..., total: config.steps})，optimizer.step()。AdamW 的参数为 lr: config.maxLr 和 weightDecay: config.weightDecay。') });
          }
          const okSteps = seen.length === cfg.steps && seen.every(([s, l], i) => s === i && Math.abs(l - losses[i]) <= 1e-6 * Math.max(1, Math.abs(losses[i])));
          expectTrue(okSteps, t(`onStep was called ${seen.length} times for ${cfg.steps} steps${seen.length ? `, first with (${seen[0].join(', ')})` : ''}; expected onStep(step, loss) once after every step, step = 0, 1, ..., with that step's loss.`,
            `${cfg.steps} 步中 onStep 被调用了 ${seen.length} 次${seen.length ? `，第一次的参数是 (${seen[0].join(', ')})` : ''}；应在每一步之后调用一次 onStep(step, loss)，step = 0, 1, ...，loss 为这一步的损失。`),
          t('await onStep?.(step, loss.item()) at the end of every step.', '在每一步结束时 await onStep?.(step, loss.item())。'));
        }
      },
    },
    {
      name: t('sample: models that spell a name get that name back (blockSize 3 and 2, maxLength 7, 12 and the default 30)', 'sample：会拼写某个名字的模型得到的正是这个名字（blockSize 3 和 2，maxLength 7、12 和默认的 30）'),
      task: 'sample',
      run: (m) => {
        for (const [word, T] of [['emma', 3], ['annabel', 2]] as const) {
          const stub = spellingModel(word, T);
          const s = m.sample(stub, new Rng(1), 20);
          if (s === word) continue;
          if (s === `${word}.`) fail(...mistake(M['end-in-name']));
          const first = MAKEMORE_CHARS[spellingModel(word, T).forward(new Int32Array(T)).data.indexOf(0)];
          if (typeof s === 'string' && s.length > 1 && [...s].every((ch) => ch === first)) fail(join([M['context-not-shifted'].message, t(` (got '${s}')`, `（得到 '${s}'）`)], ''), { hint: M['context-not-shifted'].hint });
          fail(t(`sample of a model that spells '${word}' (blockSize ${T}) gave ${JSON.stringify(s)}; expected '${word}'.`, `对一个会拼写 '${word}' 的模型（blockSize ${T}），sample 给出了 ${JSON.stringify(s)}；应为 '${word}'。`),
            { hint: t('Start from blockSize \'.\' (id 0); after each character, slide the window; stop (without it) at \'.\'.', '从 blockSize 个 \'.\'（id 0）开始；每生成一个字符就滑动窗口；遇到 \'.\' 时停止（不把它加进名字）。') });
        }
        // A model that never says '.': the name stops at maxLength.
        const endless = endlessModel(3);
        for (const n of [7, 12]) {
          const s = m.sample(endless, new Rng(2), n);
          expectTrue(s === 'a'.repeat(n), t(`sample(model, rng, ${n}) of a model that never ends a name gave ${JSON.stringify(s)}; expected ${n} characters: maxLength caps the name.`,
            `对一个永远不结束名字的模型，sample(model, rng, ${n}) 给出了 ${JSON.stringify(s)}；应为 ${n} 个字符：maxLength 限制名字的长度。`));
        }
        const s = m.sample(endless, new Rng(2));
        expectTrue(s === 'a'.repeat(30), t(`sample(model, rng) without maxLength gave ${s.length} characters; expected 30, the default.`, `不传 maxLength 时 sample(model, rng) 给出了 ${s.length} 个字符；默认值应为 30。`));
      },
    },
    {
      name: t('sample: every character is drawn from the model\'s probabilities, one uniform each', 'sample：每个字符都按模型的概率抽取，每个字符一个均匀随机数'),
      task: 'sample',
      run: (m, ctx) => {
        for (const [T, seed] of [[3, 11], [1, 12]]) expectSampled(m, tableModel(ctx.random, T), 25, seed, 15);
      },
    },
    {
      name: t('training run (live): validation loss below 2.3 nats in both settings, under the bigram baseline', '训练过程（实时）：两种设置的验证损失都低于 2.3 nat，低于二元语法基线'),
      task: 'train',
      timeoutSeconds: 90,
      run: async (m, ctx) => {
        const { bigram, results, trainNames, valNames } = await ctx.shared<Run>('run');
        const r4 = (v: number) => Math.round(v * 1e4) / 1e4;
        ctx.artifact({
          kind: 'table', title: t('Loss per character (nats): your models against the bigram baseline', '每字符损失（nat）：你的模型与二元语法基线'),
          columns: ['', t('train', '训练'), t('validation', '验证'), t('seconds', '秒')],
          rows: [
            [t(`bigram from counts (add-one smoothing; ${trainNames} training names, ${valNames} validation names)`, `计数得到的二元语法模型（加一平滑；${trainNames} 个训练名字，${valNames} 个验证名字）`), r4(bigram.train), r4(bigram.val), ''],
            ...results.map((r, k) => [join([t(`setting ${k + 1}: `, `设置 ${k + 1}：`), r.label], ''), r4(r.trainLoss), r4(r.finalVal), Math.round(r.seconds * 100) / 100]),
          ],
        });
        for (const [k, r] of results.entries()) {
          const label = join([t(`setting ${k + 1} (`, `设置 ${k + 1}（`), r.label, t(')', '）')], '');
          if (r.problem) fail(join([label, t(': ', '：'), r.problem], ''));
          expectTrue(Number.isFinite(r.finalVal), join([label, t(`: the validation loss is ${r.finalVal} after training: something diverged.`, `：训练后的验证损失是 ${r.finalVal}：训练发散了。`)], ''));
          expectTrue(r.finalVal < MAKEMORE_TARGET_VAL,
            join([label, t(`: the validation loss is ${r.finalVal.toFixed(4)} after ${MAKEMORE_SETTINGS[k].train.steps} steps; it should be below ${MAKEMORE_TARGET_VAL} (the bigram model gets ${bigram.val.toFixed(4)}).`,
              `：${MAKEMORE_SETTINGS[k].train.steps} 步后的验证损失是 ${r.finalVal.toFixed(4)}；应低于 ${MAKEMORE_TARGET_VAL}（二元语法模型是 ${bigram.val.toFixed(4)}）。`)], ''),
            t('The other checks test the loop step by step; if they pass, look at the curve: a loss that stays near ln 27 ≈ 3.30 means nothing trains (are the embedding table and the MLP both in model.parameters()?).',
              '其他检查会逐步测试训练循环；如果它们都通过了，请看损失曲线：损失一直停在 ln 27 ≈ 3.30 附近说明什么都没训练（嵌入表和 MLP 都在 model.parameters() 里吗？）。'));
        }
        expectTrue(results.length === MAKEMORE_SETTINGS.length, t('the run stopped before every setting trained.', '训练在所有设置完成之前就停止了。'));
      },
    },
    {
      name: t('names sampled from your trained models are drawn from their probabilities', '从你训练好的模型中采样的名字是按模型的概率抽取的'),
      task: 'sample',
      timeoutSeconds: 90, // run alone, it trains first (the shared run)
      run: async (m, ctx) => {
        const { results } = await ctx.shared<Run>('run');
        const columns: Text[] = [];
        const lists: string[][] = [];
        for (const [k, r] of results.entries()) {
          if (r.problem) fail(join([t(`setting ${k + 1} did not train: `, `设置 ${k + 1} 没有训练成功：`), r.problem], ''));
          lists.push(expectSampled(m, r.model, 12, 2024 + k, 30));
          columns.push(join([t(`setting ${k + 1}: `, `设置 ${k + 1}：`), r.label], ''));
        }
        ctx.artifact({ kind: 'table', title: t('Names sampled from your trained models (* marks a name that is not among the 8,403 of the data)', '从你训练好的模型中采样的名字（* 表示数据的 8,403 个名字中没有这个名字）'),
          columns, rows: lists[0].map((_, i) => lists.map((l) => (l[i] === undefined ? '' : (NAMES as string[]).includes(l[i]) ? l[i] : `${l[i]} *`))) });
      },
    },
  ],
});
