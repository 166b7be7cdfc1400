/**
 * The mlp lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake of
 * lessons/01c-mlp put into the reference solution, and the one check that names it run on it.
 */
import { MLP_MISTAKES } from '../../../lessons/01c-mlp/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

// Lines of the reference solutions.
const TANH_BODY = `  const sign = constant(x, (v) => (v < 0 ? -1 : 1));
  const z = exp(mul(mul(x, sign), -2)); //             e^{-2|x|}, in (0, 1]
  return mul(sign, div(sub(1, z), add(1, z)));`;
const SIGMOID_BODY = '  return mul(add(tanh(mul(x, 0.5)), 1), 0.5);';
const GELU_BODY = `  const u = mul(add(x, mul(pow(x, 3), 0.044715)), GELU_C);
  return mul(mul(x, 0.5), add(tanh(u), 1));`;
const BOUNDS = "const bound = init === 'kaiming' ? Math.sqrt(6 / inFeatures) : init === 'xavier' ? Math.sqrt(6 / (inFeatures + outFeatures)) : 0;";
const DRAW = 'w[i] = bound === 0 ? 0 : (2 * rng.random() - 1) * bound;';
const WEIGHT = 'this.weight = new Tensor(w, [outFeatures, inFeatures], true);';
const BIAS = 'this.bias = bias ? new Tensor(new Float32Array(outFeatures), [outFeatures], true) : null;';
const FORWARD = 'return linear(x, this.weight, this.bias); // (..., in) -> (..., out)';
const LAYERS_IMPORT = "import { Module, Rng, Tensor, add, div, exp, globalRng, linear, mul, pow, sub } from '@llm-lab/kit';";
const LOSSES_IMPORT = "import { Tensor, exp, gather, log, mean, mul, sub, add, sum } from '@llm-lab/kit';";
const SHIFTED = 'const shifted = sub(logits, new Tensor(m, [N, 1])); //         (N, C), every row\'s max is 0';
const CE_RETURN = 'return mean(sub(lse, picked)); //                                (logsumexp - x_target), averaged over rows';
const SOFTPLUS = 'const softplus = add(c, log(add(exp(mul(c, -1)), exp(sub(logits, c)))));';
const MSE_THROW = "if (!sameShape(pred, target)) throw new Error(`mseLoss: pred (${pred.shape.join(', ')}) and target (${target.shape.join(', ')}) differ in shape`);";

// Check names (the start of the English name of the check that catalogues each mistake).
const ACT_VALUES = 'activations: values on hand-worked inputs';
const ACT_GRADS = 'activations: autograd gives the right gradients';
const LINEAR = 'Linear: y = x Wᵀ + b';
const INIT = 'Linear init: the std of the weights';
const MLP = 'MLP: layers, shapes';
const SCALE = 'kaiming + relu keeps';
const TRAINING = 'training: an MLP with your layers';
const MSE = 'mseLoss: hand-worked values';
const CE = 'crossEntropyLoss: a hand-worked case';
const CE_EXTREME = 'crossEntropyLoss: extreme logits';
const CE_WRONG = 'crossEntropyLoss: a confidently wrong prediction';
const BCE_EXTREME = 'bceWithLogitsLoss: extreme logits';

/** The exact GELU, x Φ(x), with erf from Abramowitz and Stegun 7.1.26 in kit ops (PyTorch's nn.GELU() default). */
const GELU_ERF: [string, string][] = [[GELU_BODY, `  const z = mul(x, Math.SQRT1_2);
  const s = constant(z, (v) => (v < 0 ? -1 : 1));
  const a = mul(z, s);
  const k = div(1, add(mul(a, 0.3275911), 1));
  const poly = mul(k, add(mul(k, add(mul(k, add(mul(k, add(mul(k, 1.061405429), -1.453152027)), 1.421413741)), -0.284496736)), 0.254829592));
  const erf = mul(s, sub(1, mul(poly, exp(mul(mul(a, a), -1)))));
  return mul(mul(x, 0.5), add(erf, 1));`]];
