/**
 * Checks for the positions lesson (positions/encodings): token + learned position embeddings, sinusoidal encodings,
 * RoPE in both pairing conventions, and causal attention with RoPE over a KV cache.
 *
 * Expected values come from float64 references in the course (@llm-lab/course/tokens: posSinusoidal64,
 * posRopeFrequencies64, posRope64, posAttend64) computed from copies of the inputs taken before the learner's code
 * runs; the embedding is compared with its own weights' rows in float64 and, with the bundled model's weights, with
 * what onnxruntime computes for the model's `embeddings` output (an independent reference). The known wrong answers
 * are computed by the same references with an option, so a failure says which mistake it looks like.
 *
 * Which check names which catalogued mistake (lessons/06c-positions/mistakes.ts):
 *   check                                                   names
 *   TokenPositionEmbedding: wte[id] + wpe[startPos + t] ... wpe-by-token, positions-restart
 *   TokenPositionEmbedding with the bundled model's ...     wpe-by-token, positions-restart
 *   sinusoidalEncoding: Vaswani et al.'s table ...          sin-cos-swapped, exponent-i-over-d, base-ignored,
 *                                                           positions-restart, sin-cos-halves (tensor2tensor's layout: a convention)
 *   ropeFrequencies: θ_i = base^(−2i/hs)                    exponent-i-over-d, base-ignored
 *   applyRope: exact values for both pairings ...           rope-halves-default (Hugging Face's pairing as the default:
 *                                                           a convention), pairing-mixed, base-ignored, exponent-i-over-d,
 *                                                           positions-restart
 *   applyRope: q(m)·k(n) depends only on m − n ...          pairing-mixed
 *   applyRope: token by token with startPos ...             positions-restart
 *   attendWithRope: a whole sequence against float64 ...    rope-on-values, rope-halves-default
 *   attendWithRope: a KV cache fed token by token ...       positions-restart, rope-on-values, rope-halves-default
 *   beyond the context ...                                  sin-cos-halves (and plain messages: no throw past blockSize,
 *                                                           sinusoidal values far past it)
 * Accepted as well: loops over .data or kit ops, angles in float32 or float64, rows given as number[] or Int32Array.
 * Not catalogued, said in plain words: shapes, a mutated input, a rotation the wrong way (−φ), the 'halves' option
 * ignored, a causal mask misaligned under the cache, a cache that does not hold the rotated keys and raw values,
 * missing throws (odd sizes, positions past blockSize), gradients that do not reach wte and wpe.
 */
import {
  type Misconception, type Mistake, type Text, defineChecks, expectCloseLazy, expectTrue, expectUnchanged, fail, isTensorLike, join, snapshot, t,
} from '@llm-lab/check';
import { posAttend64, posLossByPosition, posRope64, posRopeFrequencies64, posSinusoidal64, type PosRopeOptions, type PosSinusoidalOptions } from '@llm-lab/course/tokens';
import { Rng, Tensor, narrow, sum } from '@llm-lab/kit';
import { shippedModel } from '@llm-lab/model';
import { POSITIONS_MISTAKES as M, type PositionsMistake } from './mistakes';

type Learner = typeof import('./positions');
type Pairing = 'interleaved' | 'halves';

const misconception = (value: ArrayLike<number>, shape: readonly number[], key: PositionsMistake): Misconception => ({ value: { data: value, shape }, ...M[key] });
const plain = (value: ArrayLike<number>, shape: readonly number[], message: Text, hint?: Text): Misconception => ({ value: { data: value, shape }, message, hint });
const failWith = (key: PositionsMistake, detail?: Text): never => {
  const m: Mistake = M[key];
  return fail(detail ? join([m.message, detail], ' ') : m.message, { hint: m.hint, convention: m.convention });
};

function randomTensor(random: () => number, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: n }, () => 2 * random() - 1), shape);
}

/** The learner's result as a tensor of the given shape, or a failure that says what came back. */
function tensorOf(v: unknown, shape: readonly number[], what: string): Tensor {
  if (!isTensorLike(v)) {
    fail(t(`${what} returned ${v === undefined ? 'undefined' : typeof v}; expected a Tensor of shape (${shape.join(', ')})`,
      `${what} 返回了 ${v === undefined ? 'undefined' : typeof v}；应返回形状为 (${shape.join(', ')}) 的 Tensor`),
    { hint: v === undefined ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？') : undefined });
  }
  if (v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i])) {
    fail(t(`${what} has shape (${v.shape.join(', ')}); expected (${shape.join(', ')})`, `${what} 的形状是 (${v.shape.join(', ')})；应为 (${shape.join(', ')})`));
  }
  return v;
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, atol: number): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (!(Math.abs(a[i] - b[i]) <= atol + 1e-5 * Math.abs(b[i]))) return false;
  return true;
};

// --- the embedding -------------------------------------------------------------------------------------------------

type Emb = InstanceType<Learner['TokenPositionEmbedding']>;

function tables(emb: Emb, V: number, P: number, C: number): { wte: Tensor; wpe: Tensor } {
  const wte = (emb as { wte?: { weight?: unknown } }).wte?.weight;
  const wpe = (emb as { wpe?: { weight?: unknown } }).wpe?.weight;
  const shape = (x: unknown) => (isTensorLike(x) ? `(${x.shape.join(', ')})` : String(x));
  if (!(wte instanceof Tensor) || wte.shape[0] !== V || wte.shape[1] !== C || !(wpe instanceof Tensor) || wpe.shape[0] !== P || wpe.shape[1] !== C) {
    fail(t(`wte.weight is ${shape(wte)} and wpe.weight is ${shape(wpe)}; expected (${V}, ${C}) and (${P}, ${C}): one row per token, one row per position 0 .. blockSize − 1.`,
      `wte.weight 的形状是 ${shape(wte)}，wpe.weight 是 ${shape(wpe)}；应为 (${V}, ${C}) 和 (${P}, ${C})：每个词元一行，每个位置 0 .. blockSize − 1 一行。`),
    { hint: t('this.wte = new Embedding(config.vocabSize, config.nEmbd, rng); this.wpe = new Embedding(config.blockSize, config.nEmbd, rng);',
      'this.wte = new Embedding(config.vocabSize, config.nEmbd, rng); this.wpe = new Embedding(config.blockSize, config.nEmbd, rng);') });
  }
  return { wte, wpe };
}

