/**
 * Checks for the serving lesson's export (serving/export): the learner's exportWithCache writes the GPT with a KV cache
 * into the graph builder the check hands it (src/course/apps/serving-export.ts); the check serialises it to ONNX
 * (opset 17), runs it with onnxruntime, and compares against a float64 reference of the same GPT (serveForward64):
 * the full forward pass for the logits, the reference's own cache for the presents. Tolerance 1e-4 (absolute plus
 * relative). The bundled model's graph is built and loaded once per run (`shared`).
 *
 * Which check names which catalogued mistake (lessons/15e-serving/mistakes.ts, EXPORT_MISTAKES):
 *   check                                         names
 *   exportWithCache: the graph declares ...       unknown-op (onnxruntime's own error text is shown as the detail), concat-wrong-axis
 *   empty past (P = 0) ...                        scale-by-C, concat-wrong-axis
 *   one token at a time ...                       no-position-offset, mask-not-offset, present-without-past, concat-wrong-axis
 *   batch 2, a chunk of 5 after a past of 7 ...   no-position-offset, mask-not-offset, present-without-past
 *   a second GPT (2 layers, 2 heads ...)          (the same names, on another config)
 * Named by matching the learner's outputs to the reference with that one mistake put in (serveForward64's variants),
 * or by the graph itself (a Concat reading a past_* input on an axis other than 2; a present whose length is T, not
 * P + T). Not catalogued, said in plain words: missing or mistyped inputs and outputs, a tensor read before it exists,
 * anything else onnxruntime refuses (its message as the detail), logits or presents that differ otherwise.
 */
import { type CheckContext, type Text, defineChecks, fail, join, t } from '@llm-lab/check';
import {
  SERVE_EXPORT_VARIANTS, type ServeCache64, type ServeConfig, type ServeExportMistake, type ServeGraphBuilder, type ServeSession,
  serveCacheNames, serveForward64, serveGraphBuilder, serveOrtDetail, serveSession,
} from '@llm-lab/course/apps';
import { type BundledModel, randomGptWeights, shippedModel } from '@llm-lab/model';
import { EXPORT_MISTAKES as M, type ExportMistake } from './mistakes';

type Learner = typeof import('./export');
type Ctx = CheckContext;

interface Built {
  config: ServeConfig;
  weight: (name: string) => Float32Array;
  builder?: ServeGraphBuilder;
  session?: ServeSession;
  /** Why there is no session: the whole failure, ready to throw. */
  failure?: { message: Text; hint?: Text };
  /** A TODO the learner has not written yet: rethrown as it is, so the runner says "not implemented yet". */
  todo?: unknown;
}

const isTodo = (e: unknown) => e instanceof Error && e.name === 'NotImplementedError';

const HINT = t('Follow the TODOs in order: inputs, positionsAndMask, attentionWithCache (Concat on axis 2, outputs present_key_i / present_value_i), then the blocks and logits.',
  '按 TODO 的顺序来：输入、positionsAndMask、attentionWithCache（在第 2 维上 Concat，输出 present_key_i / present_value_i），然后是各个块和 logits。');

const failWith = (key: ExportMistake, where: Text): never => fail(join([M[key].message, where], ''), { hint: M[key].hint });

