/**
 * The backprop lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake of
 * lessons/01b-backprop put into the reference solution, and the one check that names it run on it.
 */
import { BACKPROP_MISTAKES } from '../../../lessons/01b-backprop/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const SUM_RETURN = 'return { data: out, shape: [...shape] };';
const GRAD_A = 'gradA[i * k + p] += g * b.data[p * n + j];';
const SOFTMAX_DX = 'out[at] = y.data[at] * (gradOut.data[at] - dot);';
const NLL_P = 'out[row + c] = Math.exp(logits.data[row + c] - max) / sum / N;';
const NLL_T = 'out[row + targets[n]] -= 1 / N;';
const LN_DX = 'gradX[row + c] = rstd * (gradOut.data[row + c] * gamma.data[c] - meanD - xhat[c] * meanDH);';

/**
 * The Annotated Transformer's LayerNorm, (x − mean) / (std + eps) with the unbiased std, and its exact backward:
 * with d = std + eps and x̂ = (x − mean) / d, dx = (ĝ − mean(ĝ)) / d − C · mean(ĝ ⊙ x̂) · x̂ / ((C − 1) · std).
 */
const ANNOTATED: [string, string][] = [
  ['variance /= C;', 'variance /= C - 1;'],
  ['const rstd = 1 / Math.sqrt(variance + eps);', 'const std = Math.sqrt(variance);\n    const rstd = 1 / (std + eps);'],
  [LN_DX, 'gradX[row + c] = rstd * (gradOut.data[row + c] * gamma.data[c] - meanD) - (C * meanDH * xhat[c]) / ((C - 1) * std);'],
];

