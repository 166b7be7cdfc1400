/**
 * The FlashAttention lesson's course code: a float64 reference (plain softmax attention with the log-sum-exp of
 * every row, no tiles), the same computation done tile by tile with each catalogued mistake as a wrong variant, and
 * the allocation counter its memory check uses.
 *
 * Shapes: q (..., T_q, d), k (..., T_k, d), v (..., T_k, d_v); the leading axes are a batch. Scores are q·k / √d;
 * causal means key j is hidden from query i when j > i, and needs T_q = T_k (as the attention lesson's function).
 */
import { countAllocations } from '@llm-lab/check';

export interface FlashArr { data: ArrayLike<number>; shape: readonly number[] }
export interface FlashResult64 {
  out: { data: Float64Array; shape: number[] };
  lse: { data: Float64Array; shape: number[] };
}

export type FlashMistake =
  | 'no-rescale' //        the accumulator is not multiplied by exp(m_old - m_new) when the running max grows
  | 'l-not-rescaled' //    the running sum l is not multiplied by exp(m_old - m_new)
  | 'lse-without-m' //     lse = log(l), the max left out
  | 'no-final-division' // out = the accumulator, not divided by l
  | 'tile-local-mask' //   causal mask with indices inside the tile (c > r), tiles skipped by global position
  | 'tile-local-mask-all'; // the same, and no tile skipped

export const FLASH_VARIANTS: readonly FlashMistake[] = ['no-rescale', 'l-not-rescaled', 'lse-without-m', 'no-final-division', 'tile-local-mask', 'tile-local-mask-all'];

function dims(q: FlashArr, k: FlashArr, v: FlashArr): { B: number; Tq: number; Tk: number; d: number; dv: number } {
  const d = q.shape[q.shape.length - 1];
  const Tq = q.shape[q.shape.length - 2];
  const Tk = k.shape[k.shape.length - 2];
  const dv = v.shape[v.shape.length - 1];
  return { B: q.data.length / (Tq * d), Tq, Tk, d, dv };
}

function shapes(q: FlashArr, dv: number): { out: number[]; lse: number[] } {
  const lead = q.shape.slice(0, -1);
  return { out: [...lead, dv], lse: [...lead] };
}

/** Attention with every score at once (no tiles), in float64: out and lse = log Σ_j exp(s_ij) per row. */
export function flashReference64(q: FlashArr, k: FlashArr, v: FlashArr, causal: boolean): FlashResult64 {
  const { B, Tq, Tk, d, dv } = dims(q, k, v);
  const out = new Float64Array(B * Tq * dv);
  const lse = new Float64Array(B * Tq);
  const s = new Float64Array(Tk);
  const scale = 1 / Math.sqrt(d);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < Tq; i++) {
      let max = -Infinity;
      for (let j = 0; j < Tk; j++) {
        if (causal && j > i) { s[j] = -Infinity; continue; }
        let dot = 0;
        for (let x = 0; x < d; x++) dot += Number(q.data[(b * Tq + i) * d + x]) * Number(k.data[(b * Tk + j) * d + x]);
        s[j] = dot * scale;
        if (s[j] > max) max = s[j];
      }
      let sum = 0;
      for (let j = 0; j < Tk; j++) sum += Math.exp(s[j] - max);
      lse[b * Tq + i] = max + Math.log(sum);
      for (let j = 0; j < Tk; j++) {
        const p = Math.exp(s[j] - max) / sum;
        if (p === 0) continue;
        for (let x = 0; x < dv; x++) out[(b * Tq + i) * dv + x] += p * Number(v.data[(b * Tk + j) * dv + x]);
      }
    }
  }
  const sh = shapes(q, dv);
  return { out: { data: out, shape: sh.out }, lse: { data: lse, shape: sh.lse } };
}

/**
 * The online softmax, tile by tile, in float64, with one catalogued mistake (or none: then it equals the reference).
 * Rows of a tile that see no key of it are skipped for that tile (no NaN here; a NaN is recognised by the checks).
 */
