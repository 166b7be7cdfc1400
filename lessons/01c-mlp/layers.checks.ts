/**
 * Checks for the MLP lesson, exercise 1 (mlp/layers): relu, tanh, sigmoid, gelu, Linear and MLP.
 *
 * Expected values and gradients come from float64 references (@llm-lab/course/foundations, mlpRef...) applied to
 * copies of the inputs taken before the learner's code ran. Any correct style passes: kit ops, the kit's fused
 * relu/tanh/gelu, loops that build a fresh op, uniform or normal init with the right std, a bias that starts at zero or
 * at PyTorch's U(±1/√in).
 *
 * Which check names which catalogued mistake (lessons/01c-mlp/mistakes.ts):
 *   check                                                names
 *   activations: values on hand-worked inputs ...        tanh-overflow, sigmoid-overflow, gelu-erf (PyTorch's convention)
 *   activations: autograd gives the right gradients ...  tanh-overflow, sigmoid-overflow
 *   Linear: y = x Wᵀ + b ...                             weight-in-out (Keras' convention)
 *   Linear init: the std of the weights ...              init-pytorch-default (PyTorch's convention), init-bound-as-std,
 *                                                        zero-init, rng-ignored
 *   MLP: layers, shapes ...                              act-after-last, weight-in-out, rng-ignored, zero-init
 *   MLP: autograd gives every weight ...                 (none: gradients against float64 central finite differences)
 *   kaiming + relu keeps the activations' scale ...      init-pytorch-default, init-bound-as-std, zero-init
 *   training: an MLP with your layers learns ...         zero-init
 *   dead ReLUs ...                                       zero-init (and the fraction of units that never fire, before and after)
 */
import {
  type CheckContext, defineChecks, describeType, expectClose, expectTrue, expectUnchanged, fail, isTensorLike, mistake, snapshot, t,
} from '@llm-lab/check';
import {
  type MlpActivationName, mlpCopy, mlpGeluErf, mlpRefActivation, mlpRefForward, mlpRefLinear, mlpSpiral, mlpTensor,
} from '@llm-lab/course/foundations';
import { Linear as KitLinear, Rng, type Tensor, crossEntropy, relu as kitRelu } from '@llm-lab/kit';
import { MLP_MISTAKES as M } from './mistakes';

type Learner = typeof import('./layers');
type LinearLike = { weight: Tensor; bias: Tensor | null; forward(x: Tensor): Tensor; namedParameters(): Map<string, Tensor> };
type MlpLike = { layers: LinearLike[]; forward(x: Tensor): Tensor; parameters(): Tensor[]; namedParameters(): Map<string, Tensor> };

const ACTS: MlpActivationName[] = ['relu', 'tanh', 'sigmoid', 'gelu'];
const EXTREMES = [-1000, -100, -20, -3, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 3, 20, 100, 1000];

function gauss(rng: Rng, n: number, std = 1): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal(0, std));
}

function uniformValues(ctx: CheckContext, n: number, scale: number): number[] {
  return Array.from({ length: n }, () => (2 * ctx.random() - 1) * scale);
}

/** Calls f(x), checks x is unchanged and a tensor of x's shape came back. */
function call(f: (x: Tensor) => Tensor, x: Tensor, what: string): Tensor {
  const before = snapshot(x);
  const y = f(x);
  expectUnchanged(x, before, 'x', t(`${what} must compute a new tensor and leave x as it was.`, `${what} 必须算出一个新张量，x 保持原样。`));
  if (!isTensorLike(y)) {
    const got = describeType(y);
    fail(t(`${what} returned ${got.en}; expected a Tensor.`, `${what} 返回了${got['zh-cn']}；应返回 Tensor。`),
      { hint: y === undefined ? t('Did you forget to `return` the result?', '是不是忘了 `return` 结果？') : undefined });
  }
  expectTrue(y.shape.length === x.shape.length && y.shape.every((d, i) => d === x.shape[i]),
    t(`${what} has shape (${y.shape.join(', ')}); an activation keeps x's shape (${x.shape.join(', ')}).`,
      `${what} 的形状是 (${y.shape.join(', ')})；激活函数应保持 x 的形状 (${x.shape.join(', ')})。`));
  return y;
}

const overflowMistake = (name: MlpActivationName) => (name === 'tanh' ? M['tanh-overflow'] : name === 'sigmoid' ? M['sigmoid-overflow'] : null);

