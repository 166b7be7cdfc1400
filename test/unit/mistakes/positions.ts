/**
 * The positions lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake
 * put into the reference solution (lessons/06c-positions/positions.solution.ts), and the one check that names it run
 * on it; and the other libraries' ways of writing the same thing (Hugging Face's rotate_half, tensor2tensor's
 * sinusoidal layout, nanoGPT's embedding init and assert), which must pass or be reported as conventions.
 */
import { POSITIONS_MISTAKES } from '../../../lessons/06c-positions/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'positions/encodings';

const EMB = 'TokenPositionEmbedding: wte[id] + wpe[startPos + t]';
const MODEL = 'TokenPositionEmbedding with the bundled model';
const SIN = "sinusoidalEncoding: Vaswani et al.'s table";
const FREQ = 'ropeFrequencies: θ_i = base^(−2i/hs)';
const ROPE = 'applyRope: exact values for both pairings';
const REL = 'applyRope: q(m)·k(n) depends only on m − n';
const OFFSET = 'applyRope: token by token with startPos';
const ATT = 'attendWithRope: a whole sequence against float64';
const CACHE = 'attendWithRope: a KV cache fed token by token';

const POS = 'const pos = this.wpe.forward(Array.from({ length: T }, (_, t) => startPos + t)); // (T, C): the positions, not the ids';
const SIN_LINES = `      pe.data[t * d + 2 * i] = Math.sin(angle);
      pe.data[t * d + 2 * i + 1] = Math.cos(angle);`;
const SIN_ANGLE = 'const angle = (startPos + t) / base ** ((2 * i) / d);';
const SIN_OPTS = 'const { startPos = 0, base = 10000 } = opts;';
const FREQS = 'return Array.from({ length: hs / 2 }, (_, i) => base ** (-(2 * i) / hs));';
const ROPE_OPTS = "const { base = 10000, pairing = 'interleaved' } = opts;";
const ROPE_TABLES = `      cos[t * half + i] = Math.cos((startPos + t) * theta[i]);
      sin[t * half + i] = Math.sin((startPos + t) * theta[i]);`;
const HALVES = `  if (pairing === 'halves') {
    const a = narrow(x, -1, 0, half); //   x_i
    const b = narrow(x, -1, half, half); // x_{i + hs/2}
    return cat([sub(mul(a, c), mul(b, s)), add(mul(a, s), mul(b, c))], -1);
  }`;
/** Halves as partners, but each channel's angle indexed as the interleaved convention does (θ of channel j = θ_{floor(j/2)}). */
const HALVES_MIXED = `  if (pairing === 'halves') {
    const out = new Float32Array(x.size);
    for (let r = 0; r < x.size / hs; r++) {
      const p = startPos + (r % T);
      for (let i = 0; i < half; i++) {
        const [a, b] = [x.data[r * hs + i], x.data[r * hs + i + half]];
        const [pa, pb] = [p * theta[Math.floor(i / 2)], p * theta[Math.floor((i + half) / 2)]];
        out[r * hs + i] = a * Math.cos(pa) - b * Math.sin(pa);
        out[r * hs + i + half] = b * Math.cos(pb) + a * Math.sin(pb);
      }
    }
    return new Tensor(out, x.shape);
  }`;
const INTERLEAVED = `  const pairs = x.reshape(...lead, half, 2); //                (..., T, hs/2, 2): (x_{2i}, x_{2i+1})
  const a = narrow(pairs, -1, 0, 1).reshape(...lead, half);
  const b = narrow(pairs, -1, 1, 1).reshape(...lead, half);
  const ra = sub(mul(a, c), mul(b, s)).reshape(...lead, half, 1);
  const rb = add(mul(a, s), mul(b, c)).reshape(...lead, half, 1);
  return cat([ra, rb], -1).reshape(...x.shape); //              back to (..., T, hs), pairs side by side again`;
const ROTATE_QK = `  const qr = applyRope(q, start, opts);
  const kr = applyRope(k, start, opts);`;
const CACHE_V = 'cache.v = cache.v ? cat([cache.v, v], 2) : v; //                 values are not rotated';

