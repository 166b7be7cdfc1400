/**
 * Checks for the LoRA fine-tuning lesson, exercise 1 (lora-finetune/finetune): addLoRA and mergeLoRA on the bundled GPT.
 *
 * Small checks first, on a tiny random GPT (where every layer is, what trains, what the outputs are), then the
 * real thing: the bundled model fine-tuned on State of the Union addresses with the learner's adapters, live,
 * then merged, exported to ONNX and run by onnxruntime. Expected values come from the float64 reference of
 * the LoRA lesson (@llm-lab/course/lora), from the model before any change, and from onnxruntime.
 *
 * The fine-tune is a shared result: the two checks that need the trained model ask for it, the first one
 * trains (once per run), and a run of the quick checks alone does not train at all.
 *
 * Which check names which catalogued mistake (lessons/08-lora-finetune/mistakes.ts):
 *   check                                              names
 *   your LoRALinear and merge from the LoRA lesson ... lesson-7, lesson-7-rslora (rsLoRA's convention)
 *   addLoRA wraps every chosen layer ...               wrong-targets, not-frozen, changed-at-step-0, shared-rng, unseeded
 *   mergeLoRA puts plain Linear layers back ...        not-merged
 *   fine-tune the bundled model ...                    wrong-targets, not-frozen (the layout is checked before training)
 *   merged and exported to ONNX ...                    not-merged, and the fine-tune's (it trains when run alone)
 * Not catalogued, said in plain words: an adapter in its place that the returned Map does not name, adapters whose
 * rank is not config.r (r = 2 in the addLoRA check, 4 in the mergeLoRA check), the same adapters for seeds 3 and 4
 * (config.seed ignored), A and B frozen too (frozen after wrapping), merged weights or logits that differ.
 */
import {
  type CheckContext, type Text, defineChecks, expectClose, expectShape, expectTrue, fail, join, maxAbsDiff, mistake, randomTensor, t,
} from '@llm-lab/check';
import {
  type Corpus, type History, RECIPE, baseLinear, corpusFor, curve, isZero, kitGpt, loraForward64, merge64, normalTensor, evalLossBundled, round4, sample, sampleBundled, train, weightsOf,
} from '@llm-lab/course/lora';
import { GPT, Linear, Rng, type Tensor, noGrad } from '@llm-lab/kit';
import { exportGptToOnnx, loadModelFromBytes, shippedModel } from '@llm-lab/model';
import { FINETUNE_MISTAKES as M } from './mistakes';

type Learner = typeof import('./finetune');
type Adapter = InstanceType<Learner['LoRALinear']>;
type Target = import('./finetune').LoRATarget;

const ALL: Target[] = ['attn.q', 'attn.k', 'attn.v', 'attn.proj', 'mlp.fc', 'mlp.proj'];
const TINY = { vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 };
const PROMPT = 'Members of the Congress, ';
const CURVE_TITLE = t(`Fine-tuning with LoRA (${RECIPE.steps} steps): loss while training`, `用 LoRA 微调（${RECIPE.steps} 步）：训练过程中的损失`);

/** The layer at block i, target t (whatever the learner put there). */
function layerAt(gpt: GPT, i: number, target: Target): Record<string, unknown> {
  const [part, key] = target.split('.') as ['attn' | 'mlp', string];
  return (gpt.h[i][part] as unknown as Record<string, Record<string, unknown>>)[key];
}

const isAdapter = (l: Record<string, unknown>): boolean => l !== undefined && 'A' in l && 'B' in l;

function logitsOf(gpt: GPT, ids: Int32Array, T: number): Tensor {
  return noGrad(() => gpt.forward(ids, ids.length / T, T).logits);
}

function callAdd(m: Learner, gpt: GPT, config: Parameters<Learner['addLoRA']>[1]): Map<string, Adapter> {
  const adapters = m.addLoRA(gpt, config);
  if (!(adapters instanceof Map)) {
    const got = typeof adapters;
    fail(t(`addLoRA returned ${got}; expected a Map from names like 'h.0.attn.q' to your adapters`,
      `addLoRA 返回了 ${got}；应返回一个 Map，把 'h.0.attn.q' 这样的名字映射到你的适配器`));
  }
  return adapters;
}

