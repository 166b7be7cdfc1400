/**
 * Shows a tensor as a table: 1-D as one row, 2-D as a grid, higher ranks as one 2-D slice (the one holding
 * the first difference). A large tensor shows the neighbourhood of its first difference (or its top-left
 * corner) with row and column indices, and a button shows all of it, scrolling inside its own box: the
 * panel beside an editor is about 450 px wide, and a 31 x 31 table of 8.525e-7 is not.
 */
import type { FirstDifference, ShownValue } from '../core/grading/result';
import { h } from './dom';
import { t } from './strings';

/** Cells shown each side of the first difference. */
const AROUND = 3;
/** Rows and columns of the corner shown when there is no difference to centre on. */
const CORNER = 8;
/** "Show all" draws at most this many cells (a table of more is no longer something to read). */
const MAX_CELLS = 40_000;

export function fmt(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (Number.isInteger(x) && Math.abs(x) < 1e6) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(3) : x.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}

type Tensor = Extract<ShownValue, { kind: 'tensor' }>;

/** The 2-D slice of a tensor that is shown, and where its first difference is in it. */
interface Slice {
  rows: number;
  cols: number;
  /** Indices of the leading dimensions (empty for rank <= 2). */
  leading: number[];
  at(r: number, c: number): number | undefined;
  diff?: [number, number];
}

function sliceOf(v: Tensor, diff?: FirstDifference): Slice {
  const shape = v.shape.length ? v.shape : [1];
  const rows = shape.length >= 2 ? shape[shape.length - 2] : 1;
  const cols = shape[shape.length - 1];
  const matches = diff !== undefined && diff.index.length === Math.max(1, v.shape.length);
  const leading = shape.length > 2 ? (matches ? diff.index.slice(0, -2) : shape.slice(0, -2).map(() => 0)) : [];
  const sliceStart = leading.length ? leadingOffset(shape, leading) : 0;
  const at = (r: number, c: number) => v.data[sliceStart + r * cols + c];
  const d: [number, number] | undefined = matches
    ? (shape.length >= 2 ? [diff.index[diff.index.length - 2], diff.index[diff.index.length - 1]] : [0, diff.index[0]]) : undefined;
  return { rows, cols, leading, at, diff: d };
}

/** Flat offset of the 2-D slice at `leading` (row-major). */
function leadingOffset(shape: number[], leading: number[]): number {
  let offset = 0;
  for (let d = 0; d < leading.length; d++) offset = offset * shape[d] + leading[d];
  return offset * shape[shape.length - 2] * shape[shape.length - 1];
}

/** [start, end) of `size` cells around `centre` within [0, n). */
function around(centre: number, n: number, size: number): [number, number] {
  const start = Math.max(0, Math.min(centre - Math.floor(size / 2), n - size));
  return [start, Math.min(n, start + size)];
}

interface Window { r: [number, number]; c: [number, number]; cut: boolean }

function windowOf(s: Slice, full: boolean): Window {
  if (full) {
    const rows = Math.min(s.rows, Math.max(1, Math.floor(MAX_CELLS / Math.max(1, s.cols))));
    return { r: [0, rows], c: [0, s.cols], cut: rows < s.rows };
  }
  const r: [number, number] = s.diff ? around(s.diff[0], s.rows, 2 * AROUND + 1) : [0, Math.min(s.rows, CORNER)];
  const c: [number, number] = s.diff ? around(s.diff[1], s.cols, 2 * AROUND + 1) : [0, Math.min(s.cols, CORNER)];
  return { r, c, cut: r[0] > 0 || c[0] > 0 || r[1] < s.rows || c[1] < s.cols };
}

/** Whether the tensor is larger than what is shown by default (so "show all" means something). */
function isLarge(v: ShownValue | undefined, diff?: FirstDifference): boolean {
  return v?.kind === 'tensor' && windowOf(sliceOf(v, diff), false).cut;
}

