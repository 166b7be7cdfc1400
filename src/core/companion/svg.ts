/**
 * The learner's results as image files for a blog post: an SVG drawn from an artifact's data (a curve, a
 * heatmap, the first maps of a layer x head set, bars). Self-contained SVG (no script, no external font).
 */
import type { Artifact } from '../grading/result';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'Source Han Sans SC', sans-serif"`;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const num = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : Number(v.toPrecision(3)).toString());
const r1 = (v: number) => Math.round(v * 10) / 10;

/** Roughly how wide a title is drawn at 14 px (CJK characters are about twice as wide). */
const titleWidth = (s: string) => [...s].reduce((n, ch) => n + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 14 : 7.5), 0);

function frame(w0: number, h: number, title: string, body: string): string {
  const w = Math.ceil(Math.max(w0, titleWidth(title) + 40));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ${FONT} font-size="12">\n`
    + `<rect width="${w}" height="${h}" fill="#ffffff"/>\n<text x="${w / 2}" y="20" text-anchor="middle" font-size="14" font-weight="600">${esc(title)}</text>\n${body}</svg>\n`;
}

function curve(a: Extract<Artifact, { kind: 'curve' }>): string {
  const W = 640, H = 360, L = 60, R = 20, T = 36, B = 48;
  const xs = a.series.flatMap((s) => s.x), ys = a.series.flatMap((s) => s.y).filter(Number.isFinite);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const px = (x: number) => r1(L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R));
  const py = (y: number) => r1(H - B - ((y - y0) / (y1 - y0 || 1)) * (H - T - B));
  let body = `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#888"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#888"/>\n`;
  for (const [v, y] of [[y0, py(y0)], [y1, py(y1)]] as const) body += `<text x="${L - 6}" y="${y + 4}" text-anchor="end">${num(v)}</text>\n`;
  for (const [v, x] of [[x0, px(x0)], [x1, px(x1)]] as const) body += `<text x="${x}" y="${H - B + 16}" text-anchor="middle">${num(v)}</text>\n`;
  body += `<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle">${esc(a.xLabel)}</text>\n`;
  body += `<text transform="translate(14 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(a.yLabel)}</text>\n`;
  a.series.forEach((s, i) => {
    const pts = s.x.map((x, j) => [x, s.y[j]] as const).filter(([, y]) => Number.isFinite(y)).map(([x, y]) => `${px(x)},${py(y)}`).join(' ');
    const c = COLORS[i % COLORS.length];
    body += `<polyline fill="none" stroke="${c}" stroke-width="1.5" points="${pts}"/>\n`;
    body += `<rect x="${W - R - 150}" y="${T + 4 + i * 16}" width="10" height="10" fill="${c}"/><text x="${W - R - 134}" y="${T + 13 + i * 16}">${esc(s.name)}</text>\n`;
  });
  return frame(W, H, a.title, body);
}

/** A heatmap cell grid, values mapped white -> blue over [min, max], at (ox, oy), `size` px per cell at most. */
function grid(values: number[][], ox: number, oy: number, maxSide: number): { svg: string; w: number; h: number } {
  const rows = values.length, cols = Math.max(1, ...values.map((r) => r.length));
  const cell = Math.max(1, Math.min(28, Math.floor(maxSide / Math.max(rows, cols))));
  const flat = values.flat().filter(Number.isFinite);
  const lo = Math.min(...flat), hi = Math.max(...flat);
  const hex = (n: number) => Math.round(n).toString(16).padStart(2, '0');
  // A white box with a frame, then only the cells that are not white (half of a causal map is zeros).
  let svg = `<rect x="${ox}" y="${oy}" width="${cols * cell}" height="${rows * cell}" fill="#ffffff" stroke="#cccccc"/>`;
  values.forEach((row, i) => row.forEach((v, j) => {
    const t = Number.isFinite(v) ? (v - lo) / (hi - lo || 1) : 0;
    if (t < 0.01) return;
    svg += `<rect x="${ox + j * cell}" y="${oy + i * cell}" width="${cell}" height="${cell}" fill="#${hex(255 - 225 * t)}${hex(255 - 155 * t)}${hex(255 - 55 * t)}"/>`;
  }));
  return { svg: svg + '\n', w: cols * cell, h: rows * cell };
}

function heatmap(a: Extract<Artifact, { kind: 'heatmap' }>): string {
  const g = grid(a.values, 70, 40, 480);
  let body = g.svg;
  const cell = g.w / Math.max(1, a.columns.length);
  if (a.rows.length <= 32) a.rows.forEach((r, i) => { body += `<text x="64" y="${r1(40 + (i + 0.5) * (g.h / a.rows.length) + 4)}" text-anchor="end">${esc(r)}</text>`; });
  if (a.columns.length <= 32) a.columns.forEach((c, j) => { body += `<text x="${r1(70 + (j + 0.5) * cell)}" y="${40 + g.h + 14}" text-anchor="middle">${esc(c)}</text>`; });
  return frame(Math.max(320, 90 + g.w), 70 + g.h, a.title, body + '\n');
}

function heatmaps(a: Extract<Artifact, { kind: 'heatmaps' }>): string {
  const maps = a.maps.slice(0, 16);
  const per = Math.ceil(Math.sqrt(maps.length));
  const side = 150;
  let body = '';
  maps.forEach((m, k) => {
    const x = 20 + (k % per) * (side + 20), y = 40 + Math.floor(k / per) * (side + 34);
    const g = grid(m.values, x, y, side);
    body += g.svg;
    body += `<text x="${x + g.w / 2}" y="${y + g.h + 14}" text-anchor="middle">${esc(a.axes.map((ax, i) => `${ax} ${m.at[i]}`).join(' · '))}</text>\n`;
  });
  return frame(40 + per * (side + 20), 50 + Math.ceil(maps.length / per) * (side + 34), a.title, body);
}

function bars(a: Extract<Artifact, { kind: 'bars' }>): string {
  const W = 560, row = 22, L = 160;
  const max = Math.max(1e-12, ...a.values.map(Math.abs));
  let body = '';
  a.values.forEach((v, i) => {
    const y = 36 + i * row, w = r1((Math.abs(v) / max) * (W - L - 80));
    body += `<text x="${L - 8}" y="${y + 14}" text-anchor="end">${esc(a.labels[i] ?? '')}</text><rect x="${L}" y="${y + 3}" width="${w}" height="${row - 8}" fill="${COLORS[0]}"/><text x="${L + w + 6}" y="${y + 14}">${num(v)}</text>\n`;
  });
  return frame(W, 46 + a.values.length * row, a.title, body);
}

/** An SVG of an artifact that is a picture of a result, or undefined (tables and texts are not). */
export function artifactSvg(a: Artifact): string | undefined {
  switch (a.kind) {
    case 'curve': return a.series.some((s) => s.x.length) ? curve(a) : undefined;
    case 'heatmap': return a.values.length ? heatmap(a) : undefined;
    case 'heatmaps': return a.maps.length ? heatmaps(a) : undefined;
    case 'bars': return a.values.length ? bars(a) : undefined;
    default: return undefined;
  }
}
