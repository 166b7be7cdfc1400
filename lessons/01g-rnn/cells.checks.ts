/**
 * Checks for the recurrent-networks lesson (rnn/cells): RNNCell, LSTMCell and unroll.
 *
 * Expected values come from the float64 references in @llm-lab/course/foundations (rnnStep64, lstmStep64,
 * rnnUnroll64, and rnnBptt64, backprop through time written out by hand), computed from copies of the inputs
 * taken before the learner's code runs. The checks set the cells' weights themselves (random, larger than the
 * init, so every nonlinearity matters), except the init checks, which look at what the constructor drew.
 * The unroll check runs the learner's unroll on cells whose forward is the course's kit-op reference (a subclass
 * of the learner's class, so `instanceof` still works): a bug in a cell cannot show up as a bug in unroll.
 *
 * Which check names which catalogued mistake (lessons/01g-rnn/mistakes.ts):
 *   check                                              names
 *   RNNCell: weightIh (H, I) ...                       init-fan-in, not-seeded, layout-in-out (Keras's convention)
 *   RNNCell.forward: one step ...                      hh-not-transposed, one-bias, activations-swapped
 *   LSTMCell: weightIh (4H, I) ...                     init-fan-in, not-seeded, layout-in-out (Keras's convention); a
 *                                                      forget-gate bias shifted by 1 (Keras's unit_forget_bias) is accepted
 *   LSTMCell.forward: one step ...                     gate-order-onnx (ONNX's convention), gate-order-tf and
 *                                                      forget-bias-in-step (TensorFlow's conventions), gate-order,
 *                                                      forget-on-input, activations-swapped, one-bias
 *   unroll: h_1 ... h_T ...                            state-not-carried
 *   backprop through time ...                          (none: any wrong gradient, with the value that differs)
 *   vanishing gradients ...                            (none: the per-step norms against float64, and the RNN/LSTM gap)
 * The c' = f ⊙ g + i ⊙ c of forget-on-input is the same function as reading the i and f blocks swapped: that
 * permutation is reported as forget-on-input, every other non-PyTorch order as gate-order (or a convention).
 */
import {
  type CheckContext, defineChecks, describeType, expectClose, expectCloseLazy, expectTrue, expectUnchanged, fail, fmt, isTensorLike, mistake,
  type Misconception, randomTensor, snapshot, t,
} from '@llm-lab/check';
import {
  RNN_ONNX_ORDER, RNN_TF_ORDER, type RnnGateBlocks, type RnnVariant, type RnnWeights64, lstmKitStep, lstmStep64, rnnBptt64, rnnKitStep,
  rnnNorm, rnnOtherGateOrders, rnnStep64, rnnUnroll64, rnnUniform64, rnnWeights64,
} from '@llm-lab/course/foundations';
import { Rng, type Tensor, add, mul, sum, tensor, zeros } from '@llm-lab/kit';
import { RNN_MISTAKES as M } from './mistakes';

type Learner = typeof import('./cells');
type Params = { weightIh: Tensor; weightHh: Tensor; biasIh: Tensor; biasHh: Tensor };
const FIELDS = ['weightIh', 'weightHh', 'biasIh', 'biasHh'] as const;

const RTOL = 1e-4;
const ATOL = 1e-5;

const UNCHANGED_HINT = t(
  'A step computes new tensors from x, the state and the weights, and must not write into any of them.',
  '每一步都用 x、状态和权重算出新的张量，不能写入其中任何一个。',
);

