/**
 * Draws what a check hands back besides pass/fail (result.ts `Artifact`): tables, text, bar charts of
 * probabilities, attention heatmaps (one, or every layer and head with a picker), and two generated texts
 * side by side with the differing characters marked.
 *
 * Curves (training loss, reward, KL) are drawn by uPlot, the panel's one chart library (it needs no eval,
 * which the webview's CSP forbids); tables, bars, heatmaps and the two texts are plain DOM and SVG. Colours
 * come from the VS Code theme (CSS variables in media/lab.css), so the charts follow light, dark and
 * high-contrast themes. Text from checks is always inserted as text nodes, never as HTML.
 *
 * Everything fits the panel's width (about 450 px beside an editor): heatmaps scale down to a readable size
 * and then scroll inside their own box, tables scroll inside theirs and show their first rows with a button
 * for the rest, numbers never wrap. Widths known only at run time are set through the CSSOM (dom.ts says
 * why); test/e2e/layout.mjs measures all of it in the real webview.
 */
import uPlot from 'uplot';
import type { Artifact } from '../core/grading/result';
import { h, setStyle } from './dom';
import { t } from './strings';
import { fmt } from './tensor';

type HeatmapsArtifact = Extract<Artifact, { kind: 'heatmaps' }>;
type GenerationArtifact = Extract<Artifact, { kind: 'generation' }>;

/** What an artifact is drawn for: a check that passed shows differences as change, not as failure. */
export interface ArtifactContext {
  passed?: boolean;
}

export function artifactView(a: Artifact, ctx: ArtifactContext = {}): HTMLElement {
  switch (a.kind) {
    case 'table':
      return figure(a.title, tableView(a));
    case 'text':
      return figure(a.title, h('pre', {}, a.text));
    case 'bars':
      return figure(a.title, barsView(a.labels, a.values));
    case 'heatmap':
      return figure(a.title, heatmapView({ rows: a.rows, columns: a.columns, values: a.values }));
    case 'heatmaps':
      return figure(a.title, heatmapsView(a));
    case 'generation':
      return figure(a.title, generationView(a, ctx.passed === true));
    case 'curve':
      return figure(a.title, curveView(a));
    default: // an artifact kind from a newer lesson than this panel: show its title at least
      return figure((a as { title?: string }).title ?? '');
  }
}

function figure(title: string, ...body: HTMLElement[]): HTMLElement {
  return h('figure', { class: 'artifact' }, h('figcaption', {}, title), ...body);
}

// ---- SVG -------------------------------------------------------------------------------------------------

const SVG_NS = 'http://www.w3.org/2000/svg';