/** Keras' Dense kernel layout: weight (in, out), y = x @ W + b. */
const KERAS_LAYOUT: [string, string][] = [
  [LAYERS_IMPORT, LAYERS_IMPORT.replace('linear, mul', 'linear, matmul, mul')],
  [WEIGHT, 'this.weight = new Tensor(w, [inFeatures, outFeatures], true);'],
  [FORWARD, 'return this.bias ? add(matmul(x, this.weight), this.bias) : matmul(x, this.weight);'],
];
/** PyTorch's nn.Linear default: kaiming_uniform_(a = √5), U(±1/√in), whatever `init` says for 'kaiming'. */
const TORCH_WEIGHT: [string, string][] = [[BOUNDS, BOUNDS.replace('Math.sqrt(6 / inFeatures)', '1 / Math.sqrt(inFeatures)')]];
/** PyTorch's nn.Linear bias: U(±1/√in). */
const TORCH_BIAS: [string, string][] = [[BIAS,
  'this.bias = bias ? new Tensor(Float32Array.from({ length: outFeatures }, () => (2 * rng.random() - 1) / Math.sqrt(inFeatures)), [outFeatures], true) : null;']];
/** torch.nn.init.kaiming_normal_ / xavier_normal_: a normal with the same std. */
const NORMAL_INIT: [string, string][] = [[DRAW, 'w[i] = bound === 0 ? 0 : rng.normal(0, bound / Math.sqrt(3));']];
/** PyTorch's mse_loss: no shape check, broadcasting. */
const MSE_BROADCAST: [string, string][] = [[MSE_THROW, '// no shape check: broadcast like torch.nn.functional.mse_loss']];