export const CASES: MistakeCase[] = mistakeCases(BACKPROP_MISTAKES, 'backprop/ops', [
  { key: 'broadcast-not-summed', check: 'sumToShape: a hand example', edits: [[SUM_RETURN, 'return { data: Float32Array.from(grad.data), shape: [...gs] };']] },
  {
    key: 'broadcast-not-summed', name: 'LayerNorm dγ per row', check: 'layerNormBackward: matches central finite differences',
    edits: [
      ['const gradGamma = new Float32Array(C);', 'const gradGamma = new Float32Array(x.data.length);'],
      ['gradGamma[c] += g * xhat[c];', 'gradGamma[row + c] = g * xhat[c];'],
      ['gradGamma: { data: gradGamma, shape: [C] }', 'gradGamma: { data: gradGamma, shape: [...x.shape] }'],
    ],
  },
  {
    key: 'size-one-not-summed', check: 'sumToShape: a hand example',
    edits: [
      ['const own = stridesOf(shape);', 'const kept = gs.slice(shift);\n  const own = stridesOf(kept);'],
      ["(d < shift || (shape[d - shift] === 1 && size !== 1) ? 0 : own[d - shift])", '(d < shift ? 0 : own[d - shift])'],
      ['const out = new Float32Array(numel(shape));', 'const out = new Float32Array(numel(kept));'],
      [SUM_RETURN, 'return { data: out, shape: [...kept] };'],
    ],
  },
  {
    key: 'size-one-not-summed', name: 'random shapes', check: 'sumToShape: random gradients',
    edits: [
      ['const own = stridesOf(shape);', 'const kept = gs.slice(shift);\n  const own = stridesOf(kept);'],
      ["(d < shift || (shape[d - shift] === 1 && size !== 1) ? 0 : own[d - shift])", '(d < shift ? 0 : own[d - shift])'],
      ['const out = new Float32Array(numel(shape));', 'const out = new Float32Array(numel(kept));'],
      [SUM_RETURN, 'return { data: out, shape: [...kept] };'],
    ],
  },
  { key: 'broadcast-mean', check: 'sumToShape: a hand example', edits: [[SUM_RETURN, 'const copies = grad.data.length / out.length;\n  return { data: out.map((v) => v / copies), shape: [...shape] };']] },
  { key: 'broadcast-mean', name: 'random shapes', check: 'sumToShape: random gradients', edits: [[SUM_RETURN, 'const copies = grad.data.length / out.length;\n  return { data: out.map((v) => v / copies), shape: [...shape] };']] },
  {
    key: 'matmul-transposed', name: 'dA with the transposed shape', check: 'matmulBackward: a hand example',
    edits: [[GRAD_A, 'gradA[p * m + i] += g * b.data[p * n + j];'], ['gradA: { data: gradA, shape: [m, k] }', 'gradA: { data: gradA, shape: [k, m] }']],
  },
  { key: 'matmul-transposed', name: 'dC B on square shapes', check: "matmulBackward: matches the kit's autograd", edits: [[GRAD_A, 'gradA[i * k + p] += g * b.data[j * n + p];']] },
  { key: 'softmax-diagonal', check: 'softmaxBackward: a hand example', edits: [[SOFTMAX_DX, 'out[at] = y.data[at] * (1 - y.data[at]) * gradOut.data[at];']] },
  { key: 'softmax-diagonal', name: 'finite differences', check: 'softmaxBackward: matches central finite differences', edits: [[SOFTMAX_DX, 'out[at] = y.data[at] * (1 - y.data[at]) * gradOut.data[at];']] },
  { key: 'softmax-wrong-axis', check: 'softmaxBackward: matches central finite differences', edits: [['const ax = axis < 0 ? axis + y.shape.length : axis;', 'const ax = y.shape.length - 1;']] },
  { key: 'softmax-wrong-axis', name: 'kit autograd', check: "softmaxBackward: matches the kit's autograd", edits: [['const ax = axis < 0 ? axis + y.shape.length : axis;', 'const ax = y.shape.length - 1;']] },
  { key: 'nll-not-mean', check: 'logSoftmaxNllBackward: a hand example', edits: [[NLL_P, 'out[row + c] = Math.exp(logits.data[row + c] - max) / sum;'], [NLL_T, 'out[row + targets[n]] -= 1;']] },
  { key: 'nll-not-mean', name: 'N = 5', check: 'logSoftmaxNllBackward: matches central finite differences', edits: [[NLL_P, 'out[row + c] = Math.exp(logits.data[row + c] - max) / sum;'], [NLL_T, 'out[row + targets[n]] -= 1;']] },
  { key: 'nll-sign', check: 'logSoftmaxNllBackward: a hand example', edits: [[NLL_P, 'out[row + c] = -Math.exp(logits.data[row + c] - max) / sum / N;'], [NLL_T, 'out[row + targets[n]] += 1 / N;']] },
  { key: 'nll-unstable', check: 'logSoftmaxNllBackward: extreme logits', edits: [['for (let c = 0; c < C; c++) max = Math.max(max, logits.data[row + c]);', 'max = 0;']] },
  { key: 'layernorm-direct-only', check: 'layerNormBackward: matches central finite differences', edits: [[LN_DX, 'gradX[row + c] = rstd * gradOut.data[row + c] * gamma.data[c];']] },
  { key: 'layernorm-direct-only', name: 'kit autograd', check: "layerNormBackward: matches the kit's layerNorm", edits: [[LN_DX, 'gradX[row + c] = rstd * gradOut.data[row + c] * gamma.data[c];']] },
  { key: 'layernorm-no-var-term', check: 'layerNormBackward: matches central finite differences', edits: [[LN_DX, 'gradX[row + c] = rstd * (gradOut.data[row + c] * gamma.data[c] - meanD);']] },
  { key: 'layernorm-no-mean-term', check: 'layerNormBackward: matches central finite differences', edits: [[LN_DX, 'gradX[row + c] = rstd * (gradOut.data[row + c] * gamma.data[c] - xhat[c] * meanDH);']] },
  { key: 'layernorm-no-mean-term', name: 'kit autograd', check: "layerNormBackward: matches the kit's layerNorm", edits: [[LN_DX, 'gradX[row + c] = rstd * (gradOut.data[row + c] * gamma.data[c] - xhat[c] * meanDH);']] },
  { key: 'layernorm-annotated', check: 'layerNormBackward: matches central finite differences', edits: ANNOTATED },
]);

export const VARIANTS: LibraryVariant[] = [
  { library: 'The Annotated Transformer', name: 'LayerNorm with the unbiased std and eps outside the root, and its exact backward', exercise: 'backprop/ops', check: 'layerNormBackward: matches central finite differences', edits: ANNOTATED },
  { library: 'The Annotated Transformer', name: 'the same, against the kit\'s layerNorm', exercise: 'backprop/ops', check: "layerNormBackward: matches the kit's layerNorm", edits: ANNOTATED },
];