/** Checks the layout: adapters exactly on the targets of every block, under their names in the Map, and only the adapters train. */
function expectWrapped(gpt: GPT, adapters: Map<string, Adapter>, targets: readonly Target[]): void {
  for (let i = 0; i < gpt.h.length; i++) {
    for (const target of ALL) {
      const layer = layerAt(gpt, i, target);
      const wanted = targets.includes(target);
      const name = `h.${i}.${target}`;
      const has = isAdapter(layer);
      if (wanted && has && adapters.get(name) !== (layer as unknown as Adapter)) {
        // The adapter is in its place; the Map does not name it (a key spelled otherwise, or another object under it).
        const keys = [...adapters.keys()].slice(0, 3).map((k) => `'${k}'`).join(', ') + (adapters.size > 3 ? ', …' : '');
        const [en, zh] = adapters.has(name)
          ? [`holds another object under '${name}'`, `在 '${name}' 下存的是另一个对象`]
          : [`has nothing under '${name}' (its keys: ${keys || 'none'})`, `在 '${name}' 下没有东西（它的键是：${keys || '无'}）`];
        fail(t(`${name} has its adapter, but the Map addLoRA returned ${en}: the Map must name each adapter by the layer it wraps, \`h.\${i}.\${target}\`.`,
          `${name} 上有适配器，但 addLoRA 返回的 Map ${zh}：Map 必须用适配器所包装的层来命名它，即 \`h.\${i}.\${target}\`。`),
        { hint: t('adapters.set(`h.${i}.${target}`, adapter) for block i and each target, the same adapter you put into the block.',
          '对第 i 个块的每个目标层调用 adapters.set(`h.${i}.${target}`, adapter)，存的就是你放进块里的那个适配器。') });
      }
      if (wanted !== has) {
        const where = t(` (${name} ${has ? 'has' : 'has no'} adapter${wanted ? ', and it should have the one in the returned Map under that name' : ''})`,
          `（${name} 上${has ? '有' : '没有'}适配器${wanted ? '，而它应当有返回的 Map 中这个名字下的那个适配器' : ''}）`);
        fail(join([M['wrong-targets'].message, where], ''), { hint: M['wrong-targets'].hint });
      }
    }
  }
  const expected = new Set([...adapters.values()].flatMap((a) => [a.A, a.B]));
  const params = gpt.parameters();
  if (params.some((p) => !expected.has(p))) fail(...mistake(M['not-frozen']));
  expectTrue(params.length === expected.size, t(`model.parameters() lists ${params.length} tensors; expected the ${expected.size} A and B matrices of the adapters.`,
    `model.parameters() 列出了 ${params.length} 个张量；应当恰好是各适配器的 ${expected.size} 个 A 和 B 矩阵。`));
}

/** Each adapter's A (r, in) and B (out, r), with the r of the config. */
function expectRank(adapters: Map<string, Adapter>, r: number): void {
  for (const [name, a] of adapters) {
    expectShape(a.A, [r, a.inFeatures], `adapters.get('${name}').A`);
    expectShape(a.B, [a.outFeatures, r], `adapters.get('${name}').B`);
  }
}

/** Two adapters whose A are equal (the same values, drawn from generators seeded alike), or undefined. */
function sameA(adapters: Map<string, Adapter>): [string, string] | undefined {
  const list = [...adapters];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const [a, b] = [list[i][1].A, list[j][1].A];
      if (a.shape.length === b.shape.length && a.shape.every((d, k) => d === b.shape[k]) && maxAbsDiff(a, b) === 0) return [list[i][0], list[j][0]];
    }
  }
  return undefined;
}

/** An adapter named 'h.<i>.<target>' is not in its place any more after mergeLoRA. */
function expectMerged(gpt: GPT, name: string): Record<string, unknown> {
  const [, i, ...rest] = name.split('.');
  const layer = layerAt(gpt, Number(i), rest.join('.') as Target);
  if (isAdapter(layer) || !(layer instanceof Linear)) fail(join([M['not-merged'].message, t(` (${name})`, `（${name}）`)], ''), { hint: M['not-merged'].hint });
  return layer as unknown as Record<string, unknown>;
}

/** The bundled model fine-tuned with the learner's adapters: what the two last checks look at. */
interface FineTuned {
  gpt: GPT;
  adapters: Map<string, Adapter>;
  corpus: Corpus;
  history: History;
  total: number;
  trainable: number;
  /** Greedy continuations of PROMPT before and after fine-tuning. */
  before: string;
  after: string;
}

