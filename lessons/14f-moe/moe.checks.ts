/**
 * Checks for the mixture-of-experts lesson (moe/moe): top-k routing, expert capacity and dispatch in token order, the
 * Switch Transformer load-balancing loss, and an MoE MLP cut from the bundled model's MLP (d 128).
 *
 * Expected values come from the course (@llm-lab/course/scale): float64 references (moeRouteRef, moeCapacityRef,
 * moeDispatchRef, moeAuxRef, moeBlockRef) computed on COPIES of the inputs taken before the learner's call.
 *
 * Which check names which catalogued mistake (lessons/14f-moe/mistakes.ts):
 *   check                                              names
 *   route: hand-worked logits ...                      no-renormalize, double-renormalize
 *   route: seeded logits ...                           no-renormalize, double-renormalize
 *   expertCapacity and dispatch ...                    no-capacity, rank-priority (convention: GShard)
 *   loadBalancingLoss ...                              aux-swapped, aux-no-n, aux-hf-k (convention: Hugging Face)
 *   moeBlock ...                                       drop-zero, no-gates, no-capacity
 * Accepted as well: experts and gates as any array-likes of numbers (Int32Array, Float32Array rows), gates computed in
 * float32 or float64 (to 1e-6), routing by a softmax over the k chosen logits (Mixtral's form: the same numbers).
 * Not catalogued, said in plain words: wrong experts (order, ties), renormalize: false ignored, a capacity rounded down,
 * missing throws, mutated inputs, a loss with no gradient, other wrong outputs.
 */
import { type Text, defineChecks, expectThrows, expectTrue, fail, join, t } from '@llm-lab/check';
import {
  type MoeExpertData, moeAuxRef, moeBlockRef, moeCapacityRef, moeDispatchRef, moeExpertsFromModel, moeFractions, moeMlpInput,
  moeRouteRef, moeSoftmax64,
} from '@llm-lab/course/scale';
import { lessonModel } from '@llm-lab/course/decoding';
import { Rng, type Tensor, tensor } from '@llm-lab/kit';
import { MOE_MISTAKES as M, type MoeMistake } from './mistakes';

type Learner = typeof import('./moe');

const failWith = (key: MoeMistake, where: Text): never => fail(join([M[key].message, where], ''), { hint: M[key].hint, convention: M[key].convention });
const rows = (x: unknown): number[][] | undefined =>
  (Array.isArray(x) && x.every((r) => r && typeof (r as ArrayLike<number>).length === 'number') ? x.map((r) => Array.from(r as ArrayLike<number>, Number)) : undefined);
const close = (a: number[][], b: number[][], tol: number) => a.length === b.length && a.every((r, i) => r.length === b[i].length && r.every((v, j) => Math.abs(v - b[i][j]) <= tol));
const show = (r: number[]) => `[${r.map((v) => (Number.isInteger(v) ? v : v.toFixed(6))).join(', ')}]`;

const ROUTE_HINT = t('probs = softmax(logits, -1); per token, sort the expert indices by probability, highest first (ties: lower index first), keep k; gates = p / (sum of the k) when renormalize is not false, else p.',
  'probs = softmax(logits, -1)；对每个词元，把专家下标按概率从大到小排序（概率相同时下标小的在前），保留 k 个；renormalize 不为 false 时 gates = p /（这 k 个之和），否则 gates = p。');