/** wte[ids[b][t]] + wpe[pos(t)] in float64 from copies of the tables. */
function embed64(wte: Float32Array, wpe: Float32Array, C: number, ids: number[][], pos: (t: number, id: number) => number): Float64Array {
  const T = ids[0].length;
  const out = new Float64Array(ids.length * T * C);
  ids.forEach((row, b) => row.forEach((id, tt) => {
    for (let c = 0; c < C; c++) out[(b * T + tt) * C + c] = wte[id * C + c] + wpe[pos(tt, id) * C + c];
  }));
  return out;
}

/** The learner's embedding of `ids` at `startPos`, compared with wte + wpe, naming the two catalogued mistakes. */
function expectEmbedding(emb: Emb, ids: number[][], startPos: number, [V, P, C]: [number, number, number], atol: number): void {
  const { wte, wpe } = tables(emb, V, P, C);
  const [wteCopy, wpeCopy] = [Float32Array.from(wte.data), Float32Array.from(wpe.data)];
  const copy = ids.map((r) => (ArrayBuffer.isView(r) ? (r as unknown as Int32Array).slice() as unknown as number[] : [...r])); // an Int32Array row stays one
  const shape = [ids.length, ids[0].length, C];
  const what = `forward(ids, ${startPos})`;
  const out = tensorOf(emb.forward(copy, startPos), shape, what);
  if (copy.some((r, b) => r.some((v, i) => v !== ids[b][i]))) fail(t('forward changed the ids it was given.', 'forward 修改了传给它的 ids。'));
  const want = embed64(wteCopy, wpeCopy, C, ids, (tt) => startPos + tt);
  expectCloseLazy(out, { data: want, shape }, { what, atol, hint: t('out[b, t] = wte[ids[b][t]] + wpe[startPos + t].', 'out[b, t] = wte[ids[b][t]] + wpe[startPos + t]。') }, () => [
    ids.every((r) => Array.from(r).every((id) => id < P)) ? misconception(embed64(wteCopy, wpeCopy, C, ids, (_, id) => id), shape, 'wpe-by-token') : undefined,
    startPos > 0 ? misconception(embed64(wteCopy, wpeCopy, C, ids, (tt) => tt), shape, 'positions-restart') : undefined,
  ]);
}

// --- RoPE helpers --------------------------------------------------------------------------------------------------