/** The std and mean of a tensor's values. */
function stats(v: ArrayLike<number>): { std: number; mean: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < v.length; i++) { s += v[i]; s2 += v[i] * v[i]; }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(Math.max(s2 / v.length - mean * mean, 0)) };
}

const allZero = (v: ArrayLike<number>) => Array.prototype.every.call(v, (x: number) => x === 0);
const near = (ratio: number, target: number) => Math.abs(ratio / target - 1) < 0.03;

/** Names the init mistake a weight std ratio (actual / expected kaiming or xavier std) points to, if any. */
function initMistake(ratio: number, bound: 'kaiming' | 'xavier') {
  if (ratio === 0) return M['zero-init'];
  if (near(ratio, 1 / Math.sqrt(3))) return M['init-bound-as-std'];
  if (bound === 'kaiming' && near(ratio, 1 / Math.sqrt(6))) return M['init-pytorch-default'];
  return null;
}

function expectShapeOf(w: unknown, shape: number[], what: string): void {
  if (!isTensorLike(w)) {
    const got = describeType(w);
    fail(t(`${what} is ${got.en}; expected a Tensor.`, `${what} 是${got['zh-cn']}；应为 Tensor。`));
  }
  const same = w.shape.length === shape.length && w.shape.every((d, i) => d === shape[i]);
  if (!same && shape.length === 2 && w.shape.length === 2 && w.shape[0] === shape[1] && w.shape[1] === shape[0]) fail(...mistake(M['weight-in-out']));
  expectTrue(same, t(`${what} has shape (${w.shape.join(', ')}), expected (${shape.join(', ')}).`, `${what} 的形状是 (${w.shape.join(', ')})，应为 (${shape.join(', ')})。`));
}

/** Writes values into a parameter's data (a "trained" layer). */
function setValues(p: Tensor, values: ArrayLike<number>): void {
  for (let i = 0; i < p.data.length; i++) p.data[i] = values[i];
}

const SEED_CHECK = (make: (seed: number) => Tensor[]) => {
  const same = (a: Tensor[], b: Tensor[]) => a.every((p, i) => p.data.every((v, j) => v === b[i].data[j]));
  const a = make(3);
  const b = make(3);
  const c = make(4);
  if (a.every((p) => allZero(p.data))) fail(...mistake(M['zero-init']));
  if (!same(a, b) || same(a, c)) fail(...mistake(M['rng-ignored']));
};

interface SpiralRun { losses: number[]; accuracy: number; deadBefore: number; deadAfter: number; identicalRows: boolean; finite: boolean }

/** The fraction of the first hidden layer's units that are 0 for every point of the batch. */
function deadFraction(mlp: MlpLike, x: Tensor): number {
  const h = mlp.layers[0].forward(x);
  const [N, H] = h.shape;
  let dead = 0;
  for (let j = 0; j < H; j++) {
    let fires = false;
    for (let n = 0; n < N && !fires; n++) fires = h.data[n * H + j] > 0;
    if (!fires) dead++;
  }
  return dead / H;
}

const STEPS = 300;
const LR = 0.5;
const CURVE_TITLE = t('Training an MLP [2, 32, 32, 3] on the spiral (full batch, SGD, lr 0.5)', '在螺旋数据上训练 MLP [2, 32, 32, 3]（全批次，SGD，学习率 0.5）');

function curve(losses: number[]) {
  return {
    kind: 'curve' as const, title: CURVE_TITLE, xLabel: t('step', '步数'), yLabel: t('cross-entropy loss', '交叉熵损失'),
    series: [{ name: t('your MLP', '你的 MLP'), x: losses.map((_, i) => i), y: losses }],
  };
}

