/** Shows a small tensor as a table: 1-D as one row, 2-D as a grid, higher ranks as their first 2-D slice. */
import type { FirstDifference, ShownValue } from '../core/grading/result';
import { h } from './dom';

const MAX = 8;

export function fmt(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(3) : x.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}

export function valueView(v: ShownValue, diff?: FirstDifference): HTMLElement {
  if (v.kind === 'number') return h('code', { class: 'scalar' }, fmt(v.value));
  if (v.kind === 'text') return h('code', { class: 'scalar' }, v.text);
  const shape = v.shape.length ? v.shape : [1];
  const rows = shape.length >= 2 ? shape[shape.length - 2] : 1;
  const cols = shape[shape.length - 1];
  const leading = shape.length > 2 ? shape.slice(0, -2).map(() => 0) : [];
  const at = (r: number, c: number) => v.data[r * cols + c];
  const isDiff = (r: number, c: number) => {
    if (!diff) return false;
    const idx = [...leading, ...(shape.length >= 2 ? [r, c] : [c])];
    return idx.length === diff.index.length && idx.every((x, i) => x === diff.index[i]);
  };
  const table = h('table', { class: 'tensor' },
    ...Array.from({ length: Math.min(rows, MAX) }, (_, r) => h('tr', {},
      ...Array.from({ length: Math.min(cols, MAX) }, (_, c) => {
        const x = at(r, c);
        return h('td', { class: [isDiff(r, c) ? 'diff' : '', Number.isFinite(x) ? '' : 'nonfinite'].join(' ').trim() || undefined }, x === undefined ? '' : fmt(x));
      }),
      cols > MAX ? h('td', { class: 'more' }, '…') : null)),
    rows > MAX ? h('tr', {}, h('td', { class: 'more', colspan: Math.min(cols, MAX) }, '⋮')) : null);
  const note = shape.length > 2 ? ` [${leading.join(', ')}, :, :]` : '';
  return h('div', { class: 'tensor-wrap' }, h('div', { class: 'shape' }, `shape [${v.shape.join(', ')}]${note}`), table);
}