/** Builds the learner's graph for `config`, checks its declarations and loads it into onnxruntime. */
async function build(m: Learner, config: ServeConfig, weight: (name: string) => Float32Array, ctx: Ctx): Promise<Built> {
  const g = serveGraphBuilder(config, ctx.locale);
  const where = t(` (config: nLayer ${config.nLayer}, nHead ${config.nHead}, nEmbd ${config.nEmbd}, vocabSize ${config.vocabSize})`,
    `（配置：nLayer ${config.nLayer}，nHead ${config.nHead}，nEmbd ${config.nEmbd}，vocabSize ${config.vocabSize}）`);
  try {
    m.exportWithCache(g as never, { ...config });
  } catch (e) {
    if (isTodo(e)) return { config, weight, todo: e };
    return { config, weight, failure: { message: join([t('exportWithCache threw: ', 'exportWithCache 抛出了异常：'), t(String((e as Error)?.message ?? e), String((e as Error)?.message ?? e)), where], '') } };
  }
  const names = serveCacheNames(config.nLayer);
  const declared = new Map(g.inputs.map((i) => [i.name, i]));
  const missingIn = names.inputs.find((n) => !declared.has(n));
  if (missingIn) {
    return { config, weight, failure: { message: join([t(`the graph has no input '${missingIn}': declare it with g.input('${missingIn}', ...)`, `图中没有输入 '${missingIn}'：用 g.input('${missingIn}', ...) 声明它`), where, t('.', '。')], ''), hint: HINT } };
  }
  const extra = g.inputs.find((i) => !names.inputs.includes(i.name));
  if (extra) {
    return { config, weight, failure: { message: join([t(`the graph declares an input '${extra.name}' the check cannot feed: the inputs are input_ids and past_key_i / past_value_i`, `图中声明了检查无法提供的输入 '${extra.name}'：输入只有 input_ids 和 past_key_i / past_value_i`), where, t('.', '。')], ''), hint: HINT } };
  }
  for (const inp of g.inputs) {
    const [type, rank] = inp.name === 'input_ids' ? ['int64', 2] : ['float', 4];
    if (inp.type !== type || inp.dims.length !== rank) {
      return { config, weight, failure: { message: join([t(`input '${inp.name}' is declared ${inp.type} with ${inp.dims.length} dims; it must be ${type} with ${rank} dims (${rank === 2 ? '(B, T)' : '(B, nh, P, hs)'})`, `输入 '${inp.name}' 声明为 ${inp.type}、${inp.dims.length} 维；应为 ${type}、${rank} 维（${rank === 2 ? '(B, T)' : '(B, nh, P, hs)'}）`), where, t('.', '。')], ''), hint: HINT } };
    }
  }
  const outs = new Set(g.outputs.map((o) => o.alias));
  const missingOut = names.outputs.find((n) => !outs.has(n));
  if (missingOut) {
    return { config, weight, failure: { message: join([t(`the graph has no output '${missingOut}': add g.output(tensor, '${missingOut}')`, `图中没有输出 '${missingOut}'：添加 g.output(tensor, '${missingOut}')`), where, t('.', '。')], ''), hint: HINT } };
  }
  const problems = g.problems();
  if (concatAxisWrong(g) && !problems.unknownOp) {
    // A Concat that reads past_key_i / past_value_i directly can only be right on axis 2 (or -2) of (B, nh, P, hs).
    return { config, weight, builder: g, failure: { message: join([M['concat-wrong-axis'].message, where], ''), hint: M['concat-wrong-axis'].hint } };
  }
  let bytes: Uint8Array;
  try {
    bytes = g.serialize(weight);
  } catch (e) {
    return { config, weight, failure: { message: join([t('the graph could not be serialised to ONNX: ', '图无法序列化为 ONNX：'), t(String((e as Error).message), String((e as Error).message)), where], '') } };
  }
  try {
    return { config, weight, builder: g, session: await serveSession(bytes, config) };
  } catch (e) {
    const detail = serveOrtDetail(e);
    const said = t(`\nonnxruntime says: ${detail}`, `\nonnxruntime 的报错：${detail}`);
    if (problems.unknownOp) return { config, weight, failure: { message: join([M['unknown-op'].message, t(` (op type '${problems.unknownOp}')`, `（算子类型 '${problems.unknownOp}'）`), where, said], ''), hint: M['unknown-op'].hint } };
    if (concatAxisWrong(g)) return { config, weight, failure: { message: join([M['concat-wrong-axis'].message, where, said], ''), hint: M['concat-wrong-axis'].hint } };
    if (problems.missing) {
      const { op, input } = problems.missing;
      return { config, weight, failure: { message: join([t(`onnxruntime could not load your graph: a ${op} node reads '${input}', which no input, weight, constant or earlier node made`, `onnxruntime 无法加载你的图：一个 ${op} 节点读取了 '${input}'，但没有任何输入、权重、常量或之前的节点产生它`), where, said], ''), hint: t('Pass the names the builder returned (g.op(...) returns its output\'s name).', '传入构建器返回的名字（g.op(...) 返回它的输出名）。') } };
    }
    return { config, weight, failure: { message: join([t('onnxruntime could not load your graph', 'onnxruntime 无法加载你的图'), where, said], ''), hint: HINT } };
  }
}