/** h() for SVG elements (they need their namespace). */
function s(tag: string, attrs: Record<string, string | number | undefined> = {}, ...children: (SVGElement | string)[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

// ---- curves (uPlot) -----------------------------------------------------------------------------------

type CurveArtifact = Extract<Artifact, { kind: 'curve' }>;

/** Theme colours for up to six series: VS Code's chart palette, with its dark-theme defaults as fallbacks. */
const SERIES_COLOURS: [name: string, fallback: string][] = [
  ['blue', '#3794ff'], ['orange', '#d18616'], ['green', '#89d185'], ['purple', '#b180d7'], ['red', '#f14c4c'], ['yellow', '#cca700'],
];

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/**
 * Line chart of one or more series (training and validation loss, reward and KL) drawn by uPlot on a
 * canvas. Series may have different x values (a validation point every few steps): uPlot wants one
 * shared x axis, so the union of x values is used and a series is null where it has no point.
 */
function curveView(a: CurveArtifact): HTMLElement {
  const box = h('div', { class: 'curve' });
  const xs = [...new Set(a.series.flatMap((s) => s.x))].sort((p, q) => p - q);
  const at = new Map(xs.map((x, i) => [x, i]));
  const columns = a.series.map((s) => {
    const col: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    s.x.forEach((x, i) => { const y = s.y[i]; col[at.get(x)!] = Number.isFinite(y) ? y : null; });
    return col;
  });
  const text = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-widget-border', 'rgba(128,128,128,0.25)') || 'rgba(128,128,128,0.25)';
  const axis = (label: string, size: number): uPlot.Axis => ({ label, stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, labelGap: 4, size });
  // A first guess at the width; the observer below fits the chart to its box once it is laid out.
  const width = Math.max(240, Math.min(720, (document.body.clientWidth || 640) - 90));
  const opts: uPlot.Options = {
    width, height: 220,
    scales: { x: { time: false } },
    axes: [axis(a.xLabel, 36), axis(a.yLabel, 56)],
    legend: { show: a.series.length > 1, live: false }, // series names only: the axes carry the values
    cursor: { drag: { x: false, y: false } },
    series: [
      { label: a.xLabel },
      ...a.series.map((s, i) => ({
        label: s.name, spanGaps: true, width: 2,
        stroke: cssVar(`--vscode-charts-${SERIES_COLOURS[i % SERIES_COLOURS.length][0]}`, SERIES_COLOURS[i % SERIES_COLOURS.length][1]),
        points: { show: s.x.length <= 30 },
      })),
    ],
  };
  const plot = new uPlot(opts, [xs, ...columns] as uPlot.AlignedData, box);
  new ResizeObserver(() => {
    const w = Math.max(240, Math.min(720, Math.floor(box.clientWidth)));
    if (box.clientWidth > 0 && Math.abs(w - plot.width) > 1) plot.setSize({ width: w, height: 220 });
  }).observe(box);
  return box;
}

// ---- tables ----------------------------------------------------------------------------------------------

type TableArtifact = Extract<Artifact, { kind: 'table' }>;

/** Rows shown before "show all". */
const TABLE_ROWS = 12;
const NUMERIC = /^[-+−]?(\d[\d,.]*|\.\d+)(e[-+]?\d+)?%?$/i;

/** A table that scrolls sideways in its own box; numbers never wrap; long tables show their first rows. */
function tableView(a: TableArtifact): HTMLElement {
  const box = h('div', { class: 'table-box' });
  let all = a.rows.length <= TABLE_ROWS + 2;
  const cell = (x: string | number) => {
    const text = typeof x === 'number' ? fmt(x) : x;
    return h('td', { class: typeof x === 'number' || NUMERIC.test(text.trim()) ? 'num' : undefined }, text);
  };
  const draw = (): void => {
    const rows = all ? a.rows : a.rows.slice(0, TABLE_ROWS);
    const table = h('table', { class: 'data' }, h('tr', {}, ...a.columns.map((c) => h('th', {}, c))), ...rows.map((r) => h('tr', {}, ...r.map(cell))));
    const toggle = a.rows.length > TABLE_ROWS + 2
      ? h('button', { class: 'show-all link-button', type: 'button', onclick: () => { all = !all; draw(); } },
        all ? t('showFewerRows', TABLE_ROWS) : t('showRows', a.rows.length)) : null;
    box.replaceChildren(h('div', { class: 'table-scroll' }, table), ...(toggle ? [toggle] : []));
  };
  draw();
  return box;
}

// ---- bars ------------------------------------------------------------------------------------------------

/** A bar's number: probabilities as percentages, large counts with thousands separators (821,120 vs 73,728). */
function barValue(v: number, probabilities: boolean): string {
  if (!Number.isFinite(v)) return fmt(v);
  if (probabilities) return `${(100 * v).toFixed(v >= 0.1 ? 1 : 2)}%`;
  return Number.isInteger(v) && Math.abs(v) >= 1e4 && Math.abs(v) < 1e15 ? v.toLocaleString('en-US') : fmt(v);
}

/**
 * Horizontal bars, largest first as given; each bar's length is its |value| over the largest |value|
 * (negative values in red), so 73,728 trainable of 821,120 parameters is a ninth of a bar.
 */
function barsView(labels: string[], values: number[]): HTMLElement {
  const finite = values.filter(Number.isFinite);
  const max = Math.max(...finite.map(Math.abs), 1e-12);
  const probabilities = finite.length > 0 && finite.every((v) => v >= 0 && v <= 1) && finite.reduce((p, v) => p + v, 0) <= 1 + 1e-6;
  const top = values.indexOf(Math.max(...finite));
  return h('div', { class: 'bars', role: 'list' }, ...labels.map((label, i) => {
    const v = values[i];
    const width = Number.isFinite(v) ? Math.max(0, (100 * Math.abs(v)) / max) : 0;
    const shown = barValue(v, probabilities);
    const fill = setStyle(h('span', { class: `bars-fill${v < 0 ? ' negative' : ''}` }), { width: `${width.toFixed(3)}%` });
    return h('div', { class: `bars-row${i === top ? ' top' : ''}`, role: 'listitem', title: `${label}: ${shown}` },
      h('span', { class: 'bars-label' }, label),
      h('span', { class: 'bars-track' }, fill),
      h('span', { class: 'bars-value' }, shown));
  }));
}

// ---- heatmaps --------------------------------------------------------------------------------------------

interface Matrix {
  rows: string[];
  columns: string[];
  values: number[][];
  rowTitle?: string;
  columnTitle?: string;
}

/** Cell colour strength in [0, 1]: the value itself for weights in [0, 1], else scaled by the largest |value|. */
function scaler(values: number[][]): (v: number) => number {
  const flat = values.flat().filter(Number.isFinite);
  const unit = flat.every((v) => v >= 0 && v <= 1);
  const max = unit ? 1 : Math.max(...flat.map(Math.abs), 1e-12);
  return (v) => (Number.isFinite(v) ? Math.min(1, Math.abs(v) / max) : 0);
}

const longest = (labels: string[]) => labels.reduce((m, l) => Math.max(m, [...l].length), 0);

/**
 * One heatmap as SVG: rows are queries, columns keys (for attention). Hovering a cell shows both labels and
 * the value and lights up the row and column labels. The SVG scales down with the panel (its viewBox keeps
 * the proportions) to about half its size, below which labels would be unreadable; past that its box scrolls.
 */
function heatmapView(m: Matrix): HTMLElement {
  const nr = m.rows.length;
  const nc = m.columns.length;
  const cell = Math.max(8, Math.min(22, Math.floor(520 / Math.max(nc, 1))));
  const rowLabelWidth = Math.max(18, 7.5 * longest(m.rows) + 8);
  const rotate = longest(m.columns) > 2;
  const colLabelHeight = rotate ? Math.min(80, 6.5 * longest(m.columns) + 10) : 18;
  const [x0, y0] = [rowLabelWidth, colLabelHeight];
  const width = x0 + nc * cell + 4;
  const height = y0 + nr * cell + 4;
  const strength = scaler(m.values);

  const svg = s('svg', { class: 'heatmap', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `${nr} × ${nc}` });
  setStyle(svg, { 'min-width': `${Math.round(Math.min(width, Math.max(260, width * 0.55)))}px` });
  svg.append(s('rect', { class: 'hm-bg', x: x0, y: y0, width: nc * cell, height: nr * cell }));
  const rowLabels = m.rows.map((label, i) => s('text', { class: 'hm-label', x: x0 - 5, y: y0 + (i + 0.5) * cell, 'text-anchor': 'end', 'dominant-baseline': 'central' }, label));
  const colLabels = m.columns.map((label, j) => {
    const cx = x0 + (j + 0.5) * cell;
    return rotate
      ? s('text', { class: 'hm-label', x: cx, y: y0 - 5, transform: `rotate(-60 ${cx} ${y0 - 5})`, 'dominant-baseline': 'central' }, label)
      : s('text', { class: 'hm-label', x: cx, y: y0 - 6, 'text-anchor': 'middle' }, label);
  });
  svg.append(...rowLabels, ...colLabels);
  const cells = s('g', { class: 'hm-cells' });
  m.values.forEach((row, i) => row.forEach((v, j) => {
    const a = strength(v);
    if (!Number.isFinite(v)) {
      cells.append(s('rect', { class: 'hm-nonfinite', x: x0 + j * cell, y: y0 + i * cell, width: cell, height: cell }));
    } else if (a > 0) {
      cells.append(s('rect', { class: v < 0 ? 'hm-cell negative' : 'hm-cell', x: x0 + j * cell, y: y0 + i * cell, width: cell, height: cell, 'fill-opacity': a.toFixed(3) }));
    }
  }));
  const focus = s('rect', { class: 'hm-focus', width: cell, height: cell, visibility: 'hidden' });
  svg.append(cells, focus);

  const tip = h('div', { class: 'hm-tip', role: 'status' });
  const wrap = h('div', { class: 'hm-wrap' }, svg, tip);
  const scroll = h('div', { class: 'hm-scroll' }, wrap);
  let lit: SVGElement[] = [];
  const clear = () => {
    lit.forEach((el) => el.classList.remove('lit'));
    lit = [];
    focus.setAttribute('visibility', 'hidden');
    tip.classList.remove('shown');
  };
  svg.addEventListener('mousemove', (e) => {
    const box = svg.getBoundingClientRect();
    const k = box.width / width || 1; // drawn size over the viewBox's
    const j = Math.floor(((e.clientX - box.left) / k - x0) / cell);
    const i = Math.floor(((e.clientY - box.top) / k - y0) / cell);
    if (i < 0 || j < 0 || i >= nr || j >= nc) return clear();
    lit.forEach((el) => el.classList.remove('lit'));
    lit = [rowLabels[i], colLabels[j]];
    lit.forEach((el) => el.classList.add('lit'));
    focus.setAttribute('x', String(x0 + j * cell));
    focus.setAttribute('y', String(y0 + i * cell));
    focus.setAttribute('visibility', 'visible');
    const v = m.values[i]?.[j];
    tip.replaceChildren(
      h('span', { class: 'hm-tip-tokens' }, `${m.rowTitle ?? t('row')} ${i} `, h('code', {}, m.rows[i]), ' → ', `${m.columnTitle ?? t('column')} ${j} `, h('code', {}, m.columns[j])),
      h('strong', {}, v === undefined ? '' : fmt(v)));
    tip.classList.add('shown');
    // Right of the cell, else left of it, else below it, always inside the heatmap's visible box.
    const [from, to] = [scroll.scrollLeft, scroll.scrollLeft + scroll.clientWidth];
    const right = k * (x0 + (j + 1) * cell) + 8;
    const left = k * (x0 + j * cell) - 8 - tip.offsetWidth;
    const beside = right + tip.offsetWidth <= to ? right : left >= from ? left : undefined;
    setStyle(tip, beside !== undefined
      ? { left: `${Math.round(beside)}px`, top: `${Math.round(k * (y0 + i * cell) - 4)}px` }
      : { left: `${Math.round(Math.max(from, to - tip.offsetWidth))}px`, top: `${Math.round(k * (y0 + (i + 1) * cell) + 4)}px` });
  });
  svg.addEventListener('mouseleave', clear);

  const axes = m.rowTitle || m.columnTitle
    ? h('div', { class: 'hm-axes dim' }, t('axes', m.rowTitle ?? '', m.columnTitle ?? '')) : null;
  return h('div', { class: 'hm' }, scroll, legend(m.values), axes);
}

/** A colour ramp from 0 to the largest value. */
function legend(values: number[][]): HTMLElement {
  const flat = values.flat().filter(Number.isFinite);
  const unit = flat.every((v) => v >= 0 && v <= 1);
  const max = unit ? 1 : Math.max(...flat.map(Math.abs), 0);
  return h('div', { class: 'hm-legend' }, h('span', {}, '0'), h('span', { class: 'hm-ramp' }), h('span', {}, fmt(max)));
}

/** A small picture of one map for the overview grid: one rect per visible cell, no labels. */
function thumbnail(values: number[][]): SVGElement {
  const n = Math.max(values.length, values[0]?.length ?? 0, 1);
  const cell = Math.max(1.5, Math.min(4, 84 / n));
  const size = n * cell;
  const strength = scaler(values);
  const svg = s('svg', { class: 'hm-thumb', width: size, height: size, viewBox: `0 0 ${size} ${size}`, 'aria-hidden': 'true' });
  svg.append(s('rect', { class: 'hm-bg', x: 0, y: 0, width: size, height: size }));
  values.forEach((row, i) => row.forEach((v, j) => {
    const a = strength(v);
    if (!Number.isFinite(v)) svg.append(s('rect', { class: 'hm-nonfinite', x: j * cell, y: i * cell, width: cell, height: cell }));
    else if (a > 0.02) svg.append(s('rect', { class: 'hm-cell', x: j * cell, y: i * cell, width: cell, height: cell, 'fill-opacity': a.toFixed(2) }));
  }));
  return svg;
}

/**
 * Many heatmaps over the same labels (every layer and head). With two axes, an overview grid of small
 * maps (rows: first axis, columns: second) doubles as the picker; otherwise one row of buttons per axis.
 */
function heatmapsView(a: HeatmapsArtifact): HTMLElement {
  if (a.maps.length === 0) return h('div', { class: 'dim' }, '∅');
  const key = (at: number[]) => at.join(',');
  const byKey = new Map(a.maps.map((m) => [key(m.at), m]));
  const values = a.axes.map((_, d) => [...new Set(a.maps.map((m) => m.at[d]))].sort((x, y) => x - y));
  let current = a.maps[0].at;
  const detail = h('div', { class: 'hm-detail' });
  const caption = h('div', { class: 'hm-selected' });
  const pickers: { at: number[]; el: HTMLElement }[] = [];

  const show = (at: number[]) => {
    const m = byKey.get(key(at));
    if (!m) return;
    current = at;
    caption.textContent = a.axes.map((name, d) => `${name} ${at[d]}`).join(' · ');
    detail.replaceChildren(heatmapView({ rows: a.rows, columns: a.columns, values: m.values, rowTitle: a.rowTitle, columnTitle: a.columnTitle }));
    for (const p of pickers) p.el.setAttribute('aria-pressed', String(key(p.at) === key(current)));
  };

  let picker: HTMLElement;
  if (a.axes.length === 2) {
    const [rowsAxis, colsAxis] = values;
    // One column of row names, then one per value of the second axis; thumbnails shrink with the panel.
    picker = h('div', { class: 'hm-grid' },
      h('span', {}), ...colsAxis.map((c) => h('span', { class: 'hm-grid-head dim' }, `${a.axes[1]} ${c}`)),
      ...rowsAxis.flatMap((r) => [
        h('span', { class: 'hm-grid-head dim' }, `${a.axes[0]} ${r}`),
        ...colsAxis.map((c) => {
          const m = byKey.get(key([r, c]));
          if (!m) return h('span', {});
          const el = h('button', { class: 'hm-pick', type: 'button', title: `${a.axes[0]} ${r}, ${a.axes[1]} ${c}`, onclick: () => show([r, c]) }, thumbnail(m.values));
          pickers.push({ at: [r, c], el });
          return el;
        }),
      ]));
    setStyle(picker, { 'grid-template-columns': `max-content repeat(${colsAxis.length}, minmax(28px, 92px))` });
  } else {
    picker = h('div', { class: 'hm-axis-pickers' }, ...a.axes.map((name, d) => h('div', { class: 'hm-axis' },
      h('span', { class: 'dim' }, name), ...values[d].map((v) => {
        const el = h('button', { class: 'hm-seg', type: 'button', onclick: () => show(current.map((x, e) => (e === d ? v : x))) }, String(v));
        return el;
      }))));
  }
  show(current);
  return h('div', { class: 'hm-multi' }, h('div', { class: 'hm-main' }, caption, detail), h('div', { class: 'hm-side' }, picker));
}

// ---- generation ------------------------------------------------------------------------------------------

/** A character as shown in a continuation: newlines and tabs made visible, and a differing space too. */
function glyph(ch: string | undefined, differs: boolean): string {
  if (ch === undefined) return '∅';
  if (ch === '\n') return '↵';
  if (ch === '\t') return '⇥';
  return ch === ' ' && differs ? '␣' : ch;
}

function continuation(text: string, other: string, mark: 'diff' | 'ref' | 'change'): HTMLElement {
  const mine = [...text];
  const theirs = [...other];
  const out = h('span', { class: 'gen-text' });
  let run = '';
  let runDiffers = false;
  const flush = () => {
    if (run) out.append(runDiffers ? h('span', { class: `gen-${mark}` }, run) : document.createTextNode(run));
    run = '';
  };
  mine.forEach((ch, i) => {
    const differs = ch !== theirs[i];
    if (differs !== runDiffers) flush();
    runDiffers = differs;
    run += glyph(ch, differs);
  });
  flush();
  return out;
}

/**
 * Two continuations of one prompt. Colours follow the check's outcome: in a failing check a difference is
 * the failure (red, with the first one named); in a passing check it is what the check wanted to see (a
 * LoRA fine-tune's before and after), so it is marked as change, in the neutral accent colour, and two
 * identical texts are only green where matching was the point.
 */
function generationView(a: GenerationArtifact, passed: boolean): HTMLElement {
  const expected = [...a.expected.text];
  const actual = [...a.actual.text];
  const n = Math.max(expected.length, actual.length);
  const differ = Array.from({ length: n }, (_, i) => expected[i] !== actual[i]).filter(Boolean).length;
  const first = Array.from({ length: n }, (_, i) => i).find((i) => expected[i] !== actual[i]);
  const summary = first === undefined
    ? h('div', { class: `gen-summary ${passed ? 'same' : 'neutral'}` }, t('genSame', n))
    : passed
      ? h('div', { class: 'gen-summary neutral' }, t('genChanged', differ, n))
      : h('div', { class: 'gen-summary differs' }, t('genDiffers', first + 1, differ, n));
  const prompt = h('span', { class: 'gen-prompt' }, [...a.prompt].map((c) => glyph(c, false)).join(''));
  const line = (label: string, body: HTMLElement) => h('div', { class: 'gen-line' }, h('span', { class: 'gen-label' }, label), h('span', { class: 'gen-body' }, prompt.cloneNode(true), body));
  return h('div', { class: `gen${passed ? ' passed' : ''}` },
    line(a.expected.label, continuation(a.expected.text, a.actual.text, passed ? 'change' : 'ref')),
    line(a.actual.label, continuation(a.actual.text, a.expected.text, passed ? 'change' : 'diff')),
    summary);
}
