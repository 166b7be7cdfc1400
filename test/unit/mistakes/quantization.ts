/**
 * The quantization lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake
 * put into the reference solution (lessons/14a-quantization/quantize.solution.ts), and the one check that names it run
 * on it; and GPTQ's own quantizer (the range widened to include 0), which must pass.
 */
import { QUANTIZATION_MISTAKES } from '../../../lessons/14a-quantization/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'quantization/quantize';

const INT8 = 'quantizeInt8: hand-worked cases';
const INT4 = 'quantizeInt4: hand-worked groups';
const INT4_RANDOM = 'int4 on random weights';
const GPTQ = 'gptqQuantize: a small layer';
const GPTQ_MODEL = 'gptqQuantize beats round-to-nearest';

const MAX_ABS = 'for (let i = 0; i < per; i++) max = Math.max(max, Math.abs(w.data[r * per + i]));';
const INT8_CODE = 'q[r * per + i] = Math.max(-127, Math.min(127, roundHalfEven(w.data[r * per + i] / scale)));';
const ROUND = `  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;`;
const ZERO = 'const zero = Math.max(0, Math.min(15, roundHalfEven(-min / scale)));';
const GRID = `      const scale = max > min ? (max - min) / 15 : 1;
      const zero = Math.max(0, Math.min(15, roundHalfEven(-min / scale)));`;
const INT4_CODE = 'q[start + i] = Math.max(0, Math.min(15, roundHalfEven(w.data[start + i] / scale) + zero));';
const GROUP_START = 'const start = o * inp + g * groupSize;';
const GROUP_READ = `        min = Math.min(min, w.data[start + i]);
        max = Math.max(max, w.data[start + i]);`;
const DEQ4 = 'data[o * inp + i] = (x.q[o * inp + i] - x.zeros[g]) * x.scales[g];';
const PROPAGATE = 'for (let k = j + 1; k < inp; k++) W[o * inp + k] -= err * Hinv[j * inp + k];';

/** Groups of G rows down one column: the weight read at (group start + i) is w[(g·G + i), o] with o standing for the column. */
const WRONG_AXIS: [string, string][] = [
  ['if (!Number.isInteger(groupSize) || groupSize < 1 || inp % groupSize !== 0) {', 'if (!Number.isInteger(groupSize) || groupSize < 1 || out % groupSize !== 0) {'],
  ['const nGroups = inp / groupSize;', 'const nGroups = out / groupSize;'],
  ['const scales = new Float32Array(out * nGroups);', 'const scales = new Float32Array(inp * nGroups);'],
  ['const zeros = new Uint8Array(out * nGroups);', 'const zeros = new Uint8Array(inp * nGroups);'],
  ['  for (let o = 0; o < out; o++) {\n    for (let g = 0; g < nGroups; g++) {\n      const start', '  for (let o = 0; o < inp; o++) {\n    for (let g = 0; g < nGroups; g++) {\n      const start'],
  [GROUP_START, 'const at = (i: number) => (g * groupSize + i) * inp + o; // down column o'],
  [GROUP_READ, '        min = Math.min(min, w.data[at(i)]);\n        max = Math.max(max, w.data[at(i)]);'],
  [INT4_CODE, 'q[at(i)] = Math.max(0, Math.min(15, roundHalfEven(w.data[at(i)] / scale) + zero));'],
];

export const CASES: MistakeCase[] = mistakeCases(QUANTIZATION_MISTAKES, EX, [
  { key: 'scale-from-max', check: INT8, edits: [[MAX_ABS, 'for (let i = 0; i < per; i++) max = Math.max(max, w.data[r * per + i]);']] },
  { key: 'clamp-128', check: INT8, edits: [[INT8_CODE, 'q[r * per + i] = Math.max(-128, Math.min(128, roundHalfEven(w.data[r * per + i] / scale)));']] },
  { key: 'round-half-up', check: INT8, edits: [[ROUND, '  return Math.round(x);']] },
  { key: 'round-half-up', name: 'Math.round in quantizeInt8', check: INT8, edits: [[INT8_CODE, 'q[r * per + i] = Math.max(-127, Math.min(127, Math.round(w.data[r * per + i] / scale)));']] },
  { key: 'zero-off-by-one', check: INT4, edits: [[ZERO, 'const zero = Math.max(0, Math.min(15, roundHalfEven(-min / scale) + 1));']] },
  { key: 'zero-off-by-one', name: 'one less, random weights', check: INT4_RANDOM, edits: [[ZERO, 'const zero = Math.max(0, Math.min(15, roundHalfEven(-min / scale) - 1));']] },
  { key: 'group-wrong-axis', check: INT4, edits: WRONG_AXIS },
  { key: 'int4-range-8', check: INT4, edits: [
    [GRID, '      const scale = Math.max(Math.abs(min), Math.abs(max)) / 8;\n      const zero = 0;'],
    [INT4_CODE, 'q[start + i] = Math.max(-8, Math.min(8, roundHalfEven(w.data[start + i] / scale) + zero));'],
  ] },
  { key: 'dequant-no-zero', check: INT4_RANDOM, edits: [[DEQ4, 'data[o * inp + i] = x.q[o * inp + i] * x.scales[g];']] },
  { key: 'gptq-no-propagation', check: GPTQ, edits: [[PROPAGATE, '// (the error stays where it is)']] },
  { key: 'gptq-no-propagation', name: 'on the bundled model', check: GPTQ_MODEL, edits: [[PROPAGATE, '// (the error stays where it is)']] },
]);

/** GPTQ's quantizer (gptq/quant.py) widens each range to include 0: the same grid whenever a group has both signs. */
const WIDEN: [string, string] = [GRID, `      min = Math.min(min, 0); // GPTQ's quantizer: the range always includes 0
      max = Math.max(max, 0);
${GRID}`];

export const VARIANTS: LibraryVariant[] = [
  { library: 'GPTQ', name: 'the grid widened to include 0 (hand-worked groups)', exercise: EX, check: INT4, edits: [WIDEN] },
  { library: 'GPTQ', name: 'the grid widened to include 0 (random weights)', exercise: EX, check: INT4_RANDOM, edits: [WIDEN] },
  { library: 'GPTQ', name: 'the grid widened to include 0 (GPTQ on a small layer)', exercise: EX, check: GPTQ, edits: [WIDEN] },
];