/** The learner's routing of (T, E) logits, compared with the reference; a wrong normalisation named. */
function expectRouting(m: Learner, logits: number[], T: number, E: number, k: number, renormalize: boolean | undefined, where: Text): void {
  const input = tensor(Float32Array.from(logits), [T, E]);
  const got = (renormalize === undefined ? m.route(input, k) : m.route(input, k, { renormalize })) as unknown as { experts?: unknown; gates?: unknown };
  if (input.data.some((v, i) => v !== Math.fround(logits[i]))) fail(join([t('route changed the logits it was given', 'route 修改了传给它的 logits'), where, t('.', '。')], ''));
  const [experts, gates] = [rows(got?.experts), rows(got?.gates)];
  if (!experts || !gates || experts.length !== T || gates.length !== T || experts.some((r) => r.length !== k) || gates.some((r) => r.length !== k)) {
    fail(join([t(`route must return { experts, gates }: T = ${T} rows of k = ${k} numbers each`, `route 必须返回 { experts, gates }：T = ${T} 行，每行 k = ${k} 个数`), where, t('.', '。')], ''), { hint: ROUTE_HINT });
  }
  const ref = moeRouteRef(logits.map(Math.fround), T, E, k, renormalize ?? true);
  const t0 = experts!.findIndex((r, i) => r.some((e, j) => e !== ref.experts[i][j]));
  if (t0 >= 0) {
    fail(join([t(`route: token ${t0} went to experts ${show(experts![t0])}; expected ${show(ref.experts[t0])} (probabilities ${show(ref.probs[t0])}: the k largest, highest first, ties to the lower index)`,
      `route：词元 ${t0} 被送往专家 ${show(experts![t0])}；应为 ${show(ref.experts[t0])}（概率为 ${show(ref.probs[t0])}：取最大的 k 个，从大到小，相同时下标小的在前）`), where, t('.', '。')], ''), { hint: ROUTE_HINT });
  }
  if (close(gates!, ref.gates, 1e-6)) return;
  const raw = ref.experts.map((r, i) => r.map((e) => ref.probs[i][e]));
  const renorm = raw.map((r) => { const s = r.reduce((a, b) => a + b, 0); return r.map((p) => p / s); });
  const twice = [renorm, raw].map((g) => g.map((r) => moeSoftmax64(r)));
  if ((renormalize ?? true) && close(gates!, raw, 1e-6)) failWith('no-renormalize', where);
  if (k > 1 && twice.some((g) => close(gates!, g, 1e-6))) failWith('double-renormalize', where);
  const i = gates!.findIndex((r, a) => r.some((v, j) => Math.abs(v - ref.gates[a][j]) > 1e-6));
  fail(join([t(`route: the gates of token ${i} are ${show(gates![i])}; expected ${show(ref.gates[i])}`, `route：词元 ${i} 的门控权重是 ${show(gates![i])}；应为 ${show(ref.gates[i])}`),
    t(` (renormalize ${String(renormalize ?? true)})`, `（renormalize 为 ${String(renormalize ?? true)}）`), where, t('.', '。')], ''), { hint: ROUTE_HINT });
}

/** (T, E) logits with no near-ties: a random permutation of the experts spaced 0.37 apart, plus noise below half the spacing. */
function seededLogits(random: () => number, T: number, E: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < T; t++) {
    const perm = Array.from({ length: E }, (_, e) => e);
    for (let i = E - 1; i > 0; i--) { const j = Math.floor(random() * (i + 1)); [perm[i], perm[j]] = [perm[j], perm[i]]; }
    for (let e = 0; e < E; e++) out.push(perm[e] * 0.37 + (random() - 0.5) * 0.3 - 1);
  }
  return out;
}

/** kept as GShard fills it: all rank-0 choices in token order, then all rank-1 choices, ... */
function gshardDispatch(experts: number[][], E: number, capacity: number): boolean[][] {
  const load = new Array<number>(E).fill(0);
  const kept = experts.map((r) => r.map(() => false));
  for (let j = 0; j < (experts[0]?.length ?? 0); j++) experts.forEach((r, t) => { if (load[r[j]] < capacity) { load[r[j]]++; kept[t][j] = true; } });
  return kept;
}

const DISPATCH_HINT = t('load = new Array(numExperts).fill(0); for each token t in order, for each j: kept[t][j] = load[e] < capacity, and load[e]++ when kept.',
  'load = new Array(numExperts).fill(0)；按顺序对每个词元 t、每个 j：kept[t][j] = load[e] < capacity，保留时 load[e]++。');