function ropeCall(m: Learner, x: Tensor, startPos: number | undefined, opts: { base?: number; pairing?: Pairing } | undefined): { out: Tensor; what: string } {
  const before = snapshot(x);
  const args = [startPos === undefined ? '' : String(startPos), opts ? JSON.stringify(opts).replace(/"/g, "'") : ''].filter(Boolean).join(', ');
  const what = `applyRope(x${args ? `, ${args}` : ''})`;
  const out = tensorOf(startPos === undefined ? m.applyRope(x) : m.applyRope(x, startPos, opts), x.shape, what);
  expectUnchanged(x, before, 'x');
  return { out, what };
}

/** The learner's RoPE against float64, naming what the result looks like when it is wrong. */
function expectRope(m: Learner, x: Tensor, startPos: number | undefined, opts: { base?: number; pairing?: Pairing } | undefined, atol = 2e-5): void {
  const xs = Float64Array.from(x.data);
  const { out, what } = ropeCall(m, x, startPos, opts);
  const s = startPos ?? 0;
  const base = opts?.base ?? 10000;
  const pairing = opts?.pairing ?? 'interleaved';
  const ref = (o: PosRopeOptions, start = s) => ({ data: posRope64(xs, x.shape, start, { base, pairing, ...o }), shape: x.shape });
  const other: Pairing = pairing === 'interleaved' ? 'halves' : 'interleaved';
  expectCloseLazy(out, ref({}), {
    what, atol, rtol: 1e-4,
    hint: t('Pair (a, b) at position p turns by φ = p·θ_i: (a cos φ − b sin φ, a sin φ + b cos φ), θ_i = base^(−2i/hs).', '位置 p 上的一对 (a, b) 转过 φ = p·θ_i：(a cos φ − b sin φ, a sin φ + b cos φ)，θ_i = base^(−2i/hs)。'),
  }, () => [
    opts?.pairing === undefined ? { value: ref({ pairing: 'halves' }), ...M['rope-halves-default'] } : undefined,
    opts?.pairing === 'halves' ? { value: ref({ pairing: other }), message: t(`${what} rotated the interleaved pairs (x_{2i}, x_{2i+1}): the pairing option is ignored. With pairing: 'halves' channel i pairs with channel i + hs/2.`, `${what} 旋转的是交错对 (x_{2i}, x_{2i+1})：pairing 选项被忽略了。pairing: 'halves' 时，通道 i 与通道 i + hs/2 配对。`) } : undefined,
    { value: ref({ pairing: 'mixed-a' }), ...M['pairing-mixed'] },
    { value: ref({ pairing: 'mixed-b' }), ...M['pairing-mixed'] },
    base !== 10000 ? { value: ref({ base: 10000 }), ...M['base-ignored'] } : undefined,
    { value: ref({ spacing: 'i/d' }), ...M['exponent-i-over-d'] },
    s > 0 ? { value: ref({}, 0), ...M['positions-restart'] } : undefined,
    { value: ref({ reversed: true }), message: t(`${what} turns every pair the other way (by −φ): the relative property still holds, but the values are RoFormer's and LLaMA's transposed rotation.`, `${what} 把每一对都朝反方向转了（转过 −φ）：相对位置性质仍然成立，但数值是 RoFormer 和 LLaMA 所用旋转的转置。`), hint: t('(a, b) -> (a cos φ − b sin φ, a sin φ + b cos φ): the minus sign is on b in the first component.', '(a, b) -> (a cos φ − b sin φ, a sin φ + b cos φ)：负号在第一个分量里 b 的前面。') },
  ]);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const norm = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

// --- attention with RoPE -------------------------------------------------------------------------------------------

type Cache = InstanceType<Learner['RopeCache']>;

function attendCall(m: Learner, q: Tensor, k: Tensor, v: Tensor, cache: Cache, opts: { base?: number; pairing?: Pairing } | undefined): Tensor {
  const snaps = [snapshot(q), snapshot(k), snapshot(v)];
  const what = `attendWithRope(q, k, v, cache${opts ? `, ${JSON.stringify(opts).replace(/"/g, "'")}` : ''})`;
  const out = tensorOf(opts ? m.attendWithRope(q, k, v, cache, opts) : m.attendWithRope(q, k, v, cache), q.shape, what);
  expectUnchanged(q, snaps[0], 'q');
  expectUnchanged(k, snaps[1], 'k');
  expectUnchanged(v, snaps[2], 'v');
  return out;
}

/** Rows [from, from + n) of axis 2 of a (B, H, T, hs) array. */
function rows(data: ArrayLike<number>, shape: readonly number[], from: number, n: number): Float64Array {
  const [B, H, T, hs] = shape;
  const out = new Float64Array(B * H * n * hs);
  for (let bh = 0; bh < B * H; bh++) for (let t = 0; t < n; t++) for (let c = 0; c < hs; c++) out[(bh * n + t) * hs + c] = data[(bh * T + from + t) * hs + c];
  return out;
}

const ATT_HINT = t('start = cache.length (before appending); rotate q and k at start; append k (rotated) and v (as it is); scores = q_rot · cache.k^T / sqrt(hs), new token t sees cached keys 0 .. start + t; softmax; times cache.v.',
  'start = cache.length（追加之前读取）；在 start 处旋转 q 和 k；把（旋转后的）k 和（原样的）v 追加到缓存；scores = q_rot · cache.k^T / sqrt(hs)，新词元 t 能看到缓存中的键 0 .. start + t；softmax；再乘以 cache.v。');

/** Feeds q, k, v in chunks of the given sizes through one cache and compares each chunk's output with the whole-sequence reference. */
function expectChunks(m: Learner, q: Tensor, k: Tensor, v: Tensor, sizes: number[], opts: { base?: number; pairing?: Pairing } | undefined): void {
  const shape = q.shape;
  const [qs, ks, vs] = [q, k, v].map((x) => Float64Array.from(x.data));
  const ropeOpts = { base: opts?.base, pairing: opts?.pairing };
  const want = posAttend64(qs, ks, vs, shape, ropeOpts);
  const starts: number[] = [];
  sizes.forEach((n, i) => starts.push(i === 0 ? 0 : starts[i - 1] + sizes[i - 1]));
  const chunkStart = (tt: number) => starts.filter((s) => s <= tt).pop() ?? 0;
  const restarted = posAttend64(qs, ks, vs, shape, { ...ropeOpts, positions: (tt) => tt - chunkStart(tt) });
  const rotatedV = posAttend64(qs, ks, vs, shape, { ...ropeOpts, rotateValues: true });
  const cache = new m.RopeCache();
  const label = `[${sizes.join(', ')}]`;
  sizes.forEach((n, i) => {
    const s = starts[i];
    const part = (x: Tensor) => narrow(x, 2, s, n);
    const lenBefore = cache.length;
    if (lenBefore !== s) {
      fail(t(`after feeding ${s} positions (chunks ${label}), cache.length is ${lenBefore}; expected ${s}: the cache holds one key and one value per position fed so far.`,
        `送入 ${s} 个位置（分块 ${label}）之后，cache.length 是 ${lenBefore}；应为 ${s}：缓存为目前送入的每个位置各存一个键和一个值。`), { hint: ATT_HINT });
    }
    const out = attendCall(m, part(q), part(k), part(v), cache, opts);
    const cshape = [shape[0], shape[1], n, shape[3]];
    const what = `chunk ${i} (positions ${s}..${s + n - 1} of chunks ${label}): attendWithRope(...)`;
    expectCloseLazy(out, { data: rows(want, shape, s, n), shape: cshape }, { what, atol: 2e-5, rtol: 1e-4, hint: ATT_HINT }, () => [
      s > 0 ? misconception(rows(restarted, shape, s, n), cshape, 'positions-restart') : undefined,
      misconception(rows(rotatedV, shape, s, n), cshape, 'rope-on-values'),
      opts?.pairing === undefined ? misconception(rows(posAttend64(qs, ks, vs, shape, { base: opts?.base, pairing: 'halves' }), shape, s, n), cshape, 'rope-halves-default') : undefined,
    ]);
  });
}

// --- the checks ----------------------------------------------------------------------------------------------------

const EMB_HINT = t('forward: T = ids[0].length; throw if startPos + T > blockSize; tok = this.wte.forward(ids.flatMap((r) => Array.from(r)), [B, T]); pos = this.wpe.forward([startPos, ..., startPos + T − 1]); return add(tok, pos).',
  'forward：T = ids[0].length；若 startPos + T > blockSize 则抛出错误；tok = this.wte.forward(ids.flatMap((r) => Array.from(r)), [B, T])；pos = this.wpe.forward([startPos, ..., startPos + T − 1])；return add(tok, pos)。');

export default defineChecks<Learner>({
  exports: ['TokenPositionEmbedding', 'sinusoidalEncoding', 'ropeFrequencies', 'applyRope', 'RopeCache', 'attendWithRope'],
  checks: [
    {
      name: t('TokenPositionEmbedding: wte[id] + wpe[startPos + t], shapes, gradients, and a throw past blockSize', 'TokenPositionEmbedding：wte[id] + wpe[startPos + t]、形状、梯度，以及超出 blockSize 时抛出错误'),
      task: 'TokenPositionEmbedding',
      hint: EMB_HINT,
      run: (m, ctx) => {
        const [V, P, C] = [11, 16, 6];
        const emb = new m.TokenPositionEmbedding({ vocabSize: V, blockSize: P, nEmbd: C }, new Rng(5));
        const { wte, wpe } = tables(emb, V, P, C);
        const names = [...emb.namedParameters().keys()].sort();
        expectTrue(names.includes('wte.weight') && names.includes('wpe.weight'),
          t(`the module's parameters are [${names.join(', ')}]; expected wte.weight and wpe.weight (both learned).`, `模块的参数是 [${names.join(', ')}]；应包含 wte.weight 和 wpe.weight（两者都要学习）。`));
        const ids = (B: number, T: number) => Array.from({ length: B }, () => Array.from({ length: T }, () => Math.floor(ctx.random() * V)));
        expectEmbedding(emb, ids(2, 5), 0, [V, P, C], 1e-6);
        expectEmbedding(emb, ids(2, 5), 7, [V, P, C], 1e-6);
        expectEmbedding(emb, ids(1, P), 0, [V, P, C], 1e-6); // exactly the whole context
        expectEmbedding(emb, [Int32Array.from([3, 1, 4]) as unknown as number[]], 13, [V, P, C], 1e-6); // the last three rows of wpe, an Int32Array row
        // Gradients: sum(out) puts 1 on each use, so wte's row id collects its count and wpe's rows 7..11 collect B each.
        wte.grad = null;
        wpe.grad = null;
        const x = ids(3, 5);
        const out = emb.forward(x, 7);
        if (!out.requiresGrad) {
          fail(t('forward(ids, 7) does not require grad: no gradient can reach wte and wpe, so the embeddings would never train. Build the result from kit ops (Embedding.forward and add), not by copying numbers into a new Tensor.',
            'forward(ids, 7) 的结果不需要梯度：梯度到不了 wte 和 wpe，嵌入永远不会被训练。请用 kit 的运算（Embedding.forward 和 add）构造结果，而不是把数字拷进一个新的 Tensor。'));
        }
        sum(out).backward();
        const count = new Array<number>(V).fill(0);
        x.flat().forEach((id) => count[id]++);
        const gte = wte.grad as Float32Array | null;
        const gpe = wpe.grad as Float32Array | null;
        const badTe = count.findIndex((n, r) => !gte || Math.abs(gte[r * C] - n) > 1e-5);
        const badPe = Array.from({ length: P }, (_, r) => r).findIndex((r) => !gpe || Math.abs(gpe[r * C] - (r >= 7 && r < 12 ? 3 : 0)) > 1e-5);
        if (badTe >= 0 || badPe >= 0) {
          fail(t(`after sum(forward(ids, 7)).backward() with 3 rows of 5 ids, ${badTe >= 0 ? `wte.weight.grad row ${badTe} is ${gte ? gte[badTe * C] : 'null'}, expected ${count[badTe]} (how often id ${badTe} occurs)` : `wpe.weight.grad row ${badPe} is ${gpe ? gpe[badPe * C] : 'null'}, expected ${badPe >= 7 && badPe < 12 ? 3 : 0} (rows 7..11 are used once per row of ids)`}.`,
            `对 3 行、每行 5 个 id 执行 sum(forward(ids, 7)).backward() 之后，${badTe >= 0 ? `wte.weight.grad 第 ${badTe} 行是 ${gte ? gte[badTe * C] : 'null'}，应为 ${count[badTe]}（id ${badTe} 出现的次数）` : `wpe.weight.grad 第 ${badPe} 行是 ${gpe ? gpe[badPe * C] : 'null'}，应为 ${badPe >= 7 && badPe < 12 ? 3 : 0}（第 7..11 行对每行 ids 各用一次）`}。`),
          { hint: t('Use this.wte.forward and this.wpe.forward (the kit\'s embedding op) and add: autograd then sends each use\'s gradient to its row.', '使用 this.wte.forward、this.wpe.forward（kit 的 embedding 运算）和 add：自动求导就会把每次使用的梯度送回对应的行。') });
        }
        // Positions past the context: wpe has no row for them.
        let threw = false;
        try { emb.forward(ids(1, 5), 12); } catch { threw = true; }
        expectTrue(threw, t(`forward(ids, 12) with T = 5 and blockSize ${P} returned a result; positions 12..16 do not all exist (wpe has rows 0..${P - 1}): it must throw.`,
          `T = 5、blockSize 为 ${P} 时，forward(ids, 12) 返回了结果；位置 12..16 并不都存在（wpe 只有第 0..${P - 1} 行）：应抛出错误。`),
        t('if (startPos + T > this.config.blockSize) throw new RangeError(...)', 'if (startPos + T > this.config.blockSize) throw new RangeError(...)'));
      },
    },
    {
      name: t('TokenPositionEmbedding with the bundled model\'s wte and wpe gives its embeddings, and its loss at each position', 'TokenPositionEmbedding 用内置模型的 wte 和 wpe 得到它的嵌入，以及它在每个位置上的损失'),
      task: 'TokenPositionEmbedding',
      hint: EMB_HINT,
      run: async (m, ctx) => {
        const model = await shippedModel();
        const { vocabSize: V, blockSize: P, nEmbd: C } = model.config;
        const weights = model.weights();
        const emb = new m.TokenPositionEmbedding({ vocabSize: V, blockSize: P, nEmbd: C }, new Rng(0));
        const { wte, wpe } = tables(emb, V, P, C);
        wte.data.set(weights.get('wte.weight')!.data);
        wpe.data.set(weights.get('wpe.weight')!.data);
        const text = 'Call me Ishmael. Some years ago, never mind how long precisely, having little';
        const ids = Array.from(model.tokenizer.encode(text));
        const T = ids.length;
        const { embeddings } = await model.run(ids, 1, T, ['embeddings']);
        const got = tensorOf(emb.forward([ids]), [1, T, C], 'forward([ids])');
        const [wteCopy, wpeCopy] = [Float32Array.from(wte.data), Float32Array.from(wpe.data)];
        const hint = t('The model adds wte[id] and wpe[position] (nanoGPT: tok_emb + pos_emb); with the model\'s tables your forward must give its embeddings output.', '模型把 wte[id] 与 wpe[position] 相加（nanoGPT：tok_emb + pos_emb）；用模型的表，你的 forward 必须得到它的 embeddings 输出。');
        expectCloseLazy(got, { data: embeddings.data, shape: [1, T, C] }, { what: 'forward([ids])', atol: 1e-5, hint }, () => [
          misconception(embed64(wteCopy, wpeCopy, C, [ids], (_, id) => id), [1, T, C], 'wpe-by-token'),
        ]);
        // The tail fed as under a KV cache: positions 50 .. T − 1.
        const tail = tensorOf(emb.forward([ids.slice(50)], 50), [1, T - 50, C], 'forward([ids.slice(50)], 50)');
        expectCloseLazy(tail, { data: embeddings.data.slice(50 * C), shape: [1, T - 50, C] }, { what: 'forward([ids.slice(50)], 50)', atol: 1e-5, hint }, () => [
          misconception(embed64(wteCopy, wpeCopy, C, [ids.slice(50)], (tt) => tt), [1, T - 50, C], 'positions-restart'),
        ]);
        const { loss, byWindow, windows, chars } = await posLossByPosition(model, 24);
        const xs = loss.map((_, i) => i);
        ctx.artifact({
          kind: 'curve',
          title: t(`The bundled model's loss at each position of its ${P}-character context (${windows} held-out windows, ${chars} characters)`, `内置模型在其 ${P} 字符上下文中每个位置上的损失（${windows} 个留出窗口，共 ${chars} 个字符）`),
          xLabel: t('position t (characters of context before the prediction: t + 1)', '位置 t（预测前可见的上下文字符数：t + 1）'),
          yLabel: t('cross-entropy (nats)', '交叉熵（nats）'),
          series: [
            { name: t('loss at position t', '位置 t 上的损失'), x: xs, y: loss.map((v) => +v.toFixed(4)) },
            { name: t('mean over 8 positions', '每 8 个位置的平均'), x: xs.filter((i) => i % 8 === 0).map((i) => i + 3.5), y: xs.filter((i) => i % 8 === 0).map((i) => +(loss.slice(i, i + 8).reduce((a, b) => a + b, 0) / 8).toFixed(4)) },
          ],
        });
        // Per bucket of positions: the mean over windows of each window's mean in the bucket, and its standard error.
        const bucket = (from: number, to: number): (string | number | Text)[] => {
          const perWindow = byWindow.map((w) => w.slice(from, to + 1).reduce((a, b) => a + b, 0) / (to - from + 1));
          const mean = perWindow.reduce((a, b) => a + b, 0) / windows;
          const se = Math.sqrt(perWindow.reduce((a, b) => a + (b - mean) ** 2, 0) / (windows - 1) / windows);
          return [`${from}..${to}`, +mean.toFixed(3), `± ${se.toFixed(3)}`];
        };
        ctx.artifact({
          kind: 'table',
          title: t(`Where the context ends: the loss by range of positions (${windows} windows; ± one standard error over windows)`, `上下文在哪里结束：按位置区间的损失（${windows} 个窗口；± 为窗口间的一个标准误差）`),
          columns: [t('positions', '位置'), t('mean loss (nats)', '平均损失（nats）'), t('standard error', '标准误差')],
          rows: [bucket(0, 0), bucket(1, 3), bucket(4, 15), bucket(16, 63), bucket(64, P - 1),
            [`${P}`, t(`— (wpe has rows 0..${P - 1}: no row, no prediction)`, `—（wpe 只有第 0..${P - 1} 行：没有这一行，也就无法预测）`), '']],
        });
      },
    },
    {
      name: t('sinusoidalEncoding: Vaswani et al.\'s table, by hand and against float64', 'sinusoidalEncoding：Vaswani 等人的编码表，手算与 float64 对照'),
      task: 'sinusoidalEncoding',
      hint: t('PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(p / base^(2i/d)), p = startPos + row.', 'PE[p, 2i] = sin(p / base^(2i/d))，PE[p, 2i+1] = cos(p / base^(2i/d))，p = startPos + 行号。'),
      run: (m, ctx) => {
        const cases: [number, number, { startPos?: number; base?: number } | undefined, number][] = [
          [2, 4, undefined, 1e-6], [50, 16, undefined, 2e-5], [6, 12, { startPos: 1000, base: 500 }, 2e-4], [5, 8, { startPos: 3 }, 2e-5],
        ];
        for (const [T, d, opts, atol] of cases) {
          const what = `sinusoidalEncoding(${T}, ${d}${opts ? `, ${JSON.stringify(opts)}` : ''})`;
          const out = tensorOf(opts ? m.sinusoidalEncoding(T, d, opts) : m.sinusoidalEncoding(T, d), [T, d], what);
          const ref = (o: PosSinusoidalOptions) => posSinusoidal64(T, d, { ...opts, ...o });
          const shape = [T, d];
          expectCloseLazy(out, { data: ref({}), shape }, { what, atol }, () => [
            misconception(ref({ swapped: true }), shape, 'sin-cos-swapped'),
            misconception(ref({ spacing: 'i/d' }), shape, 'exponent-i-over-d'),
            opts?.base ? misconception(ref({ base: 10000 }), shape, 'base-ignored') : undefined,
            opts?.startPos ? misconception(ref({ startPos: 0 }), shape, 'positions-restart') : undefined,
            misconception(ref({ layout: 'halves' }), shape, 'sin-cos-halves'),
            misconception(ref({ layout: 'halves', spacing: 't2t' }), shape, 'sin-cos-halves'),
            plain(ref({ spacing: 't2t' }), shape, t(`${what}: the frequencies are spaced as exp(−i·ln(base)/(d/2 − 1)) (tensor2tensor's spacing); the paper's are 1 / base^(2i/d).`, `${what}：频率间隔是 exp(−i·ln(base)/(d/2 − 1))（tensor2tensor 的间隔）；论文中是 1 / base^(2i/d)。`)),
          ]);
        }
        let threw = false;
        try { m.sinusoidalEncoding(4, 7); } catch { threw = true; }
        expectTrue(threw, t('sinusoidalEncoding(4, 7) returned a table; d must be even (one sin and one cos per frequency): it must throw.', 'sinusoidalEncoding(4, 7) 返回了一张表；d 必须是偶数（每个频率一个 sin、一个 cos）：应抛出错误。'));
        const pe = m.sinusoidalEncoding(64, 32);
        ctx.artifact({
          kind: 'heatmap',
          title: t('Your sinusoidalEncoding(64, 32): positions down, channels across (fast pairs on the left, slow on the right)', '你的 sinusoidalEncoding(64, 32)：纵向为位置，横向为通道（左边的对转得快，右边的慢）'),
          rows: Array.from({ length: 64 }, (_, i) => String(i)),
          columns: Array.from({ length: 32 }, (_, j) => `${j % 2 ? 'cos' : 'sin'} ${j >> 1}`),
          values: Array.from({ length: 64 }, (_, i) => Array.from(pe.data.slice(i * 32, (i + 1) * 32), (x) => +x.toFixed(3))),
        });
      },
    },
    {
      name: t('ropeFrequencies: θ_i = base^(−2i/hs)', 'ropeFrequencies：每对通道的频率 θ_i = base^(−2i/hs)'),
      task: 'ropeFrequencies',
      hint: t('Array.from({ length: hs / 2 }, (_, i) => base ** (-(2 * i) / hs))', 'Array.from({ length: hs / 2 }, (_, i) => base ** (-(2 * i) / hs))'),
      run: (m) => {
        for (const [hs, base] of [[8, undefined], [6, 500000], [32, 10000]] as const) {
          const what = `ropeFrequencies(${hs}${base ? `, ${base}` : ''})`;
          const got = base ? m.ropeFrequencies(hs, base) : m.ropeFrequencies(hs);
          const want = posRopeFrequencies64(hs, base ?? 10000);
          const arr = got && typeof got === 'object' && 'length' in got ? Array.from(got as ArrayLike<number>) : undefined;
          if (!arr || arr.length !== hs / 2) {
            fail(t(`${what} returned ${arr ? `${arr.length} numbers` : typeof got}; expected ${hs / 2}: one frequency per pair of channels.`, `${what} 返回了 ${arr ? `${arr.length} 个数` : typeof got}；应为 ${hs / 2} 个：每对通道一个频率。`));
          }
          expectCloseLazy({ data: arr, shape: [hs / 2] }, { data: want, shape: [hs / 2] }, { what, atol: 1e-9, rtol: 1e-6 }, () => [
            misconception(posRopeFrequencies64(hs, base ?? 10000, 'i/d'), [hs / 2], 'exponent-i-over-d'),
            base && base !== 10000 ? misconception(posRopeFrequencies64(hs, 10000), [hs / 2], 'base-ignored') : undefined,
          ]);
        }
        let threw = false;
        try { m.ropeFrequencies(7); } catch { threw = true; }
        expectTrue(threw, t('ropeFrequencies(7) returned; an odd head size cannot be split into pairs: it must throw.', 'ropeFrequencies(7) 返回了结果；奇数的头维度无法分成对：应抛出错误。'));
      },
    },
    {
      name: t('applyRope: exact values for both pairings against float64', 'applyRope：两种配对方式的精确数值与 float64 对照'),
      task: 'applyRope',
      run: (m, ctx) => {
        expectRope(m, randomTensor(ctx.random, [2, 3, 5, 8]), undefined, undefined);
        expectRope(m, randomTensor(ctx.random, [2, 3, 5, 8]), 3, { pairing: 'interleaved' });
        expectRope(m, randomTensor(ctx.random, [2, 3, 5, 8]), 3, { pairing: 'halves' });
        expectRope(m, randomTensor(ctx.random, [1, 2, 4, 12]), 6, { base: 500, pairing: 'halves' });
        expectRope(m, randomTensor(ctx.random, [1, 2, 4, 12]), 6, { base: 500 });
        expectRope(m, randomTensor(ctx.random, [1, 1, 3, 4]), 2, undefined);
      },
    },
    {
      name: t('applyRope: q(m)·k(n) depends only on m − n, and norms are preserved', 'applyRope：q(m)·k(n) 只取决于 m − n，且范数保持不变'),
      task: 'applyRope',
      hint: t('Both channels of a pair turn by the same angle (startPos + t)·θ_i: a rotation keeps lengths, and R(m)ᵀR(n) = R(n − m).', '同一对的两个通道转过同一个角度 (startPos + t)·θ_i：旋转保持长度，且 R(m)ᵀR(n) = R(n − m)。'),
      run: (m, ctx) => {
        const hs = 16;
        const q = randomTensor(ctx.random, [1, 1, 1, hs]);
        const k = randomTensor(ctx.random, [1, 1, 1, hs]);
        const [qs, ks] = [Float64Array.from(q.data), Float64Array.from(k.data)];
        const rows: (string | number)[][] = [];
        for (const pairing of ['interleaved', 'halves'] as const) {
          for (const diff of [3, -2]) {
            const want = dot(posRope64(qs, q.shape, Math.max(diff, 0) + 5, { pairing }), posRope64(ks, k.shape, Math.max(-diff, 0) + 5, { pairing }));
            for (const mPos of [diff >= 0 ? diff : 0, 10, 250, 4000]) {
              const nPos = mPos - diff;
              const qr = m.applyRope(q, mPos, { pairing });
              const kr = m.applyRope(k, nPos, { pairing });
              tensorOf(qr, q.shape, `applyRope(q, ${mPos}, { pairing: '${pairing}' })`);
              for (const [x, r, name, pos] of [[qs, qr, 'q', mPos], [ks, kr, 'k', nPos]] as const) {
                const [n0, n1] = [norm(x), norm(r.data)];
                if (!(Math.abs(n1 - n0) <= 1e-4 * n0)) {
                  const mixed = ['mixed-a', 'mixed-b'].some((p) => close(r.data, posRope64(x, q.shape, pos, { pairing: p as 'mixed-a' }), 2e-3));
                  const detail = t(`(|${name}| = ${n0.toFixed(5)}, after applyRope(${name}, ${pos}, { pairing: '${pairing}' }) it is ${n1.toFixed(5)})`, `（|${name}| = ${n0.toFixed(5)}，applyRope(${name}, ${pos}, { pairing: '${pairing}' }) 之后为 ${n1.toFixed(5)}）`);
                  if (mixed) failWith('pairing-mixed', detail);
                  fail(join([t('applyRope changed the length of a vector: it is not a rotation.', 'applyRope 改变了向量的长度：这不是旋转。'), detail], ' '));
                }
              }
              const got = dot(qr.data, kr.data);
              rows.push([pairing, mPos, nPos, mPos - nPos, +got.toFixed(5)]);
              if (!(Math.abs(got - want) <= 1e-3 * norm(qs) * norm(ks))) {
                fail(t(`with pairing '${pairing}', q(${mPos})·k(${nPos}) = ${got.toFixed(5)}, but q(m)·k(n) for m − n = ${diff} should always be ${want.toFixed(5)}: the score must depend only on the distance.`,
                  `pairing 为 '${pairing}' 时，q(${mPos})·k(${nPos}) = ${got.toFixed(5)}，但 m − n = ${diff} 时 q(m)·k(n) 应恒为 ${want.toFixed(5)}：分数只能取决于距离。`));
              }
            }
          }
        }
        // The same q at every position m and the same k at every position n: the scores are constant along diagonals.
        const N = 24;
        const rep = (x: Float64Array) => new Tensor(Float32Array.from({ length: N * hs }, (_, j) => x[j % hs]), [1, 1, N, hs]);
        const Q = m.applyRope(rep(qs), 0).data;
        const K = m.applyRope(rep(ks), 0).data;
        ctx.artifact({
          kind: 'heatmap',
          title: t(`Your applyRope: q(m)·k(n) for one q and one k placed at positions 0..${N - 1} (the same along each diagonal m − n)`, `你的 applyRope：把同一个 q 和同一个 k 放在位置 0..${N - 1} 上得到的 q(m)·k(n)（沿每条对角线 m − n 都相同）`),
          rows: Array.from({ length: N }, (_, i) => `m=${i}`),
          columns: Array.from({ length: N }, (_, j) => `n=${j}`),
          values: Array.from({ length: N }, (_, i) => Array.from({ length: N }, (_, j) => +dot(Q.subarray(i * hs, (i + 1) * hs), K.subarray(j * hs, (j + 1) * hs)).toFixed(3))),
        });
        ctx.artifact({
          kind: 'table',
          title: t('Your applyRope: the same distance gives the same score, wherever it is', '你的 applyRope：距离相同，分数就相同，无论在哪里'),
          columns: [t('pairing', '配对'), 'm', 'n', 'm − n', 'q(m)·k(n)'],
          rows,
        });
      },
    },
    {
      name: t('applyRope: token by token with startPos equals the whole sequence at once', 'applyRope：用 startPos 逐个词元旋转等于一次旋转整个序列'),
      task: 'applyRope',
      hint: t('Row t of x is position startPos + t: a token fed alone at position p needs applyRope(x_t, p), and your code must use that p.', 'x 的第 t 行是位置 startPos + t：单独送入、位于位置 p 的词元需要 applyRope(x_t, p)，你的代码必须用上这个 p。'),
      run: (m, ctx) => {
        const x = randomTensor(ctx.random, [1, 2, 7, 8]);
        const xs = Float64Array.from(x.data);
        for (const pairing of ['interleaved', 'halves'] as const) {
          const full = posRope64(xs, x.shape, 0, { pairing });
          for (const [from, n] of [[0, 1], [1, 1], [2, 1], [3, 4], [5, 1], [6, 1]]) {
            const part = narrow(x, 2, from, n);
            const shape = part.shape;
            const what = `applyRope(x[:, :, ${from}:${from + n}], ${from}, { pairing: '${pairing}' })`;
            const out = tensorOf(m.applyRope(part, from, { pairing }), shape, what);
            expectCloseLazy(out, { data: rows(full, x.shape, from, n), shape }, { what, atol: 2e-5, rtol: 1e-4 }, () => [
              from > 0 ? misconception(posRope64(part.data, shape, 0, { pairing }), shape, 'positions-restart') : undefined,
            ]);
          }
        }
      },
    },
    {
      name: t('attendWithRope: a whole sequence against float64, values not rotated', 'attendWithRope：整个序列与 float64 对照，值不旋转'),
      task: 'attendWithRope',
      hint: ATT_HINT,
      run: (m, ctx) => {
        for (const opts of [undefined, { pairing: 'halves' as const, base: 500 }]) {
          const shape = [2, 2, 6, 8];
          const [q, k, v] = [0, 1, 2].map(() => randomTensor(ctx.random, shape));
          const [qs, ks, vs] = [q, k, v].map((x) => Float64Array.from(x.data));
          const cache = new m.RopeCache();
          expectTrue(cache.length === 0, t(`a new RopeCache has length ${cache.length}; expected 0.`, `新建的 RopeCache 的 length 是 ${cache.length}；应为 0。`));
          const out = attendCall(m, q, k, v, cache, opts);
          const ro = { base: opts?.base, pairing: opts?.pairing };
          const what = `attendWithRope(q, k, v, new RopeCache()${opts ? `, ${JSON.stringify(opts).replace(/"/g, "'")}` : ''})`;
          expectCloseLazy(out, { data: posAttend64(qs, ks, vs, shape, ro), shape }, { what, atol: 2e-5, rtol: 1e-4, hint: ATT_HINT }, () => [
            misconception(posAttend64(qs, ks, vs, shape, { ...ro, rotateValues: true }), shape, 'rope-on-values'),
            opts ? undefined : { value: { data: posAttend64(qs, ks, vs, shape, { pairing: 'halves' }), shape }, ...M['rope-halves-default'] },
          ]);
          // The cache: length 6, the rotated keys and the values as they were.
          expectTrue(cache.length === 6, t(`after attending over 6 new positions, cache.length is ${cache.length}; expected 6.`, `对 6 个新位置做完注意力之后，cache.length 是 ${cache.length}；应为 6。`), ATT_HINT);
          expectCloseLazy(cache.v, { data: vs, shape }, { what: 'cache.v', atol: 1e-6, hint: ATT_HINT }, () => [misconception(posRope64(vs, shape, 0, ro), shape, 'rope-on-values')]);
          expectCloseLazy(cache.k, { data: posRope64(ks, shape, 0, ro), shape }, { what: 'cache.k (the rotated keys)', atol: 2e-5, rtol: 1e-4, hint: ATT_HINT }, () => []);
        }
      },
    },
    {
      name: t('attendWithRope: a KV cache fed token by token and in chunks equals the whole sequence', 'attendWithRope：逐个词元或分块送入 KV 缓存，结果等于整个序列一次算出'),
      task: 'attendWithRope',
      hint: ATT_HINT,
      run: (m, ctx) => {
        const shape = [1, 2, 7, 8];
        const [q, k, v] = [0, 1, 2].map(() => randomTensor(ctx.random, shape));
        expectChunks(m, q, k, v, [1, 1, 1, 1, 1, 1, 1], undefined);
        expectChunks(m, q, k, v, [3, 1, 3], undefined);
        expectChunks(m, q, k, v, [2, 4, 1], { pairing: 'halves' });
      },
    },
    {
      name: t('beyond the context: learned positions stop at blockSize, sinusoidal and RoPE go on', '超出上下文：学习的位置止于 blockSize，正弦编码和 RoPE 则可以继续'),
      task: 'sinusoidalEncoding',
      run: (m, ctx) => {
        const P = 128;
        const emb = new m.TokenPositionEmbedding({ vocabSize: 89, blockSize: P, nEmbd: 8 }, new Rng(1));
        const ids = [Array.from({ length: 8 }, () => Math.floor(ctx.random() * 89))];
        const last = tensorOf(emb.forward(ids, P - 8), [1, 8, 8], `forward(ids, ${P - 8})`);
        let message = '';
        try { emb.forward(ids, P - 7); } catch (e) { message = (e as Error)?.message ?? String(e); }
        expectTrue(message !== '', t(`forward(ids, ${P - 7}) with T = 8 and blockSize ${P} returned a result: position ${P} has no row in wpe, it must throw.`,
          `T = 8、blockSize 为 ${P} 时 forward(ids, ${P - 7}) 返回了结果：位置 ${P} 在 wpe 中没有对应的行，应抛出错误。`));
        void last;
        const d = 64;
        const rowsOut: (string | number | Text)[][] = [
          ['wpe', `${P - 1}`, t(`row ${P - 1} of wpe (the last one)`, `wpe 的第 ${P - 1} 行（最后一行）`)],
          ['wpe', `${P}`, t(`no row: forward throws "${message.slice(0, 100)}"`, `没有这一行：forward 抛出 "${message.slice(0, 100)}"`)],
        ];
        for (const p of [P, 1000, 5000]) {
          const pe = tensorOf(m.sinusoidalEncoding(2, d, { startPos: p }), [2, d], `sinusoidalEncoding(2, ${d}, { startPos: ${p} })`);
          const want = posSinusoidal64(2, d, { startPos: p });
          expectCloseLazy(pe, { data: want, shape: [2, d] }, { what: `sinusoidalEncoding(2, ${d}, { startPos: ${p} })`, atol: 2e-3 }, () => [
            misconception(posSinusoidal64(2, d, { startPos: p, layout: 'halves' }), [2, d], 'sin-cos-halves'),
            misconception(posSinusoidal64(2, d, { startPos: p, layout: 'halves', spacing: 't2t' }), [2, d], 'sin-cos-halves'),
          ]);
          rowsOut.push([t('sinusoidal', '正弦'), `${p}`, `|PE[${p}]| = ${norm(pe.data.slice(0, d)).toFixed(4)} (√(d/2) = ${Math.sqrt(d / 2).toFixed(4)})`]);
        }
        const q = randomTensor(ctx.random, [1, 1, 1, 16]);
        const k = randomTensor(ctx.random, [1, 1, 1, 16]);
        for (const p of [10, P, 1000, 5000]) {
          const s = dot(m.applyRope(q, p).data, m.applyRope(k, p - 3).data);
          rowsOut.push(['RoPE', `${p}`, `q(${p})·k(${p - 3}) = ${s.toFixed(4)}`]);
        }
        ctx.artifact({
          kind: 'table',
          title: t('Past the context: what each encoding gives at a position the model never saw', '超出上下文：每种编码在模型从未见过的位置上给出什么'),
          columns: [t('encoding', '编码'), t('position', '位置'), t('what your code gives', '你的代码给出的结果')],
          rows: rowsOut,
        });
      },
    },
  ],
});
