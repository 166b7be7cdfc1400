/** The tensors track's mistake cases (see test/unit/catalogue.ts): each puts one known wrong answer into basics.solution.ts. */
import { type LibraryVariant, mistakeCases, type MistakeCase } from '../catalogue';
import { TENSORS_MISTAKES } from '../../../lessons/01-tensors/mistakes';

/** The solution's two guards in matmul, as they read there. */
const MATMUL_2D_GUARD = "  if (a.shape.length !== 2 || b.shape.length !== 2) {\n"
  + "    throw new Error(`matmul: expected two 2-D tensors, got shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);\n"
  + '  }\n';
const MATMUL_INNER_GUARD = '  if (k !== k2) {\n'
  + "    throw new Error(`matmul: inner dimensions differ: (${n}, ${k}) @ (${k2}, ${m}); a's columns must equal b's rows`);\n"
  + '  }\n';

/** softmax without the max subtraction. */
const NO_MAX: [string, string] = ['Math.exp(x.data[start + a * inner] - max)', 'Math.exp(x.data[start + a * inner])'];
/** NumPy's byte strides: the running product starts at 4 bytes (one float32) instead of 1 element. */
const BYTE_STRIDES: [string, string] = ['let step = 1;', 'let step = Float32Array.BYTES_PER_ELEMENT;'];
/** Column-major (Fortran/MATLAB/Julia) strides: the first index moves fastest. */
const COLUMN_MAJOR_STRIDES: [string, string] = ['for (let d = shape.length - 1; d >= 0; d--) {', 'for (let d = 0; d < shape.length; d++) {'];
/** Column-major offsets: strides of the reversed shape, reversed. */
const COLUMN_MAJOR_OFFSET: [string, string] = ['const s = strides(shape);', 'const s = strides([...shape].reverse()).reverse();'];

/** One max over the whole tensor instead of one per slice. */
const GLOBAL_MAX: [string, string] = [
  'for (let a = 0; a < len; a++) max = Math.max(max, x.data[start + a * inner]);',
  'for (const v of x.data) max = Math.max(max, v);',
];