export default defineChecks<Learner>({
  exports: ['relu', 'tanh', 'sigmoid', 'gelu', 'Linear', 'MLP'],
  shared: {
    spiral: (m, ctx): SpiralRun => {
      const data = mlpSpiral(100, 3, 1);
      const x = mlpTensor(data.x, [data.N, 2]);
      const mlp = new m.MLP([2, 32, 32, 3], { rng: new Rng(7) }) as unknown as MlpLike;
      const deadBefore = deadFraction(mlp, x);
      const params = mlp.parameters();
      const losses: number[] = [];
      let finite = true;
      for (let step = 0; step < STEPS; step++) {
        for (const p of params) p.grad?.fill(0);
        const loss = crossEntropy(mlp.forward(x), data.labels);
        const v = loss.item();
        if (!Number.isFinite(v)) { finite = false; break; }
        losses.push(v);
        loss.backward();
        for (const p of params) {
          if (!p.grad) continue;
          for (let i = 0; i < p.data.length; i++) p.data[i] -= LR * p.grad[i];
        }
        if (step % 50 === 0) ctx.progress(curve(losses));
      }
      ctx.progress(curve(losses));
      const logits = mlp.forward(x);
      let right = 0;
      for (let n = 0; n < data.N; n++) {
        let best = 0;
        for (let c = 1; c < 3; c++) if (logits.data[n * 3 + c] > logits.data[n * 3 + best]) best = c;
        if (best === data.labels[n]) right++;
      }
      const w = mlp.layers[0].weight;
      const [H, I] = w.shape;
      let identicalRows = true;
      for (let j = 1; j < H && identicalRows; j++) for (let i = 0; i < I; i++) if (w.data[j * I + i] !== w.data[i]) { identicalRows = false; break; }
      return { losses, accuracy: right / data.N, deadBefore, deadAfter: deadFraction(mlp, x), identicalRows, finite };
    },
  },
  checks: [
    {
      name: t('activations: values on hand-worked inputs and at ±1000', '激活函数：手算输入以及 ±1000 处的取值'),
      task: 'gelu',
      run: (m, ctx) => {
        for (const name of ACTS) {
          const values = [...EXTREMES, ...uniformValues(ctx, 15, 4)];
          const x = mlpTensor(values, [2, 15]);
          const copy = mlpCopy(x);
          const y = call(m[name], x, `${name}(x)`);
          const expected = { data: copy.map((v) => mlpRefActivation(name, v).y), shape: [2, 15] };
          const bad = Array.from(y.data).findIndex((v) => !Number.isFinite(v));
          if (bad >= 0) {
            const own = overflowMistake(name);
            if (own) fail(...mistake(own, { actual: { kind: 'text', text: `${name}(${copy[bad]}) = ${y.data[bad]}` } }));
            if (name === 'gelu' && !Array.from(m.tanh(mlpTensor([-1000, 1000], [2])).data).every(Number.isFinite)) fail(...mistake(M['tanh-overflow']));
            fail(t(`${name}(${copy[bad]}) is ${y.data[bad]}; expected ${expected.data[bad]}.`, `${name}(${copy[bad]}) 是 ${y.data[bad]}；应为 ${expected.data[bad]}。`),
              { hint: t('Large |x| must not overflow: build with exponentials of negative numbers only (e^{-|x|}).', '|x| 很大时不能溢出：只对负数取指数（e^{-|x|}）。') });
          }
          expectClose(y, expected, {
            what: `${name}(x)`, rtol: 1e-5, atol: 1e-6,
            misconceptions: name === 'gelu' ? [{ value: { data: copy.map(mlpGeluErf), shape: [2, 15] }, ...M['gelu-erf'] }] : [],
            hint: name === 'gelu' ? t('0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³))).', '0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))。') : undefined,
          });
        }
      },
    },
    {
      name: t('activations: autograd gives the right gradients, at ±1000 too', '激活函数：自动求导给出正确的梯度，±1000 处也一样'),
      task: 'sigmoid',
      run: (m, ctx) => {
        for (const name of ACTS) {
          // relu has no derivative at 0 (PyTorch takes 0, others 1): its gradient is compared away from 0.
          const values = [...EXTREMES.filter((v) => name !== 'relu' || v !== 0), ...uniformValues(ctx, 12, 4)];
          const x = mlpTensor(values, [values.length], true);
          const copy = mlpCopy(x);
          const g = uniformValues(ctx, values.length, 1).map((v) => v + Math.sign(v));
          const y = call(m[name], x, `${name}(x)`);
          if (!y.requiresGrad) {
            fail(t(`${name}(x) does not require grad though x does: build it from kit ops, so that autograd can go back through it (a new Tensor made from y.data cuts the graph).`,
              `x 需要梯度，${name}(x) 却不需要：请用库里的运算搭建它，自动求导才能穿过它（用 y.data 新建的 Tensor 会切断计算图）。`));
          }
          y.backward(mlpTensor(g, [values.length]));
          const expected = copy.map((v, i) => mlpRefActivation(name, v).dy * g[i]);
          const grad = x.grad ?? new Float32Array(values.length);
          const bad = Array.from(grad).findIndex((v) => !Number.isFinite(v));
          if (bad >= 0) {
            const own = overflowMistake(name);
            if (own) fail(...mistake(own, { actual: { kind: 'text', text: `d ${name}(x)/dx at x = ${copy[bad]}: ${grad[bad] / g[bad]}` } }));
            fail(t(`The gradient of ${name} at x = ${copy[bad]} is ${grad[bad] / g[bad]}; expected ${mlpRefActivation(name, copy[bad]).dy}.`,
              `${name} 在 x = ${copy[bad]} 处的梯度是 ${grad[bad] / g[bad]}；应为 ${mlpRefActivation(name, copy[bad]).dy}。`),
            { hint: t('Somewhere an exponential overflows to Infinity and its backward multiplies it by 0: use e^{-|x|}.', '某处的指数溢出成 Infinity，反向传播又把它乘以 0：请用 e^{-|x|}。') });
          }
          expectClose(grad, expected, { what: `x.grad after ${name}(x).backward(g)`, rtol: 1e-4, atol: 1e-6,
            hint: t('Gradients come from autograd: build the activation from kit ops and do not detach anything that depends on x (masks and signs may be constants).',
              '梯度来自自动求导：用库里的运算搭出激活函数，不要把依赖 x 的部分分离出去（掩码和符号可以是常量）。') });
        }
      },
    },
    {
      name: t('Linear: y = x Wᵀ + b with weight (out, in), for 2-D and 3-D inputs, with and without bias', 'Linear：y = x Wᵀ + b，权重为 (out, in)，二维与三维输入，有无偏置'),
      task: 'Linear',
      run: (m, ctx) => {
        for (const [inp, out, bias] of [[5, 4, true], [3, 7, false], [6, 6, true]] as [number, number, boolean][]) {
          const layer = new m.Linear(inp, out, { bias, rng: new Rng(2) }) as unknown as LinearLike;
          expectShapeOf(layer.weight, [out, inp], 'layer.weight');
          expectTrue(layer.weight.requiresGrad, t('layer.weight must be a parameter: new Tensor(values, shape, true).', 'layer.weight 必须是参数：new Tensor(values, shape, true)。'));
          if (bias) {
            expectShapeOf(layer.bias, [out], 'layer.bias');
            expectTrue(layer.bias!.requiresGrad, t('layer.bias must be a parameter: new Tensor(values, shape, true).', 'layer.bias 必须是参数：new Tensor(values, shape, true)。'));
          } else {
            expectTrue(layer.bias === null, t(`With { bias: false } layer.bias must be null, got ${describeType(layer.bias).en}.`, `传入 { bias: false } 时 layer.bias 必须是 null，实际是${describeType(layer.bias)['zh-cn']}。`));
          }
          const names = [...layer.namedParameters().keys()].sort().join(', ');
          const want = bias ? 'bias, weight' : 'weight';
          expectTrue(names === want, t(`layer.namedParameters() lists [${names}]; expected [${want}].`, `layer.namedParameters() 列出的是 [${names}]；应为 [${want}]。`));
          setValues(layer.weight, uniformValues(ctx, out * inp, 1));
          if (layer.bias) setValues(layer.bias, uniformValues(ctx, out, 1));
          const w = mlpCopy(layer.weight);
          const b = layer.bias ? mlpCopy(layer.bias) : null;
          for (const lead of [[3], [2, 3]]) {
            const N = lead.reduce((p, d) => p * d, 1);
            const x = mlpTensor(uniformValues(ctx, N * inp, 2), [...lead, inp]);
            const copy = mlpCopy(x);
            const y = layer.forward(x);
            expectUnchanged(x, snapshot({ data: copy, shape: x.shape }), 'x');
            expectClose(y, { data: mlpRefLinear(copy, N, w, out, inp, b), shape: [...lead, out] }, {
              what: `Linear(${inp}, ${out}${bias ? '' : ', { bias: false }'}).forward(x (${[...lead, inp].join(', ')}))`, rtol: 1e-5, atol: 1e-5,
              hint: t('forward: linear(x, this.weight, this.bias), which works on any leading dims.', 'forward：linear(x, this.weight, this.bias)，它适用于任意前导维度。'),
            });
          }
        }
      },
    },
    {
      name: t('Linear init: the std of the weights matches kaiming and xavier on a large layer, zeros gives zeros, the rng is used', 'Linear 初始化：大层上权重的标准差符合 kaiming 和 xavier，zeros 给出零，并使用了 rng'),
      task: 'Linear',
      run: (m) => {
        const cases: [number, number, 'kaiming' | 'xavier' | undefined, number][] = [
          [512, 256, undefined, Math.sqrt(2 / 512)], [300, 200, 'kaiming', Math.sqrt(2 / 300)], [300, 500, 'xavier', Math.sqrt(2 / 800)], [600, 100, 'xavier', Math.sqrt(2 / 700)],
        ];
        for (const [inp, out, init, want] of cases) {
          const layer = new m.Linear(inp, out, { rng: new Rng(5), ...(init ? { init } : {}) }) as unknown as LinearLike;
          expectShapeOf(layer.weight, [out, inp], 'layer.weight');
          const { std, mean } = stats(layer.weight.data);
          const call = `new Linear(${inp}, ${out}${init ? `, { init: '${init}' }` : ''})`;
          const named = initMistake(std / want, init ?? 'kaiming');
          if (!near(std / want, 1) && named) fail(...mistake(named, { actual: { kind: 'text', text: `${call}: std ${std.toFixed(5)}, expected ${want.toFixed(5)}` } }));
          expectTrue(near(std / want, 1), t(
            `${call}.weight has std ${std.toFixed(5)}; expected ${want.toFixed(5)} (${init === 'xavier' ? '√(2/(in+out))' : '√(2/in)'}) within 3%.`,
            `${call}.weight 的标准差是 ${std.toFixed(5)}；应为 ${want.toFixed(5)}（${init === 'xavier' ? '√(2/(in+out))' : '√(2/in)'}），误差不超过 3%。`),
          t(init === 'xavier' ? 'xavier: U(±√(6/(in+out))), which has std √(2/(in+out)).' : 'kaiming (also the default): U(±√(6/in)), which has std √(2/in).',
            init === 'xavier' ? 'xavier：U(±√(6/(in+out)))，其标准差为 √(2/(in+out))。' : 'kaiming（也是默认值）：U(±√(6/in))，其标准差为 √(2/in)。'));
          const limit = (4 * want) / Math.sqrt(inp * out);
          expectTrue(Math.abs(mean) < limit, t(`${call}.weight has mean ${mean.toFixed(5)}; a symmetric init has mean 0 (within ±${limit.toFixed(5)} here).`,
            `${call}.weight 的均值是 ${mean.toFixed(5)}；对称的初始化均值应为 0（此处误差在 ±${limit.toFixed(5)} 以内）。`));
          // The bias starts at zero (this lesson) or U(±1/√in) (PyTorch): both are accepted.
          const b = layer.bias;
          expectShapeOf(b, [out], 'layer.bias');
          const bound = 1 / Math.sqrt(inp) + 1e-6;
          expectTrue(Array.from(b!.data).every((v) => Number.isFinite(v) && Math.abs(v) <= bound),
            t(`${call}.bias has values beyond ±1/√in = ±${(1 / Math.sqrt(inp)).toFixed(4)}: it should start at zero.`, `${call}.bias 有超出 ±1/√in = ±${(1 / Math.sqrt(inp)).toFixed(4)} 的值：它应从零开始。`),
            t('bias = new Tensor(new Float32Array(outFeatures), [outFeatures], true).', 'bias = new Tensor(new Float32Array(outFeatures), [outFeatures], true)。'));
        }
        const zero = new m.Linear(20, 10, { init: 'zeros', rng: new Rng(1) }) as unknown as LinearLike;
        expectShapeOf(zero.weight, [10, 20], 'layer.weight');
        expectTrue(allZero(zero.weight.data), t("new Linear(20, 10, { init: 'zeros' }).weight is not all zeros.", "new Linear(20, 10, { init: 'zeros' }).weight 不全为零。"));
        SEED_CHECK((seed) => [(new m.Linear(16, 8, { rng: new Rng(seed) }) as unknown as LinearLike).weight]);
        SEED_CHECK((seed) => [(new m.Linear(16, 8, { init: 'xavier', rng: new Rng(seed) }) as unknown as LinearLike).weight]);
      },
    },
    {
      name: t('MLP: layers, shapes, activation between layers and none after the last', 'MLP：各层、形状、层间的激活函数，最后一层之后没有激活'),
      task: 'MLP',
      run: (m, ctx) => {
        for (const sizes of [[], [4]]) {
          let threw = false;
          try { new m.MLP(sizes); } catch { threw = true; }
          expectTrue(threw, t(`new MLP([${sizes.join(', ')}]) should throw: an MLP needs at least an input and an output size.`, `new MLP([${sizes.join(', ')}]) 应当抛出错误：MLP 至少需要输入和输出两个大小。`));
        }
        const settings: [number[], 'relu' | 'tanh' | 'gelu' | undefined][] = [[[5, 7, 6, 3], undefined], [[5, 7, 6, 3], 'tanh'], [[4, 8, 2], 'gelu'], [[3, 2], 'relu'], [[3, 6, 6, 6, 4], 'relu']];
        for (const [sizes, activation] of settings) {
          const mlp = new m.MLP(sizes, { rng: new Rng(4), ...(activation ? { activation } : {}) }) as unknown as MlpLike;
          const label = `new MLP([${sizes.join(', ')}]${activation ? `, { activation: '${activation}' }` : ''})`;
          expectTrue(Array.isArray(mlp.layers) && mlp.layers.length === sizes.length - 1,
            t(`${label}.layers should hold ${sizes.length - 1} Linear layers, got ${Array.isArray(mlp.layers) ? mlp.layers.length : describeType(mlp.layers).en}.`,
              `${label}.layers 应包含 ${sizes.length - 1} 个 Linear 层，实际是 ${Array.isArray(mlp.layers) ? mlp.layers.length : describeType(mlp.layers)['zh-cn']}。`));
          const layers = mlp.layers.map((l, i) => {
            expectShapeOf(l.weight, [sizes[i + 1], sizes[i]], `layers[${i}].weight`);
            expectShapeOf(l.bias, [sizes[i + 1]], `layers[${i}].bias`);
            setValues(l.weight, uniformValues(ctx, l.weight.size, 1));
            setValues(l.bias!, uniformValues(ctx, l.bias!.size, 0.5));
            return { w: mlpCopy(l.weight), b: mlpCopy(l.bias!), out: sizes[i + 1], inp: sizes[i] };
          });
          const names = [...mlp.namedParameters().keys()].sort().join(', ');
          const want = layers.flatMap((_, i) => [`layers.${i}.weight`, `layers.${i}.bias`]).sort().join(', ');
          expectTrue(names === want, t(`${label}.namedParameters() lists [${names}]; expected [${want}].`, `${label}.namedParameters() 列出的是 [${names}]；应为 [${want}]。`),
            t('Keep the layers in this.layers, an array of Linear: Module finds their parameters there.', '把各层放在数组 this.layers 中：Module 会在那里找到它们的参数。'));
          const N = 6;
          const x = mlpTensor(uniformValues(ctx, N * sizes[0], 2), [N, sizes[0]]);
          const copy = mlpCopy(x);
          const act = activation ?? 'relu';
          const y = mlp.forward(x);
          expectClose(y, { data: mlpRefForward(copy, N, layers, act), shape: [N, sizes[sizes.length - 1]] }, {
            what: `${label}.forward(x)`, rtol: 1e-4, atol: 1e-5,
            misconceptions: sizes.length > 2 || act !== 'tanh' ? [{ value: { data: mlpRefForward(copy, N, layers, act, true), shape: [N, sizes[sizes.length - 1]] }, ...M['act-after-last'] }] : [],
            hint: t(`Linear, ${act}, Linear, ..., Linear: the activation (default relu) goes between layers.`, `Linear、${act}、Linear、……、Linear：激活函数（默认 relu）放在层与层之间。`),
          });
        }
        SEED_CHECK((seed) => (new m.MLP([4, 6, 3], { rng: new Rng(seed) }) as unknown as MlpLike).layers.map((l) => l.weight));
      },
    },
    {
      name: t('MLP: autograd gives every weight, bias and input the gradient float64 finite differences give', 'MLP：自动求导给每个权重、偏置和输入的梯度与 float64 有限差分一致'),
      task: 'MLP',
      run: (m, ctx) => {
        for (const [sizes, activation] of [[[4, 6, 5, 3], 'tanh'], [[3, 5, 2], 'gelu'], [[5, 4, 3], 'relu']] as [number[], 'relu' | 'tanh' | 'gelu'][]) {
          const mlp = new m.MLP(sizes, { activation, rng: new Rng(9) }) as unknown as MlpLike;
          const label = `new MLP([${sizes.join(', ')}], { activation: '${activation}' })`;
          expectTrue(Array.isArray(mlp.layers) && mlp.layers.length === sizes.length - 1,
            t(`${label}.layers should hold ${sizes.length - 1} Linear layers.`, `${label}.layers 应包含 ${sizes.length - 1} 个 Linear 层。`));
          mlp.layers.forEach((l, i) => {
            expectShapeOf(l.weight, [sizes[i + 1], sizes[i]], `layers[${i}].weight`);
            expectShapeOf(l.bias, [sizes[i + 1]], `layers[${i}].bias`);
            setValues(l.weight, uniformValues(ctx, l.weight.size, 1));
            setValues(l.bias!, uniformValues(ctx, l.bias!.size, 0.5));
          });
          const N = 3;
          const x = mlpTensor(uniformValues(ctx, N * sizes[0], 1.5), [N, sizes[0]], true);
          const outSize = N * sizes[sizes.length - 1];
          const R = uniformValues(ctx, outSize, 1); // L = Σ R ⊙ y, so every output's gradient is used
          const params = mlp.layers.map((l) => ({ w: mlpCopy(l.weight), b: mlpCopy(l.bias!), out: l.weight.shape[0], inp: l.weight.shape[1] }));
          const xs = mlpCopy(x);
          const loss64 = () => mlpRefForward(xs, N, params, activation).reduce((s, v, i) => s + v * R[i], 0);
          const fd = (arr: Float64Array, i: number) => {
            const h = 1e-6;
            const keep = arr[i];
            arr[i] = keep + h;
            const up = loss64();
            arr[i] = keep - h;
            const down = loss64();
            arr[i] = keep;
            return (up - down) / (2 * h);
          };
          for (const p of mlp.parameters()) p.grad?.fill(0);
          const y = mlp.forward(x);
          expectTrue(isTensorLike(y) && y.size === outSize && y.requiresGrad,
            t(`${label}.forward(x) must return a (${N}, ${sizes[sizes.length - 1]}) tensor that requires grad.`, `${label}.forward(x) 必须返回一个需要梯度的 (${N}, ${sizes[sizes.length - 1]}) 张量。`));
          y.backward(mlpTensor(R, y.shape));
          const compare = (grad: Float32Array | null, arr: Float64Array, what: string) => {
            expectTrue(grad !== null, t(`${what} got no gradient: build every step from kit ops (or ops with a backward), and keep the layers' own tensors.`,
              `${what} 没有得到梯度：每一步都要用库里的运算（或带反向传播的运算）搭建，并使用各层自己的张量。`));
            expectClose(grad!, arr.map((_, i) => fd(arr, i)), { what, rtol: 1e-3, atol: 1e-4 });
          };
          mlp.layers.forEach((l, i) => {
            compare(l.weight.grad, params[i].w, `layers[${i}].weight.grad (${label})`);
            compare(l.bias!.grad, params[i].b, `layers[${i}].bias.grad (${label})`);
          });
          compare(x.grad, xs, `x.grad (${label})`);
        }
      },
    },
    {
      name: t("kaiming + relu keeps the activations' scale through 8 layers", 'kaiming + relu 让激活值的尺度在 8 层中保持不变'),
      task: 'MLP',
      run: (m, ctx) => {
        const W = 256;
        const N = 128;
        const mlp = new m.MLP(new Array(9).fill(W), { rng: new Rng(11) }) as unknown as MlpLike;
        const x = mlpTensor(gauss(new Rng(12), N * W), [N, W]);
        const rms = (layers: LinearLike[]) => {
          const out: number[] = [];
          let h = x;
          layers.forEach((l, i) => {
            h = l.forward(h);
            out.push(Math.sqrt(stats(h.data).std ** 2 + stats(h.data).mean ** 2));
            if (i < layers.length - 1) h = kitRelu(h);
          });
          return out;
        };
        const yours = rms(mlp.layers);
        const rng = new Rng(11);
        const torchDefault = rms(Array.from({ length: 8 }, () => new KitLinear(W, W, false, rng) as unknown as LinearLike));
        const layerIds = yours.map((_, i) => i + 1);
        ctx.artifact({
          kind: 'curve', title: t('RMS of each layer\'s output (pre-activation), 8 layers of width 256, ReLU', '每层输出（激活前）的均方根：8 层，宽 256，ReLU'),
          xLabel: t('layer', '层'), yLabel: t('RMS', '均方根'),
          series: [{ name: t('your default init (kaiming)', '你的默认初始化（kaiming）'), x: layerIds, y: yours },
            { name: t("PyTorch's nn.Linear default, U(±1/√in)", 'PyTorch 的 nn.Linear 默认值 U(±1/√in)'), x: layerIds, y: torchDefault }],
        });
        const ratio = yours[7] / yours[0];
        if (!(ratio > 0.5 && ratio < 2)) {
          const w0 = stats(mlp.layers[0].weight.data).std / Math.sqrt(2 / W);
          const named = initMistake(w0, 'kaiming');
          if (named) fail(...mistake(named));
          fail(t(`The RMS of the last layer's output is ${yours[7].toPrecision(3)}, the first layer's ${yours[0].toPrecision(3)}: a ratio of ${ratio.toPrecision(3)}, expected between 0.5 and 2.`,
            `最后一层输出的均方根是 ${yours[7].toPrecision(3)}，第一层是 ${yours[0].toPrecision(3)}：比值 ${ratio.toPrecision(3)}，应在 0.5 到 2 之间。`),
          { hint: t('With weights of variance 2/in, each ReLU layer keeps E[h²]: half the units are zeroed, and the factor 2 makes up for it.', '权重方差为 2/in 时，每个 ReLU 层都保持 E[h²] 不变：一半的单元被置零，系数 2 正好补上。') });
        }
      },
    },
    {
      name: t('training: an MLP with your layers learns the spiral (3 classes) to 90% accuracy', '训练：用你的层搭的 MLP 在螺旋数据（3 类）上达到 90% 准确率'),
      task: 'MLP',
      timeoutSeconds: 30,
      run: async (_m, ctx) => {
        const run = await ctx.shared<SpiralRun>('spiral');
        if (run.identicalRows) fail(...mistake(M['zero-init']));
        expectTrue(run.finite, t('The loss became NaN or Infinity during training.', '训练过程中损失变成了 NaN 或 Infinity。'),
          t('Look at the gradients of your activations at large inputs (the checks on activations above show which one).', '检查激活函数在大输入时的梯度（上面关于激活函数的检查会指出是哪一个）。'));
        const acc = (100 * run.accuracy).toFixed(1);
        const first = run.losses[0].toFixed(3);
        const last = run.losses[run.losses.length - 1].toFixed(3);
        expectTrue(run.accuracy >= 0.9, t(`After ${STEPS} steps the accuracy is ${acc}% (loss ${first} -> ${last}); expected at least 90%.`,
          `${STEPS} 步之后准确率是 ${acc}%（损失 ${first} -> ${last}）；应至少为 90%。`),
        t('If the loss hardly moves, the gradients do not reach the weights: check that forward uses this.weight and this.bias, and the activations are built from kit ops.',
          '如果损失几乎不动，说明梯度没有到达权重：检查 forward 是否用了 this.weight 和 this.bias，以及激活函数是否用库里的运算搭建。'));
      },
    },
    {
      name: t('dead ReLUs: the fraction of hidden units that never fire on the spiral batch', '死亡 ReLU：在螺旋数据批次上从不激活的隐藏单元比例'),
      task: 'MLP',
      timeoutSeconds: 30,
      run: async (_m, ctx) => {
        const run = await ctx.shared<SpiralRun>('spiral');
        ctx.artifact({
          kind: 'bars', title: t('Dead units of the first hidden layer (never > 0 on 300 points)', '第一隐藏层的死亡单元（在 300 个点上从不 > 0）'),
          labels: [t('at init', '初始化时'), t(`after ${STEPS} steps`, `${STEPS} 步之后`)], values: [run.deadBefore, run.deadAfter],
        });
        if (run.identicalRows) fail(...mistake(M['zero-init']));
        const pct = (v: number) => (100 * v).toFixed(0);
        expectTrue(run.deadBefore < 0.5, t(`${pct(run.deadBefore)}% of the first layer's units never fire at init; expected well under half.`, `初始化时第一层有 ${pct(run.deadBefore)}% 的单元从不激活；应远少于一半。`),
          t('Zero biases and a symmetric weight init put each unit\'s boundary through the data: about half of the points fire it.', '零偏置加上对称的权重初始化，使每个单元的分界线穿过数据：大约一半的点会激活它。'));
        expectTrue(run.deadAfter < 0.9, t(`${pct(run.deadAfter)}% of the units are dead after training.`, `训练后有 ${pct(run.deadAfter)}% 的单元已死亡。`));
      },
    },
  ],
});
