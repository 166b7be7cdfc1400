/**
 * The pruning lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake
 * of lessons/14b-pruning/mistakes.ts put into the reference solution, and the one check that names it run on it.
 */
import { PRUNING_MISTAKES } from '../../../lessons/14b-pruning/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'pruning/prune';
const ABS = 'for (let i = 0; i < n; i++) abs[i] = Math.abs(W.data[i]);';
const SORT24 = 'const g = [0, 1, 2, 3].sort((a, b) => Math.abs(W.data[at + b]) - Math.abs(W.data[at + a]) || a - b);';
const ZERO24 = 'out[at + g[2]] = 0; // the two smallest |w| of the group\n      out[at + g[3]] = 0;';
const LOOPS24 = 'for (let r = 0; r < rows; r++) {\n    for (let c = 0; c < cols; c += 4) {';
const LINEARS = '.map((layer) => layer.weight));';

// Check names (the start of the English name of the check that catalogues each mistake).
const MAG_HAND = 'magnitudePrune: a small example by hand';
const MAG_EXACT = 'magnitudePrune: the exact number of zeros';
const P24_HAND = 'prune24: a small example by hand';
const P24_EXACT = 'prune24: the exact 2:4 pattern';
const PRUNABLE = 'prunableWeights: the six Linear weights';
const SPARSITY = 'sparsityOf: zeros over the Linear weights only';

export const CASES: MistakeCase[] = mistakeCases(PRUNING_MISTAKES, EX, [
  { key: 'by-value', name: 'magnitudePrune ranks w, not |w|', check: MAG_HAND, edits: [[ABS, 'for (let i = 0; i < n; i++) abs[i] = W.data[i];']] },
  { key: 'by-value', name: 'prune24 ranks w, not |w|', check: P24_EXACT,
    edits: [[SORT24, 'const g = [0, 1, 2, 3].sort((a, b) => W.data[at + b] - W.data[at + a] || a - b);']] },
  { key: 'largest', name: 'magnitudePrune zeroes the largest |w|', check: MAG_EXACT, edits: [[ABS, 'for (let i = 0; i < n; i++) abs[i] = -Math.abs(W.data[i]);']] },
  { key: 'largest', name: 'prune24 zeroes the two largest', check: P24_HAND,
    edits: [[ZERO24, 'out[at + g[0]] = 0;\n      out[at + g[1]] = 0;']] },
  { key: 'wrong-axis', check: P24_EXACT, edits: [
    [LOOPS24, 'for (let r = 0; r < rows; r += 4) {\n    for (let c = 0; c < cols; c++) {'],
    [SORT24, 'const g = [0, 1, 2, 3].sort((a, b) => Math.abs(W.data[at + b * cols]) - Math.abs(W.data[at + a * cols]) || a - b);'],
    [ZERO24, 'out[at + g[2] * cols] = 0;\n      out[at + g[3] * cols] = 0;'],
  ] },
  { key: 'wrong-count', check: SPARSITY, edits: [['return zeros / total;', 'return zeros / model.numParameters();']] },
  { key: 'prunes-extra', name: 'every matrix of the model (the embeddings too)', check: PRUNABLE,
    edits: [['return model.h.flatMap(', 'return model.parameters().filter((p) => p.shape.length === 2);\n  return model.h.flatMap(']] },
  { key: 'prunes-extra', name: 'the biases too', check: PRUNABLE, edits: [[LINEARS, '.flatMap((layer) => (layer.bias ? [layer.weight, layer.bias] : [layer.weight])));']] },
]);

export const VARIANTS: LibraryVariant[] = [
  // PyTorch's prune keeps weight_orig and multiplies by weight_mask: the same values (a negative weight becomes -0).
  {
    library: 'PyTorch', name: 'prune.l1_unstructured: weight = weight_orig * weight_mask', exercise: EX, check: MAG_EXACT,
    edits: [['if (abs[i] < threshold) out[i] = 0;', 'if (abs[i] < threshold) out[i] *= 0; // weight_orig * weight_mask'], ['out[i] = 0;\n      ties--;', 'out[i] *= 0;\n      ties--;']],
  },
  // NVIDIA ASP's m4n2_1d mask, applied by multiplying: the same pattern.
  { library: 'NVIDIA ASP', name: 'm4n2_1d mask applied as weight * mask', exercise: EX, check: P24_EXACT, edits: [[ZERO24, 'out[at + g[2]] *= 0;\n      out[at + g[3]] *= 0;']] },
];