export const CASES: MistakeCase[] = mistakeCases(TENSORS_MISTAKES, 'tensors/basics', [
  // ----- strides
  { key: 'strides-column-major', check: 'strides of shape (2, 3, 4)', edits: [COLUMN_MAJOR_STRIDES] },
  { key: 'strides-in-bytes', check: 'strides of shape (2, 3, 4)', edits: [BYTE_STRIDES] },
  { key: 'strides-in-bytes', name: 'strides([5]) is [4]', check: 'strides of a scalar', edits: [BYTE_STRIDES] },
  { key: 'strides-in-bytes', name: 'byte offsets', check: 'offset visits every element', edits: [BYTE_STRIDES] },
  { key: 'strides-in-bytes', name: 'offset([2, 3, 4], [1, 2, 3]) is 92', check: 'offset throws for an index out of range', edits: [BYTE_STRIDES] },
  { key: 'strides-reversed', check: 'strides of shape (2, 3, 4)', edits: [['out[d] = step;', 'out[shape.length - 1 - d] = step;']] },
  { key: 'strides-own-size', check: 'strides of shape (2, 3, 4)', edits: [['    out[d] = step;\n    step *= shape[d];', '    step *= shape[d];\n    out[d] = step;']] },
  { key: 'strides-next-size-only', check: 'strides of shape (2, 3, 4)', edits: [['out[d] = step;', 'out[d] = shape[d + 1] ?? 1;']] },
  { key: 'strides-modifies-shape', check: 'strides of a scalar', edits: [['  return out;', '  (shape as number[]).reverse();\n  return out;']] },

  // ----- offset
  { key: 'offset-column-major', check: 'offset visits every element', edits: [COLUMN_MAJOR_OFFSET] },
  // An offset built on column-major strides is the strides' mistake, named once by its name.
  { key: 'strides-column-major', name: 'offsets from column-major strides', check: 'offset visits every element', edits: [COLUMN_MAJOR_STRIDES] },
  { key: 'offset-no-bounds-check', check: 'offset throws for an index out of range', edits: [['if (!Number.isInteger(i) || i < 0 || i >= shape[d]) {', 'if (!Number.isInteger(i)) {']] },
  {
    key: 'offset-no-bounds-check', name: 'off by one: i > shape[d]', check: 'offset throws for an index out of range',
    edits: [['i >= shape[d]', 'i > shape[d]']],
  },
  { key: 'offset-negative-index', check: 'offset throws for an index out of range', edits: [['i < 0 || ', '']] },
  {
    key: 'offset-negative-index', name: 'counted from the end without a lower bound', check: 'offset throws for an index out of range',
    edits: [['i < 0 || ', ''], ['const i = index[d];', 'const i = index[d] < 0 ? index[d] + shape[d] : index[d];']],
  },
  { key: 'offset-no-length-check', check: 'offset throws for the wrong number of indices', edits: [['if (index.length !== shape.length) {', 'if (index.length < shape.length) {']] },

  // ----- matmul
  {
    key: 'matmul-b-at-a', check: 'matmul of a hand-worked 2x2 case',
    edits: [['const aip = a.data[i * k + p];', 'const aip = b.data[i * k + p];'], ['aip * b.data[p * m + j]', 'aip * a.data[p * m + j]']],
  },
  { key: 'matmul-b-transposed', check: 'matmul of a hand-worked 2x2 case', edits: [['b.data[p * m + j]', 'b.data[j * k + p]']] },
  { key: 'matmul-a-transposed', check: 'matmul of a hand-worked 2x2 case', edits: [['a.data[i * k + p]', 'a.data[p * k + i]']] },
  {
    key: 'matmul-elementwise', check: 'matmul of a hand-worked 2x2 case',
    edits: [['out[i * m + j] += aip * b.data[p * m + j];', 'if (p === 0) out[i * m + j] = a.data[i * m + j] * b.data[i * m + j] + 0 * aip;']],
  },
  { key: 'matmul-b-row-length', check: 'matmul of non-square shapes', edits: [['b.data[p * m + j]', 'b.data[p * k + j]']] },
  { key: 'matmul-a-row-length', check: 'matmul of non-square shapes', edits: [['a.data[i * k + p]', 'a.data[i * m + p]']] },
  { key: 'matmul-no-shape-check', check: 'matmul throws when the inner dimensions differ', edits: [[MATMUL_INNER_GUARD, '']] },
  {
    key: 'matmul-not-2d', check: 'matmul throws when the inner dimensions differ',
    edits: [[MATMUL_2D_GUARD, ''], ['if (k !== k2) {', 'if (a.shape[a.shape.length - 1] !== b.shape[0]) {']],
  },
  {
    key: 'matmul-not-2d', name: 'checks only a', check: 'matmul throws when the inner dimensions differ',
    edits: [['if (a.shape.length !== 2 || b.shape.length !== 2) {', 'if (a.shape.length !== 2) {']],
  },
  {
    key: 'matmul-not-2d', name: 'refuses only vectors: a 3-D input read as a matrix', check: 'matmul throws when the inner dimensions differ',
    edits: [['if (a.shape.length !== 2 || b.shape.length !== 2) {', 'if (a.shape.length === 1 || b.shape.length === 1) {']],
  },

  // ----- softmax
  { key: 'softmax-wrong-axis', check: 'softmax matches a float64 reference', edits: [['const ax = axis < 0 ? axis + ndim : axis;', 'const ax = ndim - 1;']] },
  {
    key: 'softmax-wrong-axis', name: 'slices sum to 1 along another axis', check: 'softmax slices sum to 1',
    edits: [['const ax = axis < 0 ? axis + ndim : axis;', 'const ax = ndim - 1;']],
  },
  { key: 'softmax-negative-axis', check: 'softmax matches a float64 reference', edits: [['axis < 0 ? axis + ndim : axis', 'axis < 0 ? -axis : axis']] },
  {
    key: 'softmax-negative-axis', name: 'only -1 is counted from the end, -3 throws', check: 'softmax matches a float64 reference',
    edits: [['const ax = axis < 0 ? axis + ndim : axis;', 'const ax = axis === -1 ? ndim - 1 : axis;']],
  },
  {
    key: 'softmax-negative-axis', name: 'slices sum to 1 along another axis', check: 'softmax slices sum to 1',
    edits: [['axis < 0 ? axis + ndim : axis', 'axis < 0 ? -axis : axis']],
  },
  {
    key: 'softmax-whole-tensor', check: 'softmax matches a float64 reference',
    edits: [
      ['const outer = numel(x.shape.slice(0, ax));', 'const outer = 1;'],
      ['const len = x.shape[ax];', 'const len = x.data.length;'],
      ['const inner = numel(x.shape.slice(ax + 1));', 'const inner = 1;'],
    ],
  },
  { key: 'softmax-no-divide', check: 'softmax matches a float64 reference', edits: [['/= sum;', '/= 1;']] },
  { key: 'softmax-overflow', check: 'softmax of huge logits', edits: [NO_MAX] },
  // The max starts at 0, so a slice of negative logits gets nothing subtracted, and the sum is taken over the
  // float32 values: exp(-200) is 0 in float32, so 0/0. (A softmax with no max at all overflows first: named so.)
  {
    key: 'softmax-underflow', check: 'softmax is unchanged by adding a constant',
    edits: [['let max = -Infinity;', 'let max = 0;'], ['sum += e;', 'sum += out[start + a * inner];']],
  },
  {
    key: 'softmax-underflow', name: 'on the extreme logits', check: 'softmax of huge logits',
    edits: [['let max = -Infinity;', 'let max = 0;'], ['sum += e;', 'sum += out[start + a * inner];']],
  },
  { key: 'softmax-overflow', name: 'a large shift', check: 'softmax is unchanged by adding a constant', edits: [NO_MAX, ['sum += e;', 'sum += out[start + a * inner];']] },
  { key: 'softmax-global-max', check: 'softmax of huge logits', edits: [GLOBAL_MAX] },
  { key: 'softmax-nan-leak', check: 'a NaN makes its own slice NaN', edits: [GLOBAL_MAX] },
  // A NaN that leaks because the axis is wrong is named as the wrong axis, confirmed without the NaN.
  {
    key: 'softmax-wrong-axis', name: 'a NaN leaks along the last axis', check: 'a NaN makes its own slice NaN',
    edits: [['const ax = axis < 0 ? axis + ndim : axis;', 'const ax = ndim - 1;']],
  },
  {
    key: 'softmax-whole-tensor', name: 'a NaN spreads over the whole tensor', check: 'a NaN makes its own slice NaN',
    edits: [
      ['const outer = numel(x.shape.slice(0, ax));', 'const outer = 1;'],
      ['const len = x.shape[ax];', 'const len = x.data.length;'],
      ['const inner = numel(x.shape.slice(ax + 1));', 'const inner = 1;'],
    ],
  },
  {
    key: 'softmax-nan-hidden', check: 'a NaN makes its own slice NaN',
    edits: [
      ['max = Math.max(max, x.data[start + a * inner]);', 'if (!Number.isNaN(x.data[start + a * inner])) max = Math.max(max, x.data[start + a * inner]);'],
      ['const e = Math.exp(x.data[start + a * inner] - max);', 'const e = Math.exp(x.data[start + a * inner] - max) || 0;'],
    ],
  },
]);