/** The four parameters exist, are tensors of the right shapes, and train. */
function expectParams(cell: unknown, G: 1 | 4, I: number, H: number, what: string): Params {
  const p = cell as Record<string, unknown>;
  const shapes: Record<(typeof FIELDS)[number], number[]> = { weightIh: [G * H, I], weightHh: [G * H, H], biasIh: [G * H], biasHh: [G * H] };
  for (const f of FIELDS) {
    const v = p[f];
    const want = fmt(shapes[f]);
    if (!isTensorLike(v)) {
      const got = describeType(v);
      fail(t(`${what}.${f} is ${got.en}; expected a Tensor of shape ${want}.`, `${what}.${f} 是${got['zh-cn']}；应是形状为 ${want} 的 Tensor。`),
        { hint: t('Create it in the constructor: this.' + f + ' = uniform(shape, 1 / Math.sqrt(hiddenSize), rng).', '在构造函数里创建它：this.' + f + ' = uniform(shape, 1 / Math.sqrt(hiddenSize), rng)。') });
    }
    const shape = v.shape;
    const [rows, cols] = shapes[f];
    // (in, out), for x @ W: Keras's kernels. Told apart only where the two layouts differ (not a square weightHh).
    if (cols !== undefined && rows !== cols && shape.length === 2 && shape[0] === cols && shape[1] === rows) fail(...mistake(M['layout-in-out']));
    if (shape.length !== shapes[f].length || shape.some((d, k) => d !== shapes[f][k])) {
      fail(t(`${what}.${f} has shape ${fmt(shape)}, expected ${want} (I = ${I}, H = ${H}${G === 4 ? ', four gate blocks of H rows' : ''}).`,
        `${what}.${f} 的形状是 ${fmt(shape)}，应为 ${want}（I = ${I}，H = ${H}${G === 4 ? '，四个门块各 H 行' : ''}）。`),
      { hint: t('PyTorch\'s layout: weightIh (G·H, I), weightHh (G·H, H), biasIh and biasHh (G·H), G = 1 for the RNN, 4 for the LSTM.',
        'PyTorch 的布局：weightIh (G·H, I)，weightHh (G·H, H)，biasIh 和 biasHh (G·H)，RNN 的 G = 1，LSTM 的 G = 4。') });
    }
    if (!v.requiresGrad) {
      fail(t(`${what}.${f} does not require a gradient: it is a parameter and must train.`, `${what}.${f} 不需要梯度：它是参数，必须参与训练。`),
        { hint: t('uniform(...) makes it with { requiresGrad: true }.', 'uniform(...) 创建的张量带有 { requiresGrad: true }。') });
    }
  }
  return p as unknown as Params;
}

/** Overwrites the cell's parameters with uniform values in [-scale, scale) from the check's generator; returns float64 copies. */
function setWeights(cell: Params, ctx: CheckContext, G: 1 | 4, I: number, H: number, scale: number): RnnWeights64 {
  for (const f of FIELDS) cell[f].data.set(rnnUniform64(ctx.random, cell[f].size, scale));
  return rnnWeights64(cell, I, H, G);
}

/** Every value within the checks' tolerance. */
const allClose = (a: { data: ArrayLike<number> }, b: ArrayLike<number>) =>
  a.data.length === b.length && Array.from(b).every((v, k) => Math.abs(Number(a.data[k]) - v) <= ATOL + RTOL * Math.abs(v));
const f64 = (x: { data: ArrayLike<number> }) => Float64Array.from(x.data, Number);
const asTensor = (data: ArrayLike<number>, shape: number[]) => ({ data, shape });