async function bundled(m: Learner, ctx: Ctx): Promise<Built> {
  const model: BundledModel = await shippedModel();
  const weights = model.weights();
  return build(m, model.config, (name) => weights.get(name)!.data, ctx);
}

const SMALL: ServeConfig = { vocabSize: 30, blockSize: 32, nLayer: 2, nHead: 2, nEmbd: 24 };

async function small(m: Learner, ctx: Ctx): Promise<Built> {
  const values = randomGptWeights(SMALL, { seed: 17, scale: 0.5 });
  return build(m, SMALL, (name) => values.get(name)!, ctx);
}

function ready(b: Built): ServeSession {
  if (b.todo) throw b.todo;
  if (!b.session) fail(b.failure!.message, { hint: b.failure!.hint });
  return b.session!;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-4 * (1 + Math.abs(b));

/** Element k of a flat (B, T, V) array where got and want differ, or -1. */
function firstDiff(got: ArrayLike<number>, want: ArrayLike<number>, tol = close): number {
  if (got.length !== want.length) return 0;
  for (let k = 0; k < want.length; k++) if (!tol(got[k], want[k])) return k;
  return -1;
}

/** A Concat node that reads a past_* input on an axis other than 2 (or -2): the graph itself says concat-wrong-axis. */
function concatAxisWrong(g: ServeGraphBuilder | undefined): boolean {
  return !!g?.nodes.some((n) => n.opType === 'Concat' && n.input!.some((i) => i.startsWith('past_')) &&
    !n.attribute!.some((a) => a.name === 'axis' && (Number(a.i) === 2 || Number(a.i) === -2)));
}

/** A past_* input that no node reads except Shape: the past never reaches the attention (present-without-past). */
function pastIgnored(g: ServeGraphBuilder | undefined): boolean {
  return !!g && g.inputs.some((i) => i.name.startsWith('past_') && !g.nodes.some((n) => n.opType !== 'Shape' && n.input!.includes(i.name)));
}

/** The rows of ids between t0 and t1, for every batch row. */
const cut = (ids: number[][], t0: number, t1: number) => ids.map((row) => row.slice(t0, t1));

export interface ChainRow { step: number; P: number; T: number; logits: number; present: number }

/**
 * Runs the learner's graph over `ids` in chunks (sizes `chunks`), feeding its presents back, and compares every
 * chunk's logits with the full forward pass and its presents with the reference cache. Names a catalogued mistake
 * when a variant of the reference reproduces the learner's outputs. Returns the per-step maximum differences.
 */
async function chain(b: Built, ids: number[][], chunks: number[], label: Text): Promise<ChainRow[]> {
  const session = ready(b);
  const { config, weight } = b;
  const { vocabSize: V, nHead: nh, nEmbd: C, nLayer } = config;
  const hs = C / nh;
  const B = ids.length;
  const full = serveForward64(weight, config, ids, null).logits; // (B, total, V)
  const total = ids[0].length;
  let ref: ServeCache64 | null = null;
  let past: { keys: Float32Array[]; values: Float32Array[]; P: number } | null = null;
  const rows: ChainRow[] = [];
  let t0 = 0;
  for (let c = 0; c < chunks.length; c++) {
    const T = chunks[c];
    const P = t0;
    const chunk = cut(ids, t0, t0 + T);
    const where = join([label, t(`, step ${c + 1} of ${chunks.length}: B = ${B}, T = ${T} new token(s) after a past of P = ${P}`, `，第 ${c + 1} 步（共 ${chunks.length} 步）：B = ${B}，在 P = ${P} 个过去 token 之后输入 T = ${T} 个新 token`)], '');
    let out;
    try {
      out = await session.run(chunk, past);
    } catch (e) {
      const said = t(`\nonnxruntime says: ${serveOrtDetail(e)}`, `\nonnxruntime 的报错：${serveOrtDetail(e)}`);
      if (concatAxisWrong(b.builder)) failWith('concat-wrong-axis', join([t(' (', '（'), where, t(')', '）'), said], ''));
      if (P > 0 && pastIgnored(b.builder)) failWith('present-without-past', join([t(' (', '（'), where, t(')', '）'), said], ''));
      fail(join([t('onnxruntime could not run your graph (', 'onnxruntime 无法运行你的图（'), where, t(')', '）'), said], ''), { hint: HINT });
    }
    const expectDims = [B, T, V];
    if (out.logitsDims.join() !== expectDims.join()) {
      fail(join([t(`logits has shape (${out.logitsDims.join(', ')}); expected (${expectDims.join(', ')}) = (B, T, V) (`, `logits 的形状是 (${out.logitsDims.join(', ')})；应为 (${expectDims.join(', ')}) = (B, T, V)（`), where, t(').', '）。')], ''), { hint: HINT });
    }
    const nextRef: { logits: Float64Array; cache: ServeCache64 } = serveForward64(weight, config, chunk, ref);
    for (let i = 0; i < nLayer; i++) {
      for (const [kind, got] of [['key', out.presentKeys[i]], ['value', out.presentValues[i]]] as const) {
        const want = [B, nh, P + T, hs];
        if (got.dims.join() !== want.join()) {
          if (P > 0 && got.dims.length === 4 && got.dims[2] === T) failWith('present-without-past', join([t(` (present_${kind}_${i} has shape (${got.dims.join(', ')}), expected (${want.join(', ')}); `, `（present_${kind}_${i} 的形状为 (${got.dims.join(', ')})，应为 (${want.join(', ')})；`), where, t(').', '）。')], ''));
          if (concatAxisWrong(b.builder)) failWith('concat-wrong-axis', join([t(` (present_${kind}_${i} has shape (${got.dims.join(', ')}), expected (${want.join(', ')}); `, `（present_${kind}_${i} 的形状为 (${got.dims.join(', ')})，应为 (${want.join(', ')})；`), where, t(').', '）。')], ''));
          fail(join([t(`present_${kind}_${i} has shape (${got.dims.join(', ')}); expected (${want.join(', ')}) = (B, nh, P + T, hs) (`, `present_${kind}_${i} 的形状是 (${got.dims.join(', ')})；应为 (${want.join(', ')}) = (B, nh, P + T, hs)（`), where, t(').', '）。')], ''), { hint: HINT });
        }
      }
    }
    // logits against the full forward pass, positions t0 .. t0 + T - 1 of every row
    const want = new Float64Array(B * T * V);
    for (let bb = 0; bb < B; bb++) want.set(full.subarray((bb * total + t0) * V, (bb * total + t0 + T) * V), bb * T * V);
    const k = firstDiff(out.logits, want);
    if (k >= 0) {
      const named = diagnose(b, ids, chunks, c, out.logits);
      const [bb, tt, v] = [Math.floor(k / (T * V)), Math.floor(k / V) % T, k % V];
      const detail = join([t(` (`, `（`), where, t(`: logits[${bb}][${tt}][${v}] is ${out.logits[k].toFixed(5)}, the full forward pass gives ${want[k].toFixed(5)}).`,
        `：logits[${bb}][${tt}][${v}] 为 ${out.logits[k].toFixed(5)}，完整前向传播给出 ${want[k].toFixed(5)}）。`)], '');
      if (named) failWith(named, detail);
      fail(join([t('the logits differ from the full forward pass', 'logits 与完整前向传播的结果不同'), detail], ''), { hint: HINT });
    }
    let presentDiff = 0;
    for (let i = 0; i < nLayer; i++) {
      for (const [kind, got, wantP] of [['key', out.presentKeys[i], nextRef.cache.keys[i]], ['value', out.presentValues[i], nextRef.cache.values[i]]] as const) {
        const kk = firstDiff(got.data, wantP);
        if (kk >= 0) {
          if (concatAxisWrong(b.builder)) failWith('concat-wrong-axis', join([t(' (', '（'), where, t(')', '）')], ''));
          fail(join([t(`present_${kind}_${i} differs from the reference cache at element ${kk}: ${got.data[kk].toFixed(5)}, expected ${wantP[kk].toFixed(5)} (`, `present_${kind}_${i} 在第 ${kk} 个元素处与参考缓存不同：${got.data[kk].toFixed(5)}，应为 ${wantP[kk].toFixed(5)}（`), where, t('). The present is the past followed by the new tokens\' keys (values), split into heads: (B, nh, P + T, hs).', '）。present 是过去的键（值）后接新 token 的键（值），按头拆分：(B, nh, P + T, hs)。')], ''), { hint: HINT });
        }
        for (let j = 0; j < wantP.length; j++) presentDiff = Math.max(presentDiff, Math.abs(got.data[j] - wantP[j]));
      }
    }
    let logitDiff = 0;
    for (let j = 0; j < want.length; j++) logitDiff = Math.max(logitDiff, Math.abs(out.logits[j] - want[j]));
    rows.push({ step: c + 1, P, T, logits: logitDiff, present: presentDiff });
    past = { P: P + T, keys: out.presentKeys.map((p) => p.data), values: out.presentValues.map((p) => p.data) };
    ref = nextRef.cache;
    t0 += T;
  }
  return rows;
}

/** Which catalogued variant of the reference, run through the same chunks, gives the learner's logits at chunk c. */
function diagnose(b: Built, ids: number[][], chunks: number[], c: number, got: Float32Array): ServeExportMistake | undefined {
  const t0c = chunks.slice(0, c).reduce((x, y) => x + y, 0);
  const correct = serveForward64(b.weight, b.config, cut(ids, 0, t0c + chunks[c]), null).logits;
  const V = b.config.vocabSize;
  const T = chunks[c];
  const total = t0c + T;
  const right = new Float64Array(ids.length * T * V);
  for (let bb = 0; bb < ids.length; bb++) right.set(correct.subarray((bb * total + t0c) * V, (bb * total + total) * V), bb * T * V);
  for (const mistake of SERVE_EXPORT_VARIANTS) {
    let cache: ServeCache64 | null = null;
    let t0 = 0;
    let logits: Float64Array | undefined;
    for (let j = 0; j <= c; j++) {
      const r = serveForward64(b.weight, b.config, cut(ids, t0, t0 + chunks[j]), cache, mistake);
      cache = r.cache;
      logits = r.logits;
      t0 += chunks[j];
    }
    // The variant must differ from the right answer here (else it says nothing) and reproduce the learner's logits.
    if (logits && firstDiff(logits, right) >= 0 && firstDiff(got, logits) < 0) return mistake;
  }
  return undefined;
}

function idsOf(text: string, model: { encode(s: string): ArrayLike<number> }): number[] {
  return Array.from(model.encode(text));
}

const round = (x: number) => x.toExponential(1);

export default defineChecks<Learner>({
  exports: ['exportWithCache'],
  shared: { bundled, small },
  checks: [
    {
      name: t('exportWithCache: the graph declares input_ids, past_key_i/past_value_i, logits and present_key_i/present_value_i, and onnxruntime loads it',
        'exportWithCache：图声明了 input_ids、past_key_i/past_value_i、logits 和 present_key_i/present_value_i，并且 onnxruntime 能加载它'),
      task: 'exportWithCache',
      run: async (_m, ctx) => {
        const b = await ctx.shared<Built>('bundled');
        ready(b);
        ctx.artifact({ kind: 'table', title: t('Your graph', '你的图'), columns: [t('what', '项目'), t('value', '值')], rows: [
          [t('nodes', '节点数'), b.builder!.nodes.length],
          [t('weights (initializers)', '权重（initializer）'), b.builder!.usedWeights.size],
          [t('inputs', '输入'), b.builder!.inputs.map((i) => `${i.name} ${i.type} (${i.dims.join(', ')})`).slice(0, 3).join('; ') + ' …'],
          [t('op types', '算子类型'), [...new Set(b.builder!.nodes.map((n) => n.opType))].sort().join(', ')],
        ] });
      },
    },
    {
      name: t('empty past (P = 0): a 12-token prompt gives the full forward pass\'s logits and its keys and values as presents (1e-4)',
        '空的过去（P = 0）：12 个 token 的提示词给出与完整前向传播相同的 logits，present 是它的键和值（1e-4）'),
      task: 'exportWithCache',
      run: async (_m, ctx) => {
        const b = await ctx.shared<Built>('bundled');
        const model = await shippedModel();
        const ids = [idsOf('Call me Ishm', model.tokenizer)];
        await chain(b, ids, [12], t('one prompt', '一个提示词'));
      },
    },
    {
      name: t('one token at a time: a 9-token prompt, then 8 steps of 1 token with the presents fed back, each equal to the full forward pass (1e-4)',
        '一次一个 token：9 个 token 的提示词，然后 8 步每步 1 个 token，把 present 送回，每一步都与完整前向传播一致（1e-4）'),
      task: 'exportWithCache',
      run: async (_m, ctx) => {
        const b = await ctx.shared<Built>('bundled');
        const model = await shippedModel();
        const ids = [idsOf('Some years ago, n', model.tokenizer)];
        const rows = await chain(b, ids, [9, 1, 1, 1, 1, 1, 1, 1, 1], t('one sequence', '一个序列'));
        ctx.artifact({ kind: 'table', title: t('Cached steps against the full forward pass (float64)', '带缓存的各步与完整前向传播（float64）的对比'),
          columns: [t('step', '步'), t('past P', '过去 P'), t('new T', '新 T'), t('max |Δ logits|', '最大 |Δ logits|'), t('max |Δ present|', '最大 |Δ present|')],
          rows: rows.map((r) => [r.step, r.P, r.T, round(r.logits), round(r.present)]) });
      },
    },
    {
      name: t('batch 2, a chunk of 5 after a past of 7: wpe rows P..P+T-1 and the causal mask offset by P', '批次 2，在 7 个过去 token 之后输入 5 个：wpe 取第 P..P+T-1 行，因果掩码按 P 偏移'),
      task: 'exportWithCache',
      run: async (_m, ctx) => {
        const b = await ctx.shared<Built>('bundled');
        const model = await shippedModel();
        const ids = [idsOf('It was the Pequod.', model.tokenizer), idsOf('There she blows! ', model.tokenizer)].map((r) => r.slice(0, 15));
        await chain(b, ids, [7, 5, 2, 1], t('two sequences', '两个序列'));
      },
    },
    {
      name: t('a second GPT (2 layers, 2 heads, C = 24, random weights): batch 3 in chunks of 4, 3, 1 (1e-4)', '另一个 GPT（2 层，2 个头，C = 24，随机权重）：批次 3，分 4、3、1 块输入（1e-4）'),
      task: 'exportWithCache',
      run: async (_m, ctx) => {
        const b = await ctx.shared<Built>('small');
        const ids = Array.from({ length: 3 }, () => Array.from({ length: 8 }, () => Math.floor(ctx.random() * SMALL.vocabSize)));
        await chain(b, ids, [4, 3, 1], t('random model', '随机模型'));
      },
    },
  ],
});