function expectDispatch(m: Learner, experts: number[][], E: number, capacity: number, where: Text): void {
  const copy = experts.map((r) => [...r]);
  const got = m.dispatch(copy, E, capacity) as unknown;
  if (copy.some((r, i) => r.some((e, j) => e !== experts[i][j]))) fail(t('dispatch changed the experts it was given.', 'dispatch 修改了传给它的 experts。'));
  const want = moeDispatchRef(experts, E, capacity);
  const kept = Array.isArray(got) ? got.map((r) => (Array.isArray(r) ? r.map(Boolean) : [])) : undefined;
  if (!kept || kept.length !== experts.length || kept.some((r, i) => r.length !== experts[i].length)) {
    fail(join([t('dispatch must return kept: one row of booleans per token, as long as its row of experts', 'dispatch 必须返回 kept：每个词元一行布尔值，长度与它的 experts 行相同'), where, t('.', '。')], ''), { hint: DISPATCH_HINT });
  }
  if (kept!.every((r, i) => r.every((v, j) => v === want[i][j]))) return;
  const load = new Array<number>(E).fill(0);
  kept!.forEach((r, i) => r.forEach((v, j) => { if (v) load[experts[i][j]]++; }));
  const over = load.findIndex((n) => n > capacity);
  if (over >= 0) failWith('no-capacity', join([where, t(`: expert ${over} kept ${load[over]} assignments, capacity ${capacity}.`, `：专家 ${over} 保留了 ${load[over]} 个分配，容量为 ${capacity}。`)], ''));
  const gshard = gshardDispatch(experts, E, capacity);
  if (kept!.every((r, i) => r.every((v, j) => v === gshard[i][j]))) failWith('rank-priority', where);
  const i = kept!.findIndex((r, a) => r.some((v, j) => v !== want[a][j]));
  fail(join([t(`dispatch: token ${i} (experts ${show(experts[i])}) got kept ${JSON.stringify(kept![i])}; expected ${JSON.stringify(want[i])}`,
    `dispatch：词元 ${i}（专家 ${show(experts[i])}）得到 kept ${JSON.stringify(kept![i])}；应为 ${JSON.stringify(want[i])}`), where, t('.', '。')], ''), { hint: DISPATCH_HINT });
}

const AUX_HINT = t('f_i = (choices of expert i) / (T · k), a constant; P = mul(sum(probs, 0), 1 / T), a Tensor; loss = mul(sum(mul(P, tensor(f))), N).',
  'f_i =（专家 i 被选中的次数）/ (T · k)，是常数；P = mul(sum(probs, 0), 1 / T)，是 Tensor；loss = mul(sum(mul(P, tensor(f))), N)。');

/** The learner's aux loss (value and gradient) on probs, against the float64 reference. */
function expectAux(m: Learner, probs: number[][], experts: number[][], where: Text): void {
  const [T, N] = [probs.length, probs[0].length];
  const input = tensor(Float32Array.from(probs.flat()), [T, N], { requiresGrad: true });
  const ref = moeAuxRef(probs.map((r) => r.map(Math.fround)), experts);
  const loss = m.loadBalancingLoss(input, experts.map((r) => [...r])) as unknown as Tensor;
  if (!loss || typeof loss !== 'object' || !('data' in loss) || loss.data.length !== 1) {
    fail(join([t('loadBalancingLoss must return a scalar Tensor', 'loadBalancingLoss 必须返回一个标量 Tensor'), where, t('.', '。')], ''), { hint: AUX_HINT });
  }
  const v = loss.data[0];
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));
  if (!near(v, ref.loss)) {
    const k = experts[0].length;
    const { f, P } = moeFractions(probs, experts, N);
    if (k > 1 && near(v, k * ref.loss)) failWith('aux-hf-k', join([where, t(`: got ${v.toFixed(6)}, expected ${ref.loss.toFixed(6)} (k = ${k}).`, `：得到 ${v.toFixed(6)}，应为 ${ref.loss.toFixed(6)}（k = ${k}）。`)], ''));
    if (near(v, ref.loss / N)) failWith('aux-no-n', join([where, t(`: got ${v.toFixed(6)}, expected ${ref.loss.toFixed(6)}.`, `：得到 ${v.toFixed(6)}，应为 ${ref.loss.toFixed(6)}。`)], ''));
    const sq = (a: number[]) => N * a.reduce((s, x) => s + x * x, 0);
    if (near(v, sq(f)) || near(v, sq(P))) failWith('aux-swapped', join([where, t(`: got ${v.toFixed(6)}, expected ${ref.loss.toFixed(6)}.`, `：得到 ${v.toFixed(6)}，应为 ${ref.loss.toFixed(6)}。`)], ''));
    fail(join([t(`loadBalancingLoss gave ${v.toFixed(6)}; expected N · Σ f_i · P_i = ${ref.loss.toFixed(6)}`, `loadBalancingLoss 得到 ${v.toFixed(6)}；应为 N · Σ f_i · P_i = ${ref.loss.toFixed(6)}`), where, t('.', '。')], ''), { hint: AUX_HINT });
  }
  if (!(loss as Tensor).requiresGrad) {
    failWith('aux-swapped', join([where, t(': the loss has no gradient at all (it was built from counts only).', '：这个损失完全没有梯度（只由计数构成）。')], ''));
  }
  (loss as Tensor).backward();
  const g = input.grad;
  const i = g ? ref.grad.flat().findIndex((w, a) => Math.abs(g[a] - w) > 1e-6 + 1e-5 * Math.abs(w)) : 0;
  if (g && i >= 0) {
    const { P } = moeFractions(probs, experts, N);
    const squared = ref.grad.flat().every((_, a) => Math.abs(g[a] - (2 * N * P[a % N]) / T) <= 1e-6 + 1e-5 * Math.abs((2 * N * P[a % N]) / T));
    if (squared) failWith('aux-swapped', join([where, t(': its gradient is 2 · N · P_i / T, the gradient of N · Σ P_i².', '：它的梯度是 2 · N · P_i / T，即 N · Σ P_i² 的梯度。')], ''));
  }
  if (!g || i >= 0) {
    const [row, col] = [Math.floor(i / N), i % N];
    fail(join([t(`d loss / d probs[${row}][${col}] is ${g ? g[i].toExponential(4) : 'missing'}; expected N · f_${col} / T = ${ref.grad[row][col].toExponential(4)} (f is a count, only P carries a gradient)`,
      `d loss / d probs[${row}][${col}] 为 ${g ? g[i].toExponential(4) : '缺失'}；应为 N · f_${col} / T = ${ref.grad[row][col].toExponential(4)}（f 是计数，只有 P 带梯度）`), where, t('.', '。')], ''), { hint: AUX_HINT });
  }
}