export const CASES: MistakeCase[] = mistakeCases(POSITIONS_MISTAKES, EX, [
  { key: 'wpe-by-token', check: EMB, edits: [[POS, 'const pos = this.wpe.forward(flat, [B, T]);']] },
  { key: 'positions-restart', check: EMB, edits: [[POS, 'const pos = this.wpe.forward(Array.from({ length: T }, (_, t) => t));']] },
  { key: 'positions-restart', name: 'bundled model, tail', check: MODEL, edits: [[POS, 'const pos = this.wpe.forward(Array.from({ length: T }, (_, t) => t));']] },
  { key: 'positions-restart', name: 'sinusoidal startPos ignored', check: SIN, edits: [[SIN_OPTS, 'const { base = 10000 } = opts;\n  const startPos = 0;']] },
  { key: 'positions-restart', name: 'applyRope ignores startPos', check: OFFSET, edits: [[ROPE_TABLES, '      cos[t * half + i] = Math.cos(t * theta[i]);\n      sin[t * half + i] = Math.sin(t * theta[i]);']] },
  { key: 'positions-restart', name: 'cache rotated at 0', check: CACHE, edits: [[ROTATE_QK, '  const qr = applyRope(q, 0, opts);\n  const kr = applyRope(k, 0, opts);']] },
  { key: 'sin-cos-swapped', check: SIN, edits: [[SIN_LINES, '      pe.data[t * d + 2 * i] = Math.cos(angle);\n      pe.data[t * d + 2 * i + 1] = Math.sin(angle);']] },
  { key: 'exponent-i-over-d', check: SIN, edits: [[SIN_ANGLE, 'const angle = (startPos + t) / base ** (i / d);']] },
  { key: 'exponent-i-over-d', name: 'RoPE frequencies', check: FREQ, edits: [[FREQS, 'return Array.from({ length: hs / 2 }, (_, i) => base ** (-i / hs));']] },
  { key: 'exponent-i-over-d', name: 'RoPE values', check: ROPE, edits: [[FREQS, 'return Array.from({ length: hs / 2 }, (_, i) => base ** (-i / hs));']] },
  { key: 'base-ignored', check: SIN, edits: [[SIN_OPTS, 'const { startPos = 0 } = opts;\n  const base = 10000;']] },
  { key: 'base-ignored', name: 'RoPE frequencies', check: FREQ, edits: [[FREQS, 'return Array.from({ length: hs / 2 }, (_, i) => 10000 ** (-(2 * i) / hs));']] },
  { key: 'base-ignored', name: 'applyRope', check: ROPE, edits: [[ROPE_OPTS, "const { pairing = 'interleaved' } = opts;\n  const base = 10000;"]] },
  {
    key: 'sin-cos-halves', check: SIN,
    edits: [[SIN_LINES, '      pe.data[t * d + i] = Math.sin(angle);\n      pe.data[t * d + d / 2 + i] = Math.cos(angle);']],
  },
  { key: 'rope-halves-default', check: ROPE, edits: [[ROPE_OPTS, "const { base = 10000, pairing = 'halves' } = opts;"]] },
  { key: 'rope-halves-default', name: 'attention', check: ATT, edits: [[ROPE_OPTS, "const { base = 10000, pairing = 'halves' } = opts;"]] },
  { key: 'pairing-mixed', check: ROPE, edits: [[HALVES, HALVES_MIXED]] },
  { key: 'pairing-mixed', name: 'norms', check: REL, edits: [[HALVES, HALVES_MIXED]] },
  { key: 'rope-on-values', check: ATT, edits: [[CACHE_V, 'cache.v = cache.v ? cat([cache.v, applyRope(v, start, opts)], 2) : applyRope(v, start, opts);']] },
  { key: 'rope-on-values', name: 'cache', check: CACHE, edits: [[CACHE_V, 'cache.v = cache.v ? cat([cache.v, applyRope(v, start, opts)], 2) : applyRope(v, start, opts);']] },
]);

export const VARIANTS: LibraryVariant[] = [
  {
    library: 'Hugging Face', name: "rotate_half as the only pairing (x * cos + rotate_half(x) * sin, cos = cat(freqs, freqs))", exercise: EX, check: ROPE,
    edits: [[ROPE_OPTS, "const { base = 10000 } = opts;\n  const pairing = 'halves';"]],
  },
  {
    library: 'Hugging Face', name: 'attention with rotate_half as the default', exercise: EX, check: ATT,
    edits: [[ROPE_OPTS, "const { base = 10000, pairing = 'halves' } = opts;"]],
  },
  {
    library: 'tensor2tensor', name: 'get_timing_signal_1d: all sines then all cosines, exp(-i ln(base) / (d/2 - 1)) spacing', exercise: EX, check: SIN,
    edits: [
      [SIN_ANGLE, 'const angle = (startPos + t) * Math.exp(-i * Math.log(base) / Math.max(d / 2 - 1, 1));'],
      [SIN_LINES, '      pe.data[t * d + i] = Math.sin(angle);\n      pe.data[t * d + d / 2 + i] = Math.cos(angle);'],
    ],
  },
  {
    library: 'nanoGPT', name: 'embeddings initialised N(0, 0.02), and an Error (assert) past block_size', exercise: EX, check: EMB,
    edits: [
      ['    this.wpe = new Embedding(config.blockSize, config.nEmbd, rng);\n',
        '    this.wpe = new Embedding(config.blockSize, config.nEmbd, rng);\n    for (const w of [this.wte.weight, this.wpe.weight]) w.data.forEach((v, i) => { w.data[i] = 0.02 * v; });\n'],
      ['throw new RangeError(', 'throw new Error('],
    ],
  },
  {
    library: 'Meta LLaMA', name: 'interleaved pairs as complex numbers: (a + ib)(cos φ + i sin φ), loops over .data', exercise: EX, check: ROPE,
    edits: [[INTERLEAVED, `  const out = new Float32Array(x.size);
  for (let r = 0; r < x.size / hs; r++) {
    for (let i = 0; i < half; i++) {
      const [re, im] = [x.data[r * hs + 2 * i], x.data[r * hs + 2 * i + 1]];
      const [cr, ci] = [cos[(r % T) * half + i], sin[(r % T) * half + i]];
      out[r * hs + 2 * i] = re * cr - im * ci; //     (re + i im)(cr + i ci)
      out[r * hs + 2 * i + 1] = re * ci + im * cr;
    }
  }
  return new Tensor(out, x.shape);`]],
  },
];