export function flashTiled64(q: FlashArr, k: FlashArr, v: FlashArr, causal: boolean, blockQ: number, blockK: number, mistake?: FlashMistake): FlashResult64 {
  const { B, Tq, Tk, d, dv } = dims(q, k, v);
  const out = new Float64Array(B * Tq * dv);
  const lse = new Float64Array(B * Tq);
  const scale = 1 / Math.sqrt(d);
  const acc = new Float64Array(dv);
  for (let b = 0; b < B; b++) {
    for (let i0 = 0; i0 < Tq; i0 += blockQ) {
      const rows = Math.min(blockQ, Tq - i0);
      for (let r = 0; r < rows; r++) {
        const i = i0 + r;
        let m = -Infinity;
        let l = 0;
        acc.fill(0);
        for (let j0 = 0; j0 < Tk; j0 += blockK) {
          if (causal && mistake !== 'tile-local-mask-all' && j0 > i0 + rows - 1) break;
          const cols = Math.min(blockK, Tk - j0);
          const s: number[] = [];
          let tileMax = -Infinity;
          for (let c = 0; c < cols; c++) {
            const j = j0 + c;
            const hidden = causal && (mistake === 'tile-local-mask' || mistake === 'tile-local-mask-all' ? c > r : j > i);
            if (hidden) { s.push(-Infinity); continue; }
            let dot = 0;
            for (let x = 0; x < d; x++) dot += Number(q.data[(b * Tq + i) * d + x]) * Number(k.data[(b * Tk + j) * d + x]);
            s.push(dot * scale);
            tileMax = Math.max(tileMax, dot * scale);
          }
          if (tileMax === -Infinity) continue;
          const mNew = Math.max(m, tileMax);
          const alpha = Math.exp(m - mNew);
          if (mistake !== 'l-not-rescaled') l *= alpha;
          if (mistake !== 'no-rescale') for (let x = 0; x < dv; x++) acc[x] *= alpha;
          for (let c = 0; c < cols; c++) {
            const p = Math.exp(s[c] - mNew);
            if (p === 0) continue;
            l += p;
            for (let x = 0; x < dv; x++) acc[x] += p * Number(v.data[(b * Tk + j0 + c) * dv + x]);
          }
          m = mNew;
        }
        for (let x = 0; x < dv; x++) out[(b * Tq + i) * dv + x] = mistake === 'no-final-division' ? acc[x] : acc[x] / l;
        lse[b * Tq + i] = mistake === 'lse-without-m' ? Math.log(l) : m + Math.log(l);
      }
    }
  }
  const sh = shapes(q, dv);
  return { out: { data: out, shape: sh.out }, lse: { data: lse, shape: sh.lse } };
}

/** What flashCountAllocations saw: the kit's tensors and the typed arrays made with `new`, `.from` or `.of`. */
export interface FlashAllocations {
  /** Elements of the largest tensor or typed array created during the call. */
  largest: number;
  /** Elements of everything created during the call, added up. */
  total: number;
  /** How many tensors and typed arrays were created. */
  count: number;
}

const COUNTED = ['Float32Array', 'Float64Array', 'Int32Array', 'Uint32Array', 'Int16Array', 'Uint16Array', 'Int8Array', 'Uint8Array'] as const;

/**
 * Runs `fn` and counts what it allocates: every kit Tensor (the kit's own counter) and every typed array made with
 * `new X(...)`, `X.from(...)` or `X.of(...)` for the typed-array classes above. The global constructors are replaced
 * by counting proxies during the call only, and put back before this returns (the runner's lockdown watches them and
 * would report a change). NOT counted, and the lesson says so: plain JS arrays (`new Array(n)`, `[]`), and copies made
 * by a typed array's own methods (`.slice()`, `.map()`), which use the original class. A tensor's data is also a typed
 * array: a tensor is seen twice, with the same size, which changes `count` and `total` but not `largest`.
 */
export function flashCountAllocations<T>(fn: () => T): { result: T } & FlashAllocations {
  const g = globalThis as unknown as Record<string, unknown>;
  const originals = COUNTED.map((name) => [name, g[name]] as const);
  const seen: FlashAllocations = { largest: 0, total: 0, count: 0 };
  const note = (n: number): void => {
    seen.count += 1;
    seen.total += n;
    if (n > seen.largest) seen.largest = n;
  };
  for (const [name, ctor] of originals) {
    g[name] = new Proxy(ctor as new (...args: unknown[]) => ArrayLike<number>, {
      construct(target, args) {
        const made = Reflect.construct(target, args) as ArrayLike<number>;
        note(made.length);
        return made;
      },
    });
  }
  try {
    const counted = countAllocations(fn);
    note(counted.largest); // the largest tensor (its data was probably counted as a typed array already; no harm)
    seen.count += counted.count - 1;
    seen.total += counted.total - counted.largest;
    return { result: counted.result, ...seen };
  } finally {
    for (const [name, ctor] of originals) g[name] = ctor;
  }
}