function expectTensor(v: unknown, what: string, shape: number[]): Tensor {
  if (!isTensorLike(v)) {
    const got = describeType(v);
    fail(t(`${what} is ${got.en}; expected a Tensor of shape ${fmt(shape)}.`, `${what} 是${got['zh-cn']}；应是形状为 ${fmt(shape)} 的 Tensor。`),
      { hint: v === undefined ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？') : undefined });
  }
  return v;
}

// --- init ------------------------------------------------------------------------------------------------------

function checkInit(m: Learner, lstm: boolean): void {
  const G = lstm ? 4 : 1;
  const make = (I: number, H: number, seed: number) => (lstm ? new m.LSTMCell(I, H, new Rng(seed)) : new m.RNNCell(I, H, new Rng(seed)));
  const name = lstm ? 'LSTMCell' : 'RNNCell';
  for (const [I, H] of [[5, 16], [16, 4]]) {
    const what = `new ${name}(${I}, ${H}, rng)`;
    const cell = expectParams(make(I, H, 11), G, I, H, what);
    const names = [...(cell as unknown as { namedParameters(): Map<string, Tensor> }).namedParameters().keys()];
    const missing = FIELDS.filter((f) => !names.includes(f));
    expectTrue(missing.length === 0, t(`${what}.namedParameters() lacks ${missing.join(', ')}: an optimizer would not update it.`,
      `${what}.namedParameters() 中缺少 ${missing.join(', ')}：优化器不会更新它。`));
    const k = 1 / Math.sqrt(H);
    const kIn = 1 / Math.sqrt(I);
    const values: number[] = [];
    let maxAbs = 0;
    for (const f of FIELDS) {
      const d = cell[f].data;
      for (let r = 0; r < d.length; r++) {
        // A forget-gate bias shifted by +1 (Keras's unit_forget_bias, Jozefowicz et al. 2015) is accepted.
        const inForget = lstm && (f === 'biasIh' || f === 'biasHh') && r >= H && r < 2 * H;
        let v = d[r];
        if (inForget && Math.abs(v) > k * (1 + 1e-6) && Math.abs(v - 1) <= k * (1 + 1e-6)) v -= 1;
        values.push(v);
        maxAbs = Math.max(maxAbs, Math.abs(v));
      }
    }
    for (const f of FIELDS) {
      const d = cell[f].data;
      if (d.every((v) => v === d[0])) {
        const v = d[0];
        fail(t(`${what}.${f} holds one value, ${v}, everywhere: draw it from U(-1/√H, 1/√H) with the rng, like the other parameters.`,
          `${what}.${f} 处处都是同一个值 ${v}：请和其他参数一样，用 rng 从 U(-1/√H, 1/√H) 抽取。`),
        { hint: t(`this.${f} = uniform(shape, 1 / Math.sqrt(hiddenSize), rng).`, `this.${f} = uniform(shape, 1 / Math.sqrt(hiddenSize), rng)。`) });
      }
    }
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    if (maxAbs > k * (1 + 1e-6)) {
      if (maxAbs <= kIn * (1 + 1e-6) && maxAbs > k * 1.2) fail(...mistake(M['init-fan-in']));
      fail(t(`${what}: a parameter value of magnitude ${maxAbs.toFixed(4)} lies outside [-1/√H, 1/√H] = [-${k.toFixed(4)}, ${k.toFixed(4)}].`,
        `${what}：有一个参数值的绝对值是 ${maxAbs.toFixed(4)}，超出了 [-1/√H, 1/√H] = [-${k.toFixed(4)}, ${k.toFixed(4)}]。`),
      { hint: t('uniform(shape, 1 / Math.sqrt(hiddenSize), rng) for each of the four parameters.', '四个参数都用 uniform(shape, 1 / Math.sqrt(hiddenSize), rng)。') });
    }
    // U(-k, k) has standard deviation k/√3 ≈ 0.577 k.
    const sd = (std / k).toFixed(3);
    expectTrue(std > 0.4 * k && std < 0.75 * k,
      t(`${what}: the parameters' standard deviation is ${sd}·(1/√H); U(-1/√H, 1/√H) gives 1/√3 ≈ 0.577·(1/√H). Are they all drawn uniformly (none left at zero)?`,
        `${what}：参数的标准差是 ${sd}·(1/√H)；U(-1/√H, 1/√H) 的标准差是 1/√3 ≈ 0.577·(1/√H)。它们都是均匀抽取的吗（有没有留成零的）？`),
      t('uniform(shape, 1 / Math.sqrt(hiddenSize), rng) for each of the four parameters.', '四个参数都用 uniform(shape, 1 / Math.sqrt(hiddenSize), rng)。'));
    const again = make(I, H, 11) as unknown as Params;
    const other = make(I, H, 12) as unknown as Params;
    // The same seed gives the same cell; another seed changes every one of the four parameters.
    const sameField = (a: Params, b: Params, f: (typeof FIELDS)[number]) => a[f].data.every((v, r) => v === b[f].data[r]);
    if (!FIELDS.every((f) => sameField(cell, again, f)) || FIELDS.some((f) => sameField(cell, other, f))) fail(...mistake(M['not-seeded']));
  }
}

// --- one step --------------------------------------------------------------------------------------------------

function lstmMisconceptions(w: RnnWeights64, x: Float64Array, h: Float64Array, c: Float64Array, B: number, part: 'h' | 'c'): Misconception[] {
  const at = (v: RnnVariant) => asTensor(lstmStep64(w, x, h, c, B, v)[part], [B, w.H]);
  const out: Misconception[] = [];
  const isOrder = (o: RnnGateBlocks, p: RnnGateBlocks) => o.i === p.i && o.f === p.f && o.g === p.g && o.o === p.o;
  out.push({ value: at({ order: RNN_ONNX_ORDER }), ...M['gate-order-onnx'] });
  out.push({ value: at({ order: RNN_TF_ORDER }), ...M['gate-order-tf'] });
  out.push({ value: at({ forgetOnInput: true }), ...M['forget-on-input'] });
  out.push({ value: at({ forgetShift: 1 }), ...M['forget-bias-in-step'] });
  for (const v of [{ gateAct: 'tanh', valueAct: 'sigmoid' }, { gateAct: 'tanh' }, { valueAct: 'sigmoid' }, { outAct: 'sigmoid' },
    { gateAct: 'tanh', valueAct: 'sigmoid', outAct: 'sigmoid' }, { valueAct: 'sigmoid', outAct: 'sigmoid' }] as RnnVariant[]) {
    out.push({ value: at(v), ...M['activations-swapped'] });
  }
  out.push({ value: at({ noBias: 'ih' }), ...M['one-bias'] }, { value: at({ noBias: 'hh' }), ...M['one-bias'] });
  for (const order of rnnOtherGateOrders()) {
    if (isOrder(order, RNN_ONNX_ORDER) || isOrder(order, RNN_TF_ORDER)) continue;
    // i and f swapped is c' = f ⊙ g + i ⊙ c: named above as forget-on-input.
    if (isOrder(order, { i: 1, f: 0, g: 2, o: 3 })) continue;
    out.push({ value: at({ order }), ...M['gate-order'] });
  }
  return out;
}

// --- unroll ----------------------------------------------------------------------------------------------------

/** A cell of the learner's class whose forward is the course's reference: unroll is judged on its own. */
function referenceCell(m: Learner, lstm: boolean, ctx: CheckContext, I: number, H: number): { cell: InstanceType<Learner['RNNCell']> | InstanceType<Learner['LSTMCell']>; w: RnnWeights64 } {
  const G = lstm ? 4 : 1;
  const params: Params = {
    weightIh: tensor(rnnUniform64(ctx.random, G * H * I, 0.9), [G * H, I]), weightHh: tensor(rnnUniform64(ctx.random, G * H * H, 0.9), [G * H, H]),
    biasIh: tensor(rnnUniform64(ctx.random, G * H, 0.9), [G * H]), biasHh: tensor(rnnUniform64(ctx.random, G * H, 0.9), [G * H]),
  };
  let cell: InstanceType<Learner['RNNCell']> | InstanceType<Learner['LSTMCell']>;
  if (lstm) {
    class ReferenceLSTM extends m.LSTMCell {
      override forward(x: Tensor, state: [Tensor, Tensor]): [Tensor, Tensor] {
        return lstmKitStep(params, x, state);
      }
    }
    cell = new ReferenceLSTM(I, H, new Rng(1));
  } else {
    class ReferenceRNN extends m.RNNCell {
      override forward(x: Tensor, h: Tensor): Tensor {
        return rnnKitStep(params, x, h);
      }
    }
    cell = new ReferenceRNN(I, H, new Rng(1));
  }
  Object.assign(cell, params);
  return { cell, w: rnnWeights64(params, I, H, G) };
}

// --- gradients -------------------------------------------------------------------------------------------------

function gradOfField(v: Tensor, what: string): Tensor {
  if (!v.grad) {
    fail(t(`${what} has no gradient after backward: build every step from kit ops on the cell's own parameters (not from copies of .data), so autograd can go back through time.`,
      `反向传播之后 ${what} 没有梯度：每一步都要用库里的运算、基于单元自己的参数来搭建（不要用 .data 的副本），自动求导才能沿时间反向传播。`));
  }
  return tensor(v.grad, v.shape);
}

/** ‖∂L/∂h_t‖ for t = 0..T with L = ⟨v, h_T⟩, through the learner's cell, stepping by hand. */
function gradNorms(cell: { forward: (x: Tensor, s: never) => unknown }, lstm: boolean, xs: Tensor[], B: number, H: number, v: Tensor, name: string): number[] {
  const h0 = zeros([B, H], { requiresGrad: true });
  const hs: Tensor[] = [h0];
  let state: Tensor | [Tensor, Tensor] = lstm ? [h0, zeros([B, H])] : h0;
  for (const x of xs) {
    const out = cell.forward(x, state as never);
    if (lstm) {
      const pair = out as [Tensor, Tensor];
      if (!Array.isArray(pair) || !isTensorLike(pair[0]) || !isTensorLike(pair[1])) {
        const got = describeType(out);
        fail(t(`${name}.forward(x, [h, c]) returned ${got.en}; expected [h', c'].`, `${name}.forward(x, [h, c]) 返回了${got['zh-cn']}；应返回 [h', c']。`));
      }
      state = pair;
      hs.push(pair[0]);
    } else {
      const h = expectTensor(out, `${name}.forward(x, h)`, [B, H]);
      state = h;
      hs.push(h);
    }
  }
  sum(mul(hs[hs.length - 1], v)).backward();
  return hs.map((h, k) => {
    if (!h.grad) {
      fail(t(`after backward, h_${k} has no gradient: each step must be built from kit ops on the state it is given.`,
        `反向传播之后 h_${k} 没有梯度：每一步都必须用库里的运算、基于传进来的状态来搭建。`));
    }
    return rnnNorm(h.grad);
  });
}

const GAP_T = 50;
const GAP_H = 16;
const GAP_I = 4;
/** The LSTM's forget gate starts open: bias 1 on its block (Jozefowicz et al. 2015; Keras's unit_forget_bias). */
const FORGET_BIAS = 1;
/** The lesson states it: the RNN's ‖∂L/∂h_0‖ is at least this many times smaller than the LSTM's. */
const MIN_RATIO = 1e4;

export default defineChecks<Learner>({
  exports: ['RNNCell', 'LSTMCell', 'unroll'],
  checks: [
    {
      name: t('RNNCell: weightIh (H, I), weightHh (H, H), biasIh and biasHh (H), trainable, drawn from U(-1/√H, 1/√H) with the rng',
        'RNNCell：weightIh (H, I)、weightHh (H, H)、biasIh 和 biasHh (H)，可训练，用 rng 从 U(-1/√H, 1/√H) 抽取'),
      task: 'RNNCell',
      run: (m) => checkInit(m, false),
    },
    {
      name: t('RNNCell.forward: one step h\' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) against a float64 reference',
        'RNNCell.forward：一步 h\' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)，与 float64 参考实现对比'),
      task: 'RNNCell',
      run: (m, ctx) => {
        for (const [B, I, H] of [[3, 4, 5], [1, 6, 2], [4, 3, 3]]) {
          const what = `RNNCell(${I}, ${H}).forward(x ${fmt([B, I])}, h ${fmt([B, H])})`;
          const cell = new m.RNNCell(I, H, new Rng(3));
          const w = setWeights(expectParams(cell, 1, I, H, `new RNNCell(${I}, ${H})`), ctx, 1, I, H, 0.9);
          const x = randomTensor(ctx, [B, I], 1.5);
          const h = randomTensor(ctx, [B, H], 0.9);
          const xb = snapshot(x);
          const hb = snapshot(h);
          const y = expectTensor(cell.forward(x, h), what, [B, H]);
          expectUnchanged(x, xb, 'x', UNCHANGED_HINT);
          expectUnchanged(h, hb, 'h', UNCHANGED_HINT);
          const at = (v: RnnVariant = {}) => asTensor(rnnStep64(w, xb.data, hb.data, B, v), [B, H]);
          expectCloseLazy(y, at(), { what, rtol: RTOL, atol: ATOL, hint: M['one-bias'].hint }, () => [
            { value: at({ hhNotTransposed: true }), ...M['hh-not-transposed'] },
            { value: at({ noBias: 'ih' }), ...M['one-bias'] }, { value: at({ noBias: 'hh' }), ...M['one-bias'] },
            { value: at({ valueAct: 'sigmoid' }), ...M['activations-swapped'] },
          ]);
        }
      },
    },
    {
      name: t('LSTMCell: weightIh (4H, I), weightHh (4H, H), biasIh and biasHh (4H), trainable, drawn from U(-1/√H, 1/√H) with the rng',
        'LSTMCell：weightIh (4H, I)、weightHh (4H, H)、biasIh 和 biasHh (4H)，可训练，用 rng 从 U(-1/√H, 1/√H) 抽取'),
      task: 'LSTMCell',
      run: (m) => checkInit(m, true),
    },
    {
      name: t('LSTMCell.forward: one step with PyTorch\'s gate order i, f, g, o against a float64 reference',
        'LSTMCell.forward：按 PyTorch 的门顺序 i、f、g、o 走一步，与 float64 参考实现对比'),
      task: 'LSTMCell',
      run: (m, ctx) => {
        for (const [B, I, H] of [[2, 3, 4], [1, 5, 3], [3, 2, 6]]) {
          const what = `LSTMCell(${I}, ${H}).forward(x ${fmt([B, I])}, [h, c])`;
          const cell = new m.LSTMCell(I, H, new Rng(3));
          const w = setWeights(expectParams(cell, 4, I, H, `new LSTMCell(${I}, ${H})`), ctx, 4, I, H, 0.9);
          const x = randomTensor(ctx, [B, I], 1.5);
          const h = randomTensor(ctx, [B, H], 0.9);
          const c = randomTensor(ctx, [B, H], 2);
          const [xb, hb, cb] = [snapshot(x), snapshot(h), snapshot(c)];
          const out = cell.forward(x, [h, c]) as unknown;
          if (!Array.isArray(out) || out.length !== 2) {
            const got = describeType(out);
            fail(t(`${what} returned ${got.en}; expected the pair [h', c'].`, `${what} 返回了${got['zh-cn']}；应返回一对 [h', c']。`),
              { hint: t('return [h2, c2];', 'return [h2, c2];') });
          }
          const h2 = expectTensor(out[0], `${what}[0] (h')`, [B, H]);
          const c2 = expectTensor(out[1], `${what}[1] (c')`, [B, H]);
          for (const [v, b, n] of [[x, xb, 'x'], [h, hb, 'h'], [c, cb, 'c']] as const) expectUnchanged(v, b, n, UNCHANGED_HINT);
          const ref = lstmStep64(w, xb.data, hb.data, cb.data, B);
          if (allClose(h2, ref.c) && allClose(c2, ref.h)) {
            fail(t(`${what} returned the pair as [c', h']: this lesson's LSTMCell, like PyTorch's, takes and returns [h, c], h first.`,
              `${what} 返回的一对是 [c', h']：本课的 LSTMCell 和 PyTorch 的一样，接收和返回的都是 [h, c]，h 在前。`), { hint: t('return [h2, c2];', 'return [h2, c2];') });
          }
          const hint = t('z = add(linear(x, weightIh, biasIh), linear(h, weightHh, biasHh)); i, f, g, o = its four blocks of H columns; c\' = f ⊙ c + i ⊙ g; h\' = o ⊙ tanh(c\').',
            'z = add(linear(x, weightIh, biasIh), linear(h, weightHh, biasHh))；i、f、g、o 是它的四个各 H 列的块；c\' = f ⊙ c + i ⊙ g；h\' = o ⊙ tanh(c\')。');
          // c' first: every mistake but the output's squashing shows in it.
          expectCloseLazy(c2, asTensor(ref.c, [B, H]), { what: `${what}[1] (c')`, rtol: RTOL, atol: ATOL, hint },
            () => lstmMisconceptions(w, f64(xb), f64(hb), f64(cb), B, 'c'));
          expectCloseLazy(h2, asTensor(ref.h, [B, H]), { what: `${what}[0] (h')`, rtol: RTOL, atol: ATOL, hint },
            () => lstmMisconceptions(w, f64(xb), f64(hb), f64(cb), B, 'h'));
        }
      },
    },
    {
      name: t('unroll: h_1 ... h_T, each step fed the state the previous step returned, for both cells, with and without h0',
        'unroll：返回 h_1 ... h_T，每一步都拿到上一步返回的状态，两种单元都要，给出和不给出 h0 都要'),
      task: 'unroll',
      run: (m, ctx) => {
        const cases: [boolean, number, number, number, number, boolean][] = [
          [false, 2, 3, 4, 5, true], [false, 1, 2, 3, 3, false], [true, 2, 3, 4, 4, true], [true, 3, 2, 2, 3, false], [false, 2, 3, 4, 0, true],
        ];
        for (const [lstm, B, I, H, T, giveH0] of cases) {
          const { cell, w } = referenceCell(m, lstm, ctx, I, H);
          const xs = Array.from({ length: T }, () => randomTensor(ctx, [B, I], 1.5));
          const h0 = randomTensor(ctx, [B, H], 0.9);
          const c0 = randomTensor(ctx, [B, H], 1.5);
          const before = [...xs, h0, c0].map(snapshot);
          const kind = lstm ? 'LSTMCell' : 'RNNCell';
          const what = `unroll(${kind}(${I}, ${H}), xs (${T} × ${fmt([B, I])})${giveH0 ? (lstm ? ', [h0, c0]' : ', h0') : ''})`;
          const initial = giveH0 ? (lstm ? [h0, c0] as [Tensor, Tensor] : h0) : undefined;
          const hs = m.unroll(cell, xs, initial) as unknown;
          [...xs, h0, c0].forEach((v, k) => expectUnchanged(v, before[k], k < T ? `xs[${k}]` : k === T ? 'h0' : 'c0', UNCHANGED_HINT));
          if (!Array.isArray(hs)) {
            const got = describeType(hs);
            fail(t(`${what} returned ${got.en}; expected an array of ${T} tensors [h_1, ..., h_T].`, `${what} 返回了${got['zh-cn']}；应返回由 ${T} 个张量组成的数组 [h_1, ..., h_T]。`),
              { hint: hs === undefined ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？') : undefined });
          }
          if (hs.length !== T) {
            const n = hs.length;
            fail(t(`${what} returned ${n} states; expected ${T}: one per input, the states after each step, h_1 ... h_T (not h0).`,
              `${what} 返回了 ${n} 个状态；应为 ${T} 个：每个输入一个，即每一步之后的状态 h_1 ... h_T（不含 h0）。`));
          }
          const zero = new Float64Array(B * H);
          const start = giveH0 ? f64(before[T]) : zero;
          const cStart = lstm ? (giveH0 ? f64(before[T + 1]) : zero) : null;
          const xs64 = before.slice(0, T).map(f64);
          const ref = rnnUnroll64(w, xs64, start, cStart, B);
          const wrong = lstm ? (['none', 'h-only', 'c-only'] as const) : (['none'] as const);
          for (let s = 0; s < T; s++) {
            const got = expectTensor(hs[s], `${what}[${s}]`, [B, H]);
            expectCloseLazy(got, asTensor(ref[s], [B, H]), {
              what: `${what}[${s}] (h_${s + 1})`, rtol: RTOL, atol: ATOL,
              hint: t('Keep the state outside the loop: state = cell.forward(x, state), and push the new h.', '把状态放在循环外：state = cell.forward(x, state)，再把新的 h 放进结果。'),
            }, () => wrong.map((carry) => ({ value: asTensor(rnnUnroll64(w, xs64, start, cStart, B, carry)[s], [B, H]), ...M['state-not-carried'] })));
          }
        }
      },
    },
    {
      name: t('backprop through time: the gradients of all four parameters and of h0 through unroll match a float64 reference',
        '随时间反向传播：经过 unroll 后四个参数和 h0 的梯度与 float64 参考实现一致'),
      task: 'unroll',
      run: (m, ctx) => {
        for (const [lstm, B, I, H, T] of [[false, 2, 3, 4, 6], [true, 2, 3, 3, 5]] as const) {
          const G = lstm ? 4 : 1;
          const kind = lstm ? 'LSTMCell' : 'RNNCell';
          const cell = lstm ? new m.LSTMCell(I, H, new Rng(5)) : new m.RNNCell(I, H, new Rng(5));
          const params = expectParams(cell, G, I, H, `new ${kind}(${I}, ${H})`);
          const w = setWeights(params, ctx, G, I, H, 0.7);
          for (const f of FIELDS) params[f].grad = null;
          const xs = Array.from({ length: T }, () => randomTensor(ctx, [B, I], 1.5));
          const h0 = randomTensor(ctx, [B, H], 0.9);
          h0.requiresGrad = true;
          const c0 = randomTensor(ctx, [B, H], 1);
          const dhs = Array.from({ length: T }, () => randomTensor(ctx, [B, H], 1));
          const [xs64, h064, c064] = [xs.map(f64), f64(h0), f64(c0)];
          const hs = m.unroll(cell, xs, lstm ? [h0, c0] : h0) as unknown as Tensor[];
          expectTrue(Array.isArray(hs) && hs.length === T && hs.every(isTensorLike),
            t(`unroll(${kind}, xs) should return ${T} tensors: the unroll check says more.`, `unroll(${kind}, xs) 应返回 ${T} 个张量：unroll 的那项检查会说明得更详细。`));
          // L = Σ_t ⟨dhs[t], h_{t+1}⟩: a loss that looks at every step.
          let loss = sum(mul(hs[0], dhs[0]));
          for (let s = 1; s < T; s++) loss = add(loss, sum(mul(hs[s], dhs[s])));
          if (!loss.requiresGrad) {
            fail(t('The hidden states do not depend on the parameters through autograd: build the steps from kit ops on the cell\'s parameters, not on copies of .data.',
              '隐藏状态没有通过自动求导依赖于参数：请用库里的运算、基于单元的参数搭建每一步，不要用 .data 的副本。'));
          }
          loss.backward();
          const ref = rnnBptt64(w, xs64, h064, lstm ? c064 : null, B, dhs.map(f64));
          const refs: Record<(typeof FIELDS)[number], Float64Array> = { weightIh: ref.dWIh, weightHh: ref.dWHh, biasIh: ref.dBIh, biasHh: ref.dBHh };
          const hint = t('If the one-step checks pass, look at unroll: every step must use the state the previous one returned, built with kit ops.',
            '如果单步的检查都通过了，就看 unroll：每一步都必须用上一步返回的、由库里的运算搭出来的状态。');
          for (const f of FIELDS) {
            expectClose(gradOfField(params[f], `${kind}.${f}`), asTensor(refs[f], params[f].shape), { what: `${kind}.${f}.grad`, rtol: 1e-3, atol: 1e-5, hint });
          }
          expectClose(gradOfField(h0, 'h0'), asTensor(ref.dh[0], [B, H]), { what: 'h0.grad', rtol: 1e-3, atol: 1e-5, hint });
        }
      },
    },
    {
      name: t('vanishing gradients: over 50 steps with a loss at the end only, the RNN\'s ‖∂L/∂h_0‖ is orders of magnitude below the LSTM\'s',
        '梯度消失：50 步、只在最后一步计算损失时，RNN 的 ‖∂L/∂h_0‖ 比 LSTM 的小好几个数量级'),
      task: 'LSTMCell',
      run: (m, ctx) => {
        const k = 1 / Math.sqrt(GAP_H);
        const xs = Array.from({ length: GAP_T }, () => randomTensor(ctx, [1, GAP_I], 1));
        const v = randomTensor(ctx, [1, GAP_H], 1);
        const rnn = new m.RNNCell(GAP_I, GAP_H, new Rng(7));
        const lstm = new m.LSTMCell(GAP_I, GAP_H, new Rng(7));
        const wr = setWeights(expectParams(rnn, 1, GAP_I, GAP_H, `new RNNCell(${GAP_I}, ${GAP_H})`), ctx, 1, GAP_I, GAP_H, k);
        const lp = expectParams(lstm, 4, GAP_I, GAP_H, `new LSTMCell(${GAP_I}, ${GAP_H})`);
        setWeights(lp, ctx, 4, GAP_I, GAP_H, k);
        for (let j = GAP_H; j < 2 * GAP_H; j++) {
          lp.biasIh.data[j] = FORGET_BIAS;
          lp.biasHh.data[j] = 0;
        }
        const wl = rnnWeights64(lp, GAP_I, GAP_H, 4);
        const xs64 = xs.map(f64);
        const dhs = xs.map((_, s) => (s === GAP_T - 1 ? f64(v) : new Float64Array(GAP_H)));
        const refR = rnnBptt64(wr, xs64, new Float64Array(GAP_H), null, 1, dhs).dh.map(rnnNorm);
        const refL = rnnBptt64(wl, xs64, new Float64Array(GAP_H), new Float64Array(GAP_H), 1, dhs).dh.map(rnnNorm);
        const gotR = gradNorms(rnn as never, false, xs, 1, GAP_H, v, 'RNNCell');
        const gotL = gradNorms(lstm as never, true, xs, 1, GAP_H, v, 'LSTMCell');
        const steps = gotR.map((_, s) => s);
        const log = (ns: number[]) => ns.map((n) => (n > 0 ? Math.log10(n) : -45));
        ctx.artifact({
          kind: 'curve',
          title: t('‖∂L/∂h_t‖ per step, loss at the last step only (log10): plain RNN vs LSTM (forget-gate bias 1)',
            '每一步的 ‖∂L/∂h_t‖，只在最后一步计算损失（log10）：普通 RNN 与 LSTM（遗忘门偏置为 1）'),
          xLabel: t('step t', '时间步 t'),
          yLabel: t('log10 ‖∂L/∂h_t‖', 'log10 梯度范数'),
          series: [
            { name: t('RNN (your RNNCell)', 'RNN（你的 RNNCell）'), x: steps, y: log(gotR) },
            { name: t('LSTM (your LSTMCell)', 'LSTM（你的 LSTMCell）'), x: steps, y: log(gotL) },
          ],
        });
        const hint = t('The one-step checks of each cell say which part of the step differs.', '每种单元的单步检查会指出这一步的哪一部分不对。');
        for (const [name, got, ref] of [['RNNCell', gotR, refR], ['LSTMCell', gotL, refL]] as const) {
          // Compared from t = 50 back to 0: the first step that differs is where the difference enters.
          for (let s = GAP_T; s >= 0; s--) {
            if (!(Math.abs(got[s] - ref[s]) <= 1e-2 * ref[s])) {
              const [g, r] = [got[s].toExponential(3), ref[s].toExponential(3)];
              fail(t(`‖∂L/∂h_${s}‖ through your ${name} is ${g}; backprop through time in float64, on the same weights and inputs, gives ${r}.`,
                `经过你的 ${name}，‖∂L/∂h_${s}‖ 是 ${g}；在同样的权重和输入上，用 float64 随时间反向传播得到的是 ${r}。`),
              { hint, expected: { kind: 'number', value: ref[s] }, actual: { kind: 'number', value: got[s] } });
            }
          }
        }
        const ratio = gotL[0] / gotR[0];
        const [r0, l0] = [gotR[0].toExponential(2), gotL[0].toExponential(2)];
        expectTrue(ratio >= MIN_RATIO,
          t(`‖∂L/∂h_0‖ is ${r0} for the RNN and ${l0} for the LSTM: the LSTM's should be at least ${MIN_RATIO} times larger.`,
            `RNN 的 ‖∂L/∂h_0‖ 是 ${r0}，LSTM 的是 ${l0}：LSTM 的应当至少大 ${MIN_RATIO} 倍。`));
      },
    },
  ],
});