export const CASES: MistakeCase[] = [
  ...mistakeCases(MLP_MISTAKES, 'mlp/layers', [
    { key: 'tanh-overflow', check: ACT_VALUES, edits: [[TANH_BODY, '  const e = exp(x);\n  const f = exp(mul(x, -1));\n  return div(sub(e, f), add(e, f));']] },
    { key: 'tanh-overflow', name: 'gradient', check: ACT_GRADS, edits: [[TANH_BODY, '  const e = exp(x);\n  const f = exp(mul(x, -1));\n  return div(sub(e, f), add(e, f));']] },
    { key: 'sigmoid-overflow', check: ACT_GRADS, edits: [[SIGMOID_BODY, '  return div(1, add(exp(mul(x, -1)), 1));']] },
    { key: 'gelu-erf', check: ACT_VALUES, edits: GELU_ERF },
    { key: 'weight-in-out', check: LINEAR, edits: KERAS_LAYOUT },
    { key: 'weight-in-out', name: 'in the MLP', check: MLP, edits: KERAS_LAYOUT },
    { key: 'init-pytorch-default', check: INIT, edits: TORCH_WEIGHT },
    { key: 'init-pytorch-default', name: 'through 8 layers', check: SCALE, edits: TORCH_WEIGHT },
    { key: 'init-bound-as-std', check: INIT, edits: [[BOUNDS, BOUNDS.replace('6 / inFeatures', '2 / inFeatures').replace('6 / (inFeatures', '2 / (inFeatures')]] },
    { key: 'zero-init', check: INIT, edits: [["const { bias = true, init = 'kaiming', rng = globalRng } = opts;", "const { bias = true, init = 'zeros', rng = globalRng } = opts;"]] },
    { key: 'zero-init', name: 'after training', check: TRAINING, edits: [["const { bias = true, init = 'kaiming', rng = globalRng } = opts;", "const { bias = true, init = 'zeros', rng = globalRng } = opts;"]] },
    { key: 'rng-ignored', check: INIT, edits: [[DRAW, 'w[i] = bound === 0 ? 0 : (2 * Math.random() - 1) * bound;']] },
    { key: 'rng-ignored', name: 'MLP does not pass its rng on', check: MLP, edits: [['this.layers.push(new Linear(sizes[i], sizes[i + 1], { rng }));', 'this.layers.push(new Linear(sizes[i], sizes[i + 1]));']] },
    { key: 'act-after-last', check: MLP, edits: [['if (i < this.layers.length - 1) h = act(h);', 'h = act(h);']] },
  ]),
  ...mistakeCases(MLP_MISTAKES, 'mlp/losses', [
    { key: 'mse-broadcast', check: MSE, edits: MSE_BROADCAST },
    {
      key: 'softmax-then-log', check: CE_EXTREME,
      edits: [[LOSSES_IMPORT, LOSSES_IMPORT.replace('sum }', 'sum, softmax }')], [CE_RETURN, 'return mul(mean(gather(log(softmax(logits, -1)), 1, Array.from(targets), [N, 1])), -1);']],
    },
    { key: 'ce-on-probabilities', check: CE, edits: [[LOSSES_IMPORT, LOSSES_IMPORT.replace('sum }', 'sum, softmax }')], [SHIFTED, 'const shifted = softmax(logits, -1);']] },
    {
      key: 'mse-for-classification', check: CE_WRONG,
      edits: [[LOSSES_IMPORT, LOSSES_IMPORT.replace('sum }', 'sum, softmax }')], [CE_RETURN,
        'const onehot = new Float32Array(N * C);\n  for (let n = 0; n < N; n++) onehot[n * C + targets[n]] = 1;\n  const d = sub(softmax(logits, -1), new Tensor(onehot, [N, C]));\n  return mean(mul(d, d));']],
    },
    {
      key: 'mse-for-classification', name: 'by value', check: CE,
      edits: [[LOSSES_IMPORT, LOSSES_IMPORT.replace('sum }', 'sum, softmax }')], [CE_RETURN,
        'const onehot = new Float32Array(N * C);\n  for (let n = 0; n < N; n++) onehot[n * C + targets[n]] = 1;\n  const d = sub(softmax(logits, -1), new Tensor(onehot, [N, C]));\n  return mean(mul(d, d));']],
    },
    { key: 'ce-sum', check: CE, edits: [[CE_RETURN, 'return sum(sub(lse, picked));']] },
    { key: 'bce-unstable', check: BCE_EXTREME, edits: [[SOFTPLUS, 'const softplus = log(add(exp(logits), 1));']] },
    {
      key: 'bce-grad-at-zero', check: BCE_EXTREME,
      edits: [[LOSSES_IMPORT, LOSSES_IMPORT.replace('sum }', 'sum, relu }')],
        [SOFTPLUS, 'const softplus = add(relu(logits), log(add(exp(mul(add(relu(logits), relu(mul(logits, -1))), -1)), 1)));']],
    },
  ]),
];

export const VARIANTS: LibraryVariant[] = [
  // Named as conventions.
  { library: 'PyTorch (nn.GELU())', name: 'the exact erf GELU, nn.GELU()', exercise: 'mlp/layers', check: ACT_VALUES, edits: GELU_ERF },
  { library: 'Keras', name: 'a Dense kernel (in, out), y = x @ W + b', exercise: 'mlp/layers', check: LINEAR, edits: KERAS_LAYOUT },
  { library: 'PyTorch (nn.Linear)', name: 'nn.Linear\'s default weight init U(±1/√in)', exercise: 'mlp/layers', check: INIT, edits: TORCH_WEIGHT },
  { library: 'PyTorch (mse_loss)', name: 'mse_loss broadcasts mismatched shapes', exercise: 'mlp/losses', check: MSE, edits: MSE_BROADCAST },
  // Accepted.
  { library: 'PyTorch (nn.Linear)', name: 'nn.Linear\'s bias init U(±1/√in)', exercise: 'mlp/layers', check: INIT, edits: TORCH_BIAS },
  { library: 'PyTorch (nn.Linear)', name: 'nn.Linear\'s bias init U(±1/√in), in an MLP', exercise: 'mlp/layers', check: MLP, edits: TORCH_BIAS },
  { library: 'PyTorch (kaiming_normal_)', name: 'kaiming_normal_ / xavier_normal_: a normal of the same std', exercise: 'mlp/layers', check: INIT, edits: NORMAL_INIT },
];