/** np.matmul's and torch.matmul's promotion of a 1-D argument, put in front of the solution's 2-D guard. */
const PROMOTE_1D = '  if (a.shape.length === 1) {\n'
  + '    const c = matmul({ data: a.data, shape: [1, a.shape[0]] }, b); // (k) as (1, k), then drop the 1\n'
  + '    return { data: c.data, shape: c.shape.slice(1) };\n'
  + '  }\n'
  + '  if (b.shape.length === 1) {\n'
  + '    const c = matmul(a, { data: b.data, shape: [b.shape[0], 1] }); // (k) as (k, 1), then drop the 1\n'
  + '    return { data: c.data, shape: c.shape.slice(0, -1) };\n'
  + '  }\n';

/** Other libraries' conventions put into the solutions: accepted, or named as conventions (never as mistakes). */
export const VARIANTS: LibraryVariant[] = [
  // Named as conventions: this course is row-major and counts in elements.
  { library: 'Fortran/MATLAB/Julia', name: 'column-major strides', exercise: 'tensors/basics', check: 'strides of shape (2, 3, 4)', edits: [COLUMN_MAJOR_STRIDES] },
  { library: 'Fortran/MATLAB/Julia', name: 'column-major offsets', exercise: 'tensors/basics', check: 'offset visits every element', edits: [COLUMN_MAJOR_OFFSET] },
  { library: 'NumPy', name: 'strides in bytes (ndarray.strides)', exercise: 'tensors/basics', check: 'strides of shape (2, 3, 4)', edits: [BYTE_STRIDES] },
  { library: 'NumPy', name: 'strides in bytes, small shapes', exercise: 'tensors/basics', check: 'strides of a scalar', edits: [BYTE_STRIDES] },
  { library: 'NumPy', name: 'offsets in bytes', exercise: 'tensors/basics', check: 'offset visits every element', edits: [BYTE_STRIDES] },
  { library: 'NumPy', name: 'offsets in bytes, bounds check', exercise: 'tensors/basics', check: 'offset throws for an index out of range', edits: [BYTE_STRIDES] },
  // Accepted.
  {
    library: 'NumPy/PyTorch', name: 'a negative index counts from the end, as x[1, -1, 0]', exercise: 'tensors/basics', check: 'offset throws for an index out of range',
    edits: [['const i = index[d];', 'const i = index[d] < 0 ? index[d] + shape[d] : index[d];']],
  },
  {
    library: 'NumPy/PyTorch', name: 'matmul promotes a 1-D argument, as np.matmul and torch.matmul', exercise: 'tensors/basics', check: 'matmul throws when the inner dimensions differ',
    edits: [[MATMUL_2D_GUARD, PROMOTE_1D + MATMUL_2D_GUARD]],
  },
  {
    library: 'SciPy', name: 'axis optional, the whole array when omitted (scipy.special.softmax, axis=None)', exercise: 'tensors/basics', check: 'softmax matches a float64 reference',
    edits: [[
      'export function softmax(x: NDArray, axis: number): NDArray {\n',
      'export function softmax(x: NDArray, axis?: number): NDArray {\n'
        + '  if (axis === undefined) return { data: softmax({ data: x.data, shape: [x.data.length] }, 0).data, shape: [...x.shape] };\n',
    ]],
  },
  {
    library: 'PyTorch', name: 'float32 arithmetic throughout, as a float32 kernel', exercise: 'tensors/basics', check: 'softmax matches a float64 reference',
    edits: [
      ['const e = Math.exp(x.data[start + a * inner] - max);', 'const e = Math.fround(Math.exp(Math.fround(x.data[start + a * inner] - max)));'],
      ['sum += e;', 'sum = Math.fround(sum + e);'],
    ],
  },
  {
    library: 'PyTorch', name: 'float32 arithmetic throughout, on extreme logits', exercise: 'tensors/basics', check: 'softmax of huge logits',
    edits: [
      ['const e = Math.exp(x.data[start + a * inner] - max);', 'const e = Math.fround(Math.exp(Math.fround(x.data[start + a * inner] - max)));'],
      ['sum += e;', 'sum = Math.fround(sum + e);'],
    ],
  },
];
