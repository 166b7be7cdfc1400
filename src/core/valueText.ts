/**
 * A shown value as multi-line text for a side-by-side diff (the Test Explorer's expected/actual view):
 * tensors are written as nested rows like NumPy prints them, with aligned columns, so a diff editor
 * lines up the rows and highlights the numbers that differ. Both sides use the same number format.
 */
import type { ShownValue } from './grading/result';

/** Six significant digits: enough to see a float32 mismatch, short enough to read. */
export function numberText(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

export function valueText(v: ShownValue): string {
  switch (v.kind) {
    case 'number': return numberText(v.value);
    case 'text': return v.text;
    case 'tensor': return tensorText(v.shape, v.data, v.truncated ?? false);
  }
}

function tensorText(shape: readonly number[], data: readonly number[], truncated: boolean): string {
  const head = `shape [${shape.join(', ')}]`;
  const numel = shape.reduce((p, d) => p * d, 1);
  const cells = data.map(numberText);
  // A capped tensor cannot be laid out by its shape: show the values that were kept, flat.
  if (truncated || cells.length < numel) return `${head}\n[${cells.join(', ')}, … (${numel - cells.length} more)]`;
  if (shape.length === 0) return `${head}\n${cells[0] ?? ''}`;
  const width = Math.max(...cells.map((c) => c.length), 1);
  const padded = cells.map((c) => c.padStart(width));
  return `${head}\n${nest(shape, padded, 0, 0)}`;
}

/** Writes `cells` (row-major) for `shape[dim...]` starting at `start`, indented by `dim` like NumPy. */
function nest(shape: readonly number[], cells: string[], dim: number, start: number): string {
  const inner = shape.slice(dim + 1).reduce((p, d) => p * d, 1);
  if (dim === shape.length - 1) return `[${cells.slice(start, start + shape[dim]).join(', ')}]`;
  const parts: string[] = [];
  for (let i = 0; i < shape[dim]; i++) parts.push(nest(shape, cells, dim + 1, start + i * inner));
  // Rows of a matrix on their own lines; a blank line between the matrices of a 3-D tensor.
  const sep = ',' + '\n'.repeat(shape.length - dim - 1) + ' '.repeat(dim + 1);
  return `[${parts.join(sep)}]`;
}