export function valueView(v: ShownValue, diff?: FirstDifference, full = false): HTMLElement {
  if (v.kind === 'number') return h('code', { class: 'scalar' }, fmt(v.value));
  if (v.kind === 'text') return h('code', { class: 'scalar' }, v.text);
  const s = sliceOf(v, diff);
  const w = windowOf(s, full);
  const range = (a: [number, number]) => Array.from({ length: a[1] - a[0] }, (_, i) => a[0] + i);
  const cols = range(w.c);
  // A value sent truncated (a large tensor) has no data past some row: those rows are left out, not drawn empty.
  const rows = range(w.r).filter((r) => cols.some((c) => s.at(r, c) !== undefined));
  // Indices help as soon as the table is not the whole tensor, or is too big to count cells by eye.
  const indexed = w.cut || s.rows > CORNER || s.cols > CORNER;
  const before = { r: w.r[0] > 0, c: w.c[0] > 0 };
  const after = { r: (rows.at(-1) ?? w.r[0] - 1) + 1 < s.rows, c: w.c[1] < s.cols };
  const more = (text: string) => h('td', { class: 'more' }, text);
  let diffCell: HTMLElement | undefined;
  const cell = (r: number, c: number) => {
    const x = s.at(r, c);
    const isDiff = s.diff !== undefined && s.diff[0] === r && s.diff[1] === c;
    const td = h('td', { class: [isDiff ? 'diff' : '', x !== undefined && !Number.isFinite(x) ? 'nonfinite' : ''].join(' ').trim() || undefined }, x === undefined ? '' : fmt(x));
    if (isDiff) diffCell = td;
    return td;
  };
  const ellipsisRow = (mark: string) => h('tr', {}, indexed ? h('th', {}) : null, before.c ? more('') : null, ...cols.map(() => more(mark)), after.c ? more('') : null);
  const table = h('table', { class: 'tensor' },
    indexed && s.rows > 1 ? h('tr', { class: 'index' }, h('th', {}), before.c ? h('th', {}) : null, ...cols.map((c) => h('th', {}, String(c))), after.c ? h('th', {}) : null) : null,
    before.r ? ellipsisRow('⋮') : null,
    ...rows.map((r) => h('tr', {},
      indexed ? h('th', {}, s.rows > 1 ? String(r) : '') : null,
      before.c ? more('…') : null,
      ...cols.map((c) => cell(r, c)),
      after.c ? more('…') : null)),
    after.r ? ellipsisRow('⋮') : null);
  const scroll = h('div', { class: `tensor-scroll${full ? ' full' : ''}` }, table);
  // Bring the first difference into view inside the box once the table is laid out.
  if (diffCell) {
    const target = diffCell;
    requestAnimationFrame(() => {
      scroll.scrollLeft = Math.max(0, target.offsetLeft - (scroll.clientWidth - target.offsetWidth) / 2);
      scroll.scrollTop = Math.max(0, target.offsetTop - (scroll.clientHeight - target.offsetHeight) / 2);
    });
  }
  const slice = s.leading.length ? ` [${s.leading.join(', ')}, :, :]` : '';
  const shown = w.cut && !full ? ` · ${t('window', w.r[0], w.r[1] - 1, w.c[0], w.c[1] - 1)}` : '';
  return h('div', { class: 'tensor-wrap' }, h('div', { class: 'shape' }, `shape [${v.shape.join(', ')}]${slice}${shown}`), scroll);
}

/**
 * Expected and actual side by side (stacked when the panel is narrow), with one "show all" for both
 * when they are larger than the neighbourhood shown.
 */
export function compareView(expected: ShownValue | undefined, actual: ShownValue | undefined, diff?: FirstDifference): HTMLElement {
  const box = h('div', { class: 'compare' });
  const large = isLarge(expected, diff) || isLarge(actual, diff);
  const shape = [expected, actual].find((v): v is Tensor => v?.kind === 'tensor')?.shape ?? [];
  let full = false;
  const draw = (): void => {
    const side = (label: 'expected' | 'actual', v: ShownValue | undefined) =>
      v ? h('div', { class: 'compare-side' }, h('div', { class: 'label' }, t(label)), valueView(v, diff, full)) : null;
    const toggle = large ? h('button', { class: 'show-all link-button', type: 'button', onclick: () => { full = !full; draw(); } },
      full ? t(diff ? 'showAround' : 'showLess') : t('showAll', shape.join(' × '))) : null;
    box.replaceChildren(...[side('expected', expected), side('actual', actual), toggle].filter((x): x is HTMLElement => x !== null));
  };
  draw();
  return box;
}