/** Adds the learner's adapters to the bundled model and trains them, with a live loss curve. */
async function fineTune(m: Learner, ctx: CheckContext): Promise<FineTuned> {
  const model = await shippedModel();
  const vocab = model.vocab;
  const corpus = corpusFor(vocab);
  const gpt = kitGpt(model);
  const total = gpt.numParameters();
  const sampleLength = Math.min(48, gpt.config.blockSize);
  const before = await sampleBundled(model, PROMPT, sampleLength); // the pretrained model, in onnxruntime
  const adapters = callAdd(m, gpt, { r: RECIPE.r, alpha: RECIPE.alpha, targets: RECIPE.targets, seed: RECIPE.seed });
  expectWrapped(gpt, adapters, RECIPE.targets);
  const params = gpt.parameters();
  const trainable = params.reduce((s, p) => s + p.size, 0);
  // Step 0 is the pretrained model (B = 0: the adapters add nothing; the addLoRA check makes sure of that), so its
  // validation losses are the bundled model's, from onnxruntime.
  const ET = Math.min(128, gpt.config.blockSize);
  const initial = {
    val: await evalLossBundled(model, corpus.val, RECIPE.evalWindows, ET),
    moby: await evalLossBundled(model, corpus.moby, RECIPE.evalWindows, ET),
  };
  const history = await train(gpt, params, corpus, {
    ...RECIPE, random: ctx.random, initial,
    onStep: (hist) => ctx.progress(curve(hist, CURVE_TITLE)), // same title: each call replaces the last
  });
  ctx.progress(curve(history, CURVE_TITLE)); // the final state, whatever was coalesced
  const after = sample(gpt, vocab, PROMPT, sampleLength);
  return { gpt, adapters, corpus, history, total, trainable, before, after };
}