const BLOCK_HINT = t('logits = linear(x, routerWeight); routing = route(logits, k, { renormalize }); kept = dispatch(routing.experts, E, expertCapacity(T, E, k, capacityFactor)); y = a copy of x, then y_t += gate · expert(x_t) for every kept assignment.',
  'logits = linear(x, routerWeight)；routing = route(logits, k, { renormalize })；kept = dispatch(routing.experts, E, expertCapacity(T, E, k, capacityFactor))；y 先复制 x，再对每个保留下来的分配做 y_t += gate · expert(x_t)。');

const TEXT = 'Call me Ishmael. Some years ago, never mind how long precisely, having';

export default defineChecks<Learner>({
  exports: ['route', 'expertCapacity', 'dispatch', 'loadBalancingLoss', 'moeBlock'],
  checks: [
    {
      name: t('route: hand-worked logits, top-1 and top-2, ties to the lower index, renormalised or not', 'route：手算的 logits，top-1 与 top-2，相同时取下标小的，重新归一化与否'),
      task: 'route',
      run: (m) => {
        // Row 0: [2, 1, 0, -1]: p = e^l / Σ; top-2 experts 0, 1 with gates e / (e + 1) = 0.731059 and 1 / (e + 1) = 0.268941.
        // Row 1: [1, 3, 3, 0]: a tie between experts 1 and 2 -> [1, 2], gates 0.5, 0.5.
        const logits = [2, 1, 0, -1, 1, 3, 3, 0];
        const where = t(' (logits [[2, 1, 0, -1], [1, 3, 3, 0]])', '（logits [[2, 1, 0, -1], [1, 3, 3, 0]]）');
        expectRouting(m, logits, 2, 4, 2, undefined, where);
        expectRouting(m, logits, 2, 4, 2, true, where);
        expectRouting(m, logits, 2, 4, 2, false, where);
        expectRouting(m, logits, 2, 4, 1, true, where); //  top-1 renormalised: every gate is 1
        expectRouting(m, logits, 2, 4, 1, false, where); // Switch: the gate is the probability itself
        expectRouting(m, logits, 2, 4, 4, true, where);
        for (const k of [0, 5, 1.5]) {
          expectThrows(() => m.route(tensor(logits, [2, 4]), k), `route(logits (2, 4), ${k})`, t('k must be an integer in 1 .. E: throw new Error(...) otherwise.', 'k 必须是 1 .. E 之间的整数：否则 throw new Error(...)。'));
        }
      },
    },
    {
      name: t('route: seeded logits against a float64 reference, k = 1, 2, 3, 8 and 4 experts', 'route：带种子的 logits 与 float64 参考比较，k = 1、2、3，8 个和 4 个专家'),
      task: 'route',
      run: (m, ctx) => {
        for (const [T, E] of [[16, 8], [12, 4]]) {
          const logits = seededLogits(() => ctx.random(), T, E);
          for (const k of [1, 2, 3]) for (const renormalize of [true, false]) {
            expectRouting(m, logits, T, E, k, renormalize, t(` (seeded logits (${T}, ${E}), k = ${k})`, `（带种子的 logits (${T}, ${E})，k = ${k}）`));
          }
        }
      },
    },
    {
      name: t('expertCapacity and dispatch: ceil(k·T/E·factor), overflow dropped in token order', 'expertCapacity 与 dispatch：ceil(k·T/E·factor)，溢出的分配按词元顺序丢弃'),
      task: 'dispatch',
      run: (m, ctx) => {
        for (const [T, E, k, cf] of [[10, 4, 2, 1.25], [8, 4, 1, 1], [10, 4, 1, 1], [6, 4, 1, 1.5], [3, 8, 1, 1], [12, 8, 2, 1], [64, 8, 2, 2]]) {
          const got = m.expertCapacity(T, E, k, cf);
          const want = moeCapacityRef(T, E, k, cf);
          expectTrue(got === want, t(`expertCapacity(${T}, ${E}, ${k}, ${cf}) is ${String(got)}; expected ceil(${k} · ${T} / ${E} · ${cf}) = ${want}.`, `expertCapacity(${T}, ${E}, ${k}, ${cf}) 为 ${String(got)}；应为 ceil(${k} · ${T} / ${E} · ${cf}) = ${want}。`),
            t('Math.ceil(k * tokens * capacityFactor / experts): round UP, so that an expert can take its fair share times the factor.', 'Math.ceil(k * tokens * capacityFactor / experts)：向上取整，使每个专家能接收平均份额乘以容量因子。'));
        }
        // Hand-worked: capacity 2. Expert 0 fills with tokens 0 and 1; token 3 loses both its choices (it passes through).
        const hand = [[0, 1], [0, 2], [0, 1], [1, 0], [0, 3], [2, 1]];
        expectDispatch(m, hand, 4, 2, t(' (experts [[0, 1], [0, 2], [0, 1], [1, 0], [0, 3], [2, 1]], capacity 2: expected kept [[T, T], [T, T], [F, T], [F, F], [F, T], [T, F]])',
          '（experts [[0, 1], [0, 2], [0, 1], [1, 0], [0, 3], [2, 1]]，容量 2：应得 kept [[T, T], [T, T], [F, T], [F, F], [F, T], [T, F]]）'));
        const seeded = moeRouteRef(seededLogits(() => ctx.random(), 40, 4), 40, 4, 2).experts;
        for (const capacity of [15, 21, 40]) expectDispatch(m, seeded, 4, capacity, t(` (40 seeded tokens, 4 experts, k = 2, capacity ${capacity})`, `（40 个带种子的词元，4 个专家，k = 2，容量 ${capacity}）`));
        const eight = moeRouteRef(seededLogits(() => ctx.random(), 30, 8), 30, 8, 3).experts;
        for (const capacity of [6, 12]) expectDispatch(m, eight, 8, capacity, t(` (30 seeded tokens, 8 experts, k = 3, capacity ${capacity})`, `（30 个带种子的词元，8 个专家，k = 3，容量 ${capacity}）`));
      },
    },
    {
      name: t('loadBalancingLoss: a float64 reference, its gradient, and 1 for uniform routing', 'loadBalancingLoss：与 float64 参考比较，检查梯度，均匀路由时为 1'),
      task: 'loadBalancingLoss',
      run: (m, ctx) => {
        const uniform = Array.from({ length: 8 }, () => [0.25, 0.25, 0.25, 0.25]);
        expectAux(m, uniform, Array.from({ length: 8 }, (_, i) => (i % 2 ? [2, 3] : [0, 1])), t(' (uniform routing: probs 1/4, every expert chosen 4 times by 8 tokens with k = 2: expected 1)', '（均匀路由：probs 均为 1/4，8 个词元在 k = 2 下每个专家被选 4 次：应为 1）'));
        expectAux(m, uniform.slice(0, 4), [[0], [1], [2], [3]], t(' (uniform top-1 routing: expected 1)', '（均匀的 top-1 路由：应为 1）'));
        for (const [T, E, k] of [[16, 8, 2], [20, 4, 1], [12, 6, 3]]) {
          const ref = moeRouteRef(seededLogits(() => ctx.random(), T, E).map((v) => 2 * v), T, E, k);
          expectAux(m, ref.probs, ref.experts, t(` (seeded probs (${T}, ${E}), k = ${k})`, `（带种子的 probs (${T}, ${E})，k = ${k}）`));
        }
      },
    },
    {
      name: t("moeBlock: an MoE MLP cut from the bundled model's MLP, dropped tokens pass through", 'moeBlock：从内置模型的 MLP 切出的 MoE MLP，被丢弃的词元直接通过'),
      task: 'moeBlock',
      run: async (m, ctx) => {
        const model = await lessonModel();
        const C = model.config.nEmbd;
        const ids = Array.from(model.tokenizer.encode(TEXT));
        const T = ids.length;
        const x = await moeMlpInput(model, ids, 0);
        const E = 4;
        const data = moeExpertsFromModel(model, 0, E);
        const toTensors = (d: MoeExpertData) => ({ fcWeight: tensor(d.fcWeight, [d.hidden, C]), fcBias: tensor(d.fcBias, [d.hidden]), projWeight: tensor(d.projWeight, [C, d.hidden]), projBias: tensor(d.projBias, [C]) });
        const router = Float32Array.from({ length: E * C }, () => ctx.random() * 0.4 - 0.2);
        const loads: number[][] = [];
        for (const opts of [{ k: 2, capacityFactor: 1 }, { k: 1, capacityFactor: 0.75, renormalize: false }, { k: 2, capacityFactor: 0.5 }]) {
          const where = t(` (${T} tokens of the book, ${E} experts of 128 hidden units from layer 0's MLP, k = ${opts.k}, capacityFactor ${opts.capacityFactor}${opts.renormalize === false ? ', renormalize false' : ''})`,
            `（书中的 ${T} 个词元，从第 0 层 MLP 切出的 ${E} 个各有 128 个隐藏单元的专家，k = ${opts.k}，capacityFactor ${opts.capacityFactor}${opts.renormalize === false ? '，renormalize 为 false' : ''}）`);
          const ref = moeBlockRef(x, T, C, router, data, opts);
          const xt = tensor(Float32Array.from(x), [T, C]);
          const out = m.moeBlock(xt, tensor(Float32Array.from(router), [E, C]), data.map(toTensors), { ...opts }) as unknown as { y?: Tensor; aux?: Tensor };
          if (xt.data.some((v, i) => v !== x[i])) fail(join([t('moeBlock changed x', 'moeBlock 修改了 x'), where, t(': build y as a new tensor.', '：请把 y 构造为新的张量。')], ''));
          const y = out?.y;
          if (!y || !('data' in y) || y.data.length !== T * C) fail(join([t(`moeBlock must return { y, aux, routing, kept } with y of shape (${T}, ${C})`, `moeBlock 必须返回 { y, aux, routing, kept }，y 的形状为 (${T}, ${C})`), where, t('.', '。')], ''), { hint: BLOCK_HINT });
          const yd = y!.data;
          const rowErr = (t0: number, want: (c: number) => number) => Math.max(...Array.from({ length: C }, (_, c) => Math.abs(yd[t0 * C + c] - want(c))));
          const bad = ref.y.findIndex((r, t0) => rowErr(t0, (c) => r[c]) > 1e-4);
          if (bad >= 0) {
            const others = ref.y.every((r, t0) => ref.dropped.includes(t0) || rowErr(t0, (c) => r[c]) <= 1e-4);
            if (ref.dropped.length && others && ref.dropped.every((t0) => rowErr(t0, () => 0) <= 1e-6)) failWith('drop-zero', join([where, t(`: tokens ${ref.dropped.join(', ')} were dropped by every expert.`, `：词元 ${ref.dropped.join('、')} 被所有专家丢弃。`)], ''));
            const ungated = moeBlockRef(x, T, C, router, data, opts);
            ungated.y = Array.from({ length: T }, (_, t0) => {
              const row = Array.from({ length: C }, (_, c) => x[t0 * C + c]);
              ungated.routing.experts[t0].forEach((e, j) => {
                if (!ungated.kept[t0][j]) return;
                const o = moeBlockRef(x.slice(t0 * C, (t0 + 1) * C), 1, C, router, [data[e]], { k: 1, capacityFactor: 1e9 }).y[0];
                for (let c = 0; c < C; c++) row[c] += o[c] - x[t0 * C + c];
              });
              return row;
            });
            if (ungated.y.every((r, t0) => rowErr(t0, (c) => r[c]) <= 1e-4)) failWith('no-gates', where);
            const unlimited = moeBlockRef(x, T, C, router, data, { ...opts, capacityFactor: 1e9 });
            if (unlimited.y.every((r, t0) => rowErr(t0, (c) => r[c]) <= 1e-4)) failWith('no-capacity', join([where, t(`: every assignment was kept, capacity ${ref.capacity}.`, `：所有分配都被保留了，容量为 ${ref.capacity}。`)], ''));
            const c = Array.from({ length: C }, (_, c0) => c0).reduce((a, c0) => (Math.abs(yd[bad * C + c0] - ref.y[bad][c0]) > Math.abs(yd[bad * C + a] - ref.y[bad][a]) ? c0 : a), 0);
            fail(join([t(`moeBlock: y[${bad}][${c}] is ${yd[bad * C + c].toFixed(6)}; expected ${ref.y[bad][c].toFixed(6)} (token ${bad}: experts ${show(ref.routing.experts[bad])}, gates ${show(ref.routing.gates[bad])}, kept ${JSON.stringify(ref.kept[bad])})`,
              `moeBlock：y[${bad}][${c}] 为 ${yd[bad * C + c].toFixed(6)}；应为 ${ref.y[bad][c].toFixed(6)}（词元 ${bad}：专家 ${show(ref.routing.experts[bad])}，门控 ${show(ref.routing.gates[bad])}，kept ${JSON.stringify(ref.kept[bad])}）`), where, t('.', '。')], ''), { hint: BLOCK_HINT });
          }
          const aux = out?.aux?.data?.[0];
          expectTrue(typeof aux === 'number' && Math.abs(aux - ref.aux) <= 1e-5 * Math.max(1, ref.aux), join([t(`moeBlock's aux is ${String(aux)}; expected loadBalancingLoss(softmax(logits), routing.experts) = ${ref.aux.toFixed(6)}`, `moeBlock 的 aux 为 ${String(aux)}；应为 loadBalancingLoss(softmax(logits), routing.experts) = ${ref.aux.toFixed(6)}`), where, t('.', '。')], ''), BLOCK_HINT);
          const load = new Array<number>(E).fill(0);
          ref.kept.forEach((r, t0) => r.forEach((v, j) => { if (v) load[ref.routing.experts[t0][j]]++; }));
          loads.push([...load, ref.dropped.length, ref.capacity, ref.aux]);
        }
        const names = [t('k = 2, factor 1', 'k = 2，因子 1'), t('k = 1, factor 0.75 (Switch)', 'k = 1，因子 0.75（Switch）'), t('k = 2, factor 0.5', 'k = 2，因子 0.5')];
        ctx.artifact({ kind: 'table', title: t(`Your moeBlock on ${T} characters of Moby-Dick: assignments each expert kept, tokens that passed through, capacity, aux loss`, `你的 moeBlock 作用于《白鲸记》的 ${T} 个字符：每个专家保留的分配数、直接通过的词元数、容量、辅助损失`),
          columns: [t('setting', '设置'), t('expert 0', '专家 0'), t('expert 1', '专家 1'), t('expert 2', '专家 2'), t('expert 3', '专家 3'), t('passed through', '直接通过'), t('capacity', '容量'), t('aux loss', '辅助损失')],
          rows: loads.map((r, i) => [names[i], ...r.slice(0, 6), r[6].toFixed(4)]) });
      },
    },
  ],
});