export default defineChecks<Learner>({
  exports: ['addLoRA', 'mergeLoRA', 'LoRALinear', 'merge'],
  shared: { finetune: fineTune },
  checks: [
    {
      name: t('your LoRALinear and merge from the LoRA lesson (imported from ../07-lora/) pass a quick test', '你在 LoRA 一课写的 LoRALinear 和 merge（从 ../07-lora/ 导入）通过一个简单测试'),
      task: 'addLoRA',
      run: (m, ctx) => {
        try {
          // r = 2, alpha = 4: s = alpha / r = 2 (rsLoRA's alpha / √r would be 2√2, named as that convention).
          const layer = new m.LoRALinear(baseLinear(4, 3, 9), 2, 4, new Rng(1));
          const x = randomTensor(ctx, [2, 4], 1);
          const ok0 = isZero(layer.B) && maxAbsDiff(layer.forward(x), loraForward64(x, layer.weight, layer.bias, layer.A, layer.B, 2)) < 1e-4;
          layer.B.data.set(normalTensor(ctx.random, [3, 2], 0.5).data);
          const y = layer.forward(x);
          const ok1 = maxAbsDiff(y, loraForward64(x, layer.weight, layer.bias, layer.A, layer.B, 2)) < 1e-4;
          const rsLayer = !ok1 && maxAbsDiff(y, loraForward64(x, layer.weight, layer.bias, layer.A, layer.B, 4 / Math.SQRT2)) < 1e-4;
          // Expected values first: a merge that writes into W (PEFT's way) is judged on what it returns.
          const [want, wantRs] = [merge64(layer.weight, layer.A, layer.B, 4, 2)!, merge64(layer.weight, layer.A, layer.B, 4, 2, 'scale-rslora')!];
          const merged = noGrad(() => m.merge(layer.weight, layer.A, layer.B, 4, 2));
          const ok2 = maxAbsDiff(merged, want) < 1e-4;
          const rsMerge = !ok2 && maxAbsDiff(merged, wantRs) < 1e-4;
          if ((rsLayer || ok1) && (rsMerge || ok2) && (rsLayer || rsMerge) && ok0) fail(...mistake(M['lesson-7-rslora']));
          if (!(ok0 && ok1 && ok2)) fail(...mistake(M['lesson-7']));
        } catch (e) {
          if (e instanceof Error && e.name === 'NotImplementedError') throw e;
          if (e instanceof Error && e.name === 'CheckFailure') throw e;
          const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
          fail(join([M['lesson-7'].message, t(`It throws: ${why}`, `它抛出了异常：${why}`)], '\n'), { hint: M['lesson-7'].hint });
        }
      },
    },
    {
      name: t('addLoRA wraps every chosen layer of every block, freezes the rest, and changes nothing at step 0', 'addLoRA 包装每个块中选定的每一层，冻结其余部分，且在第 0 步不改变任何输出'),
      task: 'addLoRA',
      run: (m, ctx) => {
        const gpt = new GPT(TINY, new Rng(5));
        const ids = Int32Array.from({ length: 16 }, () => Math.floor(ctx.random() * TINY.vocabSize));
        const before = logitsOf(gpt, ids, 8);
        const targets: Target[] = ['attn.q', 'attn.v', 'mlp.fc'];
        const adapters = callAdd(m, gpt, { r: 2, alpha: 4, targets, seed: 3 });
        expectWrapped(gpt, adapters, targets);
        const after = logitsOf(gpt, ids, 8);
        if (maxAbsDiff(after, before) > 1e-5) fail(...mistake(M['changed-at-step-0']));
        expectRank(adapters, 2);
        // Every adapter its own A: one generator for all (a generator made anew per layer or per block repeats its draws).
        const twins = sameA(adapters);
        if (twins) fail(join([M['shared-rng'].message, t(` (${twins[0]} and ${twins[1]})`, `（${twins[0]} 和 ${twins[1]}）`)], ''), { hint: M['shared-rng'].hint });
        // The same seed gives the same adapters: a run can be repeated.
        const again = callAdd(m, new GPT(TINY, new Rng(5)), { r: 2, alpha: 4, targets, seed: 3 });
        const same = [...adapters.keys()].every((k) => again.get(k) && maxAbsDiff(again.get(k)!.A, adapters.get(k)!.A) === 0);
        if (!same) fail(...mistake(M.unseeded));
        // And another seed gives other adapters: config.seed is used.
        const other = callAdd(m, new GPT(TINY, new Rng(5)), { r: 2, alpha: 4, targets, seed: 4 });
        const differs = [...adapters.keys()].some((k) => other.get(k) && maxAbsDiff(other.get(k)!.A, adapters.get(k)!.A) > 0);
        if (!differs) {
          fail(t('addLoRA with seed 3 and with seed 4 gave the same adapters: config.seed is not used, so runs meant to differ start identical.',
            'addLoRA 用种子 3 和种子 4 得到的适配器完全相同：config.seed 没有被用上，本应不同的实验会从完全相同的初始值开始。'),
          { hint: t('const rng = new Rng(config.seed) before the loops, then pass it to every new LoRALinear.', '在循环之前写 const rng = new Rng(config.seed)，再把它传给每个 new LoRALinear。') });
        }
      },
    },
    {
      name: t('mergeLoRA puts plain Linear layers back, with merged weights and the same outputs', 'mergeLoRA 放回普通的 Linear 层，权重是合并后的，输出不变'),
      task: 'mergeLoRA',
      run: (m, ctx) => {
        const gpt = new GPT(TINY, new Rng(6));
        // r = 4 here (2 in the addLoRA check), so a rank that ignores config.r shows.
        const adapters = callAdd(m, gpt, { r: 4, alpha: 8, targets: ALL, seed: 4 });
        expectRank(adapters, 4);
        for (const a of adapters.values()) a.B.data.set(normalTensor(ctx.random, a.B.shape, 0.3).data); // as if trained
        const ids = Int32Array.from({ length: 16 }, () => Math.floor(ctx.random() * TINY.vocabSize));
        const withAdapters = logitsOf(gpt, ids, 8);
        const expected = new Map([...adapters].map(([name, a]) => [name, merge64(a.weight, a.A, a.B, 8, 4)!]));
        m.mergeLoRA(gpt, adapters);
        for (const [name, w] of expected) {
          const layer = expectMerged(gpt, name);
          expectClose(layer.weight, w, { what: `${name}.weight`, rtol: 1e-4, atol: 1e-5,
            hint: t('W\' = W + (alpha / r) B A, from your merge of the LoRA lesson.', 'W\' = W + (alpha / r) B A，用你在 LoRA 一课写的 merge 计算。') });
        }
        expectClose(logitsOf(gpt, ids, 8), withAdapters, { what: 'model.forward(ids).logits', rtol: 1e-4, atol: 1e-4,
          hint: t('Merging must not change what the model computes.', '合并不能改变模型的计算结果。') });
      },
    },
    {
      name: t('fine-tune the bundled model on State of the Union addresses (live): the new domain\'s validation loss falls',
        '在国情咨文上微调内置模型（实时）：新领域的验证损失下降'),
      task: 'addLoRA',
      timeoutSeconds: 60,
      run: async (m, ctx) => {
        const { history: h, total, trainable, before, after } = await ctx.shared<FineTuned>('finetune');
        ctx.artifact({ kind: 'bars', title: t('Parameters: total vs trained by LoRA (r = 8 on every Linear of every block)', '参数量：总数与 LoRA 训练的部分（每个块的每个 Linear 上 r = 8）'),
          labels: [t('total (frozen)', '总数（冻结）'), t('trainable (A and B)', '可训练（A 和 B）')], values: [total, trainable] });
        const [val0, val1] = [h.val[0], h.val[h.val.length - 1]];
        const [moby0, moby1] = [h.moby[0], h.moby[h.moby.length - 1]];
        ctx.artifact({
          kind: 'table', title: t('Loss (nats per character), before and after', '损失（每字符 nat），微调前后'),
          columns: ['', t('before', '之前'), t('after', '之后'), t('change', '变化')],
          rows: [
            [t('State of the Union, held-out 1962 address', '国情咨文，留出的 1962 年演讲'), round4(val0), round4(val1), round4(val1 - val0)],
            [t('Moby-Dick, held-out text', '《白鲸记》，留出的文本'), round4(moby0), round4(moby1), round4(moby1 - moby0)],
            [t('trainable / total parameters', '可训练 / 总参数'), trainable, total, `${((100 * trainable) / total).toFixed(2)}%`],
            [t('training time (s), tokens per second', '训练时间（秒），每秒词元数'), round4(h.seconds), Math.round(h.tokensPerSecond), ''],
          ],
        });
        ctx.artifact({ kind: 'generation', title: t('Greedy continuations, before and after fine-tuning', '微调前后的贪心续写'), prompt: PROMPT,
          expected: { label: t('before: the pretrained model', '之前：预训练模型'), text: before },
          actual: { label: t('after: with your LoRA adapters', '之后：加上你的 LoRA 适配器'), text: after } });
        expectTrue(Number.isFinite(val1), t(`the validation loss is ${val1} after training: something diverged.`, `训练后的验证损失是 ${val1}：训练发散了。`));
        const [from, to] = [val0.toFixed(4), val1.toFixed(4)];
        expectTrue(val1 < val0 - 0.05,
          t(`the State of the Union validation loss went from ${from} to ${to}: it should fall by at least 0.05 nats.`, `国情咨文的验证损失从 ${from} 变为 ${to}：它应当至少下降 0.05 nat。`),
          t('Is the adapter\'s output scaled by alpha / r, and are A and B the tensors that train (model.parameters() after addLoRA)?',
            '适配器的输出乘了 alpha / r 吗？训练的张量是 A 和 B 吗（看 addLoRA 之后的 model.parameters()）？'));
      },
    },
    {
      name: t('merged and exported to ONNX, the fine-tuned model gives the LoRA model\'s logits in onnxruntime',
        '合并并导出为 ONNX 后，微调过的模型在 onnxruntime 中给出与 LoRA 模型相同的 logits'),
      task: 'mergeLoRA',
      timeoutSeconds: 90, // run alone, it trains first (the shared fine-tune), then exports
      run: async (m, ctx: CheckContext) => {
        const model = await shippedModel();
        // The last check to use the fine-tuned model: merging it in place is fine.
        const { gpt, adapters, corpus } = await ctx.shared<FineTuned>('finetune');
        const T = Math.min(64, gpt.config.blockSize);
        const ids = corpus.val.slice(0, 2 * T);
        const lora = logitsOf(gpt, ids, T); // (2, T, V) with the adapters in place
        m.mergeLoRA(gpt, adapters);
        for (const name of adapters.keys()) expectMerged(gpt, name);
        const bytes = exportGptToOnnx(gpt.config, weightsOf(gpt, model.weightNames), model.vocab, { fine_tuned_on: 'State of the Union addresses (LoRA, merged)' });
        const onnx = loadModelFromBytes(bytes, {}, 'merged.onnx');
        try {
          const { logits } = await onnx.run(ids, 2, T, ['logits']);
          const diff = maxAbsDiff(logits, lora);
          const base = (await model.run(ids, 2, T, ['logits'])).logits;
          const rows: (Text | string | number)[][] = [
            [t('ONNX file size (bytes)', 'ONNX 文件大小（字节）'), bytes.length],
            [t('max |logits(onnxruntime, merged) - logits(kit, LoRA)|', 'max |logits(onnxruntime，合并后) - logits(kit，LoRA)|'), diff.toExponential(2)],
            [t('max |logits(merged) - logits(pretrained)|: what fine-tuning changed', 'max |logits(合并后) - logits(预训练)|：微调带来的变化'), maxAbsDiff(logits, base).toFixed(4)],
          ];
          ctx.artifact({ kind: 'table', title: t('The merged model in onnxruntime', '在 onnxruntime 中运行合并后的模型'), columns: ['', t('value', '数值')], rows });
          expectClose(logits, lora, { what: 'onnx.run(ids).logits', rtol: 0, atol: 1e-4,
            hint: t('The merged weight is W + (alpha / r) B A; every other weight must be the model\'s own.', '合并后的权重是 W + (alpha / r) B A；其余权重都必须是模型原有的。') });
        } finally {
          await onnx.dispose();
        }
      },
    },
  ],
});
