/**
 * The kit's pointwise, softmax, LayerNorm, transpose and optimizer fast paths (issue 19) against the plain code
 * they replace, on odd shapes and awkward values:
 * exp32 and the GELU loops (kernels/pointwise.ts), LayerNorm's loops (kernels/layernorm.ts), transpose's copy
 * (kernels/transpose.ts), the run-by-run causal mask (kernels/broadcast.ts), AdamW's update (optim.ts), and
 * attention's scaledMaskedSoftmax against the three ops it stands for, and causalAttention against the lines of
 * CausalSelfAttention it stands for (both bit for bit).
 *
 * Tolerances: the references compute in float64 and the kernels store float32, so a value may differ by its
 * float32 rounding (a relative 6e-8) and by the kernel's own error (exp32: 6e-10 relative); we allow 1.2e-7
 * relative for values, and for sums (gradients) 1e-6 of the sum of the magnitudes of the terms.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Rng } from '../../../src/kit/random';
import {
  EXP32_MAX, EXP32_MIN, GELU_CONSTANTS, GELU_WASM_MIN, exp32, geluForward, geluForwardWithGrad, geluLoop, geluLoopWithGrad,
} from '../../../src/kit/kernels/pointwise';
import { attentionBackwardWasm, attentionWasm, geluWasm, matmulWasm, startMatmulWorkers, stopMatmulWorkers } from '../../../src/kit/kernels/wasm';
import { matmulReference } from '../../../src/kit/kernels/reference';
import { layerNormRows, layerNormRowsBackward } from '../../../src/kit/kernels/layernorm';
import { swapAxesFast } from '../../../src/kit/kernels/transpose';
import { swapAxes } from '../../../src/kit/ops/movement';
import { fillRepeated, unfilledGrad } from '../../../src/kit/kernels/broadcast';
import { softmaxRows } from '../../../src/kit/kernels/softmax';
import { causalMask } from '../../../src/kit/nn';
import { GPT } from '../../../src/kit/gpt';
import { causalAttention, fusedAttention } from '../../../src/kit/ops/attention';
import { matmul } from '../../../src/kit/ops/matmul';
import { transpose } from '../../../src/kit/ops/movement';
import { AdamW } from '../../../src/kit/optim';
import { Tensor, noGrad } from '../../../src/kit/tensor';
import { scaledMaskedSoftmax, softmax } from '../../../src/kit/ops/softmax';
import { gelu, maskedFill, mul } from '../../../src/kit/ops/elementwise';

const rng = new Rng(11);
const random = (len: number, scale = 1): Float32Array => Float32Array.from({ length: len }, () => (rng.random() * 2 - 1) * scale);

describe('exp32 (kernels/pointwise.ts)', () => {
  test('relative error below 6e-10 over its whole range, ends included', () => {
    const xs = [EXP32_MIN, EXP32_MAX, 0, -0, 1e-9, -1e-9, Math.LN2 / 64, -Math.LN2 / 64, -104, -87.3, 87.3];
    for (let i = 0; i < 20000; i++) xs.push(EXP32_MIN + rng.random() * (EXP32_MAX - EXP32_MIN));
    for (const x of xs) {
      const got = exp32(x), want = Math.exp(x);
      assert.ok(Math.abs(got - want) <= 6e-10 * want, `exp32(${x}) = ${got}, Math.exp says ${want}`);
    }
  });
});

describe('GELU loops (kernels/pointwise.ts) against the tanh formula in float64', () => {
  const C = Math.sqrt(2 / Math.PI);
  const plain = (v: number) => 0.5 * v * (1 + Math.tanh(C * (v + 0.044715 * v * v * v)));
  const plainGrad = (v: number) => {
    const t = Math.tanh(C * (v + 0.044715 * v * v * v));
    const du = C * (1 + 3 * 0.044715 * v * v);
    return { value: 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * du, scale: Math.abs(0.5 * (1 + t)) + Math.abs(0.5 * v * (1 - t * t) * du) };
  };
  const special = [0, -0, 1e-30, -1e-30, 1e-7, -0.7518, -0.75, 0.5, -1, 1, -3, 3, -5.5, 7, -9.999, 9.999, -10, 10,
    -10.0001, 10.0001, -12, 12, -40, 40, -1e6, 1e6, 3e38, -3e38, Infinity, -Infinity, NaN];
  const x = Float32Array.from([...special, ...random(5000, 4), ...random(2000, 12)]);

  // The same function as x / (1 + e^(-2u)): no cancellation in 1 + tanh(u) for negative x, where the tanh
  // form's float64 result is 0 once tanh(u) rounds to -1 (x below about -5) and the true value is below 1e-15.
  const exact = (v: number) => v / (1 + Math.exp(-2 * C * (v + 0.044715 * v * v * v)));
  test('forward: within float32 rounding; NaN, +-Infinity and |x| > 10 exactly as the formula gives them', () => {
    const y = new Float32Array(x.length);
    geluForward(x, y);
    for (let i = 0; i < x.length; i++) {
      const want = plain(x[i]);
      if (!Number.isFinite(want) || Math.abs(x[i]) > 10) {
        assert.ok(Object.is(y[i], Math.fround(want)), `gelu(${x[i]}) = ${y[i]}, want ${want}`);
      } else {
        assert.ok(Math.abs(y[i] - want) <= 1.2e-7 * Math.abs(want) + 1e-15, `gelu(${x[i]}) = ${y[i]}, the tanh formula gives ${want}`);
        const e = exact(x[i]);
        assert.ok(Math.abs(y[i] - e) <= 1.2e-7 * Math.abs(e) + 1e-44, `gelu(${x[i]}) = ${y[i]}, want ${e}`);
      }
    }
    assert.ok(Object.is(y[1], -0), 'gelu(-0) is -0');
  });

  test('with the gradient: the same y, and d = gelu\'(x) within float32 rounding', () => {
    const y = new Float32Array(x.length), y2 = new Float32Array(x.length), d = new Float32Array(x.length);
    geluForward(x, y);
    geluForwardWithGrad(x, y2, d);
    assert.deepEqual(y2, y);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const { value, scale } = plainGrad(v);
      if (!(Math.abs(v) <= 10)) { // NaN, +-Infinity, |x| > 10: the tanh formula itself
        assert.ok(Object.is(d[i], Math.fround(value)) || (Number.isNaN(d[i]) && Number.isNaN(value)), `gelu'(${v}) = ${d[i]}, want ${value}`);
        continue;
      }
      // Within 1e-14 of the tanh formula (which loses everything below about that for x < -5, where 1 + tanh(u) cancels),
      // and within float32 rounding of the same derivative written with e = exp(-2u) (no cancellation).
      assert.ok(Math.abs(d[i] - value) <= 1.2e-7 * Math.abs(value) + 1e-6 * scale + 1e-14, `gelu'(${v}) = ${d[i]}, the tanh formula gives ${value}`);
      const e = Math.exp(-2 * C * (v + 0.044715 * v * v * v)), sg = 1 / (1 + e), du = C * (1 + 3 * 0.044715 * v * v);
      const exactD = sg * (1 + 2 * v * sg * e * du), terms = sg + Math.abs(2 * v * sg * sg * e * du); // gelu' crosses 0 near -0.75
      assert.ok(Math.abs(d[i] - exactD) <= 1.2e-7 * Math.abs(exactD) + 1e-9 * terms + 1e-44, `gelu'(${v}) = ${d[i]}, want ${exactD}`);
    }
  });

  test('the op: gradient through gelu() against finite differences of the tanh formula', () => {
    const xs = new Tensor(Float32Array.from([-11, -4.2, -0.75, -0.3, 0, 0.4, 1.7, 3.3, 9.5, 12]), [10], true);
    gelu(xs).backward(new Float32Array(10).fill(1));
    for (let i = 0; i < 10; i++) {
      const v = xs.data[i], h = 1e-5;
      const fd = (plain(v + h) - plain(v - h)) / (2 * h);
      assert.ok(Math.abs(xs.grad![i] - fd) <= 1e-6 + 1e-6 * Math.abs(fd), `gelu'(${v}) = ${xs.grad![i]}, finite differences ${fd}`);
    }
    const noGradY = noGrad(() => gelu(xs));
    assert.deepEqual(noGradY.data, gelu(xs).data);
  });
});

describe('GELU in WebAssembly ($geluTask in matmul.wat) against the JavaScript loops, bit for bit', () => {
  before(() => startMatmulWorkers());
  after(() => stopMatmulWorkers());
  const special = [0, -0, 1e-30, -1e-30, 1e-38, -0.75, 0.5, -3, 3, -9.999999, 9.999999, -10, 10, -10.000001, 10.000001,
    -40, 40, -88, 88, 1e6, -1e6, 3e38, -3e38, Infinity, -Infinity, NaN];
  const input = (n: number): Float32Array => {
    const x = random(n, 6).map((v, i) => (i % 5 === 0 ? v * 4 : v)); // some beyond +-10
    for (let i = 0; i < Math.min(n, special.length); i++) x[(i * 7919) % n] = special[i];
    return x;
  };
  const same = (got: Float32Array, want: Float32Array, what: string): void => {
    const g = new Uint32Array(got.buffer, got.byteOffset, got.length), w = new Uint32Array(want.buffer, want.byteOffset, want.length);
    for (let i = 0; i < want.length; i++) {
      if (g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) assert.fail(`${what}[${i}]: ${got[i]} (bits ${g[i]}), the loop gives ${want[i]} (bits ${w[i]})`);
    }
  };
  for (const threads of ['off', 'force', 'workers'] as const) {
    test(`${threads === 'off' ? 'one thread' : threads === 'force' ? 'shared with the workers' : 'on the workers alone'}: odd sizes, specials, with and without the gradient`, () => {
      for (const n of [1, 2, 3, 5, 4096, 4097, 70001]) {
        const x = input(n);
        const y = new Float32Array(n), d = new Float32Array(n), yWant = new Float32Array(n), dWant = new Float32Array(n);
        geluLoopWithGrad(x, yWant, dWant);
        assert.equal(geluWasm(x, y, d, GELU_CONSTANTS, threads), true);
        same(y, yWant, `gelu, n = ${n}`);
        same(d, dWant, `gelu', n = ${n}`);
        geluLoop(x, yWant);
        y.fill(7);
        assert.equal(geluWasm(x, y, undefined, GELU_CONSTANTS, threads), true);
        same(y, yWant, `gelu without gradient, n = ${n}`);
      }
    });
  }
  test('the kit calls it from 2048 elements on, and the arrays may be views; it writes nothing past n', () => {
    const buf = input(10000), x = buf.subarray(1000, 1000 + GELU_WASM_MIN + 1);
    const y = new Float32Array(x.length + 2).fill(5), d = new Float32Array(x.length + 2).fill(5);
    const yWant = new Float32Array(x.length), dWant = new Float32Array(x.length);
    geluLoopWithGrad(x, yWant, dWant);
    geluForwardWithGrad(x, y, d);
    same(y.subarray(0, x.length), yWant, 'y');
    same(d.subarray(0, x.length), dWant, 'd');
    assert.deepEqual([...y.subarray(x.length)], [5, 5]);
    assert.deepEqual([...d.subarray(x.length)], [5, 5]);
    assert.throws(() => geluWasm(x, new Float32Array(3), undefined, GELU_CONSTANTS), /y and d need/);
    assert.throws(() => geluWasm(x, y, undefined, new Float64Array(3)), /constants must be/);
  });
  test('a product after a GELU job, and a GELU job after a product, on the workers: both right', () => {
    const a = random(64 * 48), b = random(48 * 40), c = new Float32Array(64 * 40), cWant = new Float32Array(64 * 40);
    matmulReference(a, b, cWant, 64, 48, 40, {});
    const x = input(50000), y = new Float32Array(x.length), yWant = new Float32Array(x.length);
    geluLoop(x, yWant);
    for (let i = 0; i < 3; i++) {
      matmulWasm(a, b, c, 64, 48, 40, {}, 'workers');
      for (let j = 0; j < c.length; j++) assert.ok(Math.abs(c[j] - cWant[j]) <= 1e-5 * (1 + Math.abs(cWant[j])), `C[${j}]`);
      geluWasm(x, y, undefined, GELU_CONSTANTS, 'workers');
      same(y, yWant, 'gelu');
    }
  });
});

describe('softmaxRows (kernels/softmax.ts) on causally masked rows', () => {
  test('exact zeros where masked; rows sum to 1; very negative scores underflow to 0 as in float32', () => {
    const T = 37, rows = 3 * T;
    const x = random(rows * T, 30);
    const mask = causalMask(T).data;
    for (let i = 0; i < x.length; i++) if (mask[i % (T * T)]) x[i] = -Infinity;
    x[5 * T] = -200; // row 5 (keeps positions 0..5): its first score far below the others
    const y = new Float32Array(x.length);
    softmaxRows(x, y, rows, T);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      const row = Array.from(x.subarray(r * T, (r + 1) * T));
      const m = Math.max(...row);
      const z = row.reduce((acc, v) => acc + Math.exp(v - m), 0);
      for (let k = 0; k < T; k++) {
        const want = Math.exp(row[k] - m) / z;
        const got = y[r * T + k];
        if (row[k] === -Infinity) assert.equal(got, 0);
        else assert.ok(Math.abs(got - want) <= 1.2e-7 * want + 1e-45, `y[${r}][${k}] = ${got}, want ${want}`);
        s += got;
      }
      assert.ok(Math.abs(s - 1) < 1e-6, `row ${r} sums to ${s}`);
    }
  });
});

describe('LayerNorm loops (kernels/layernorm.ts) against plain float64 loops', () => {
  for (const [N, C] of [[1, 1], [3, 7], [5, 130], [17, 64]] as const) {
    test(`(${N}, ${C}): values, saved xhat and rstd; gradients with every combination of inputs that need them`, () => {
      const x = random(N * C, 3).map((v, i) => v + (i % C === 0 ? 5 : 0)), w = random(C), b = random(C), eps = 1e-5;
      const y = new Float32Array(N * C), means = new Float64Array(N), rstd = new Float64Array(N);
      layerNormRows(x, w, b, y, means, rstd, N, C, eps);
      const wantXhat = new Float64Array(N * C), wantRstd = new Float64Array(N);
      for (let r = 0; r < N; r++) {
        let mean = 0, v = 0;
        for (let c = 0; c < C; c++) mean += x[r * C + c] / C;
        for (let c = 0; c < C; c++) v += (x[r * C + c] - mean) ** 2 / C;
        wantRstd[r] = 1 / Math.sqrt(v + eps);
        assert.ok(Math.abs(means[r] - mean) <= 1e-12 * (1 + Math.abs(mean)));
        for (let c = 0; c < C; c++) {
          wantXhat[r * C + c] = (x[r * C + c] - mean) * wantRstd[r];
          const want = wantXhat[r * C + c] * w[c] + b[c];
          assert.ok(Math.abs(y[r * C + c] - want) <= 1e-6 * (Math.abs(wantXhat[r * C + c] * w[c]) + Math.abs(b[c])) + 1e-7, `y[${r}][${c}] = ${y[r * C + c]}, want ${want}`);
        }
        assert.ok(Math.abs(rstd[r] - wantRstd[r]) <= 1e-9 * wantRstd[r]);
      }
      // The backward's xhat: float32, as the op used to save it.
      const xhat = Float32Array.from(wantXhat);
      const g = random(N * C);
      for (const need of [[1, 1, 1], [1, 0, 0], [0, 1, 1], [1, 1, 0], [0, 0, 1]]) {
        const gx = need[0] ? random(N * C) : null, gw = need[1] ? random(C) : null, gb = need[2] ? random(C) : null;
        const gx0 = gx && Float64Array.from(gx), gw0 = gw && Float64Array.from(gw), gb0 = gb && Float64Array.from(gb);
        layerNormRowsBackward(g, x, w, means, rstd, gx, gw, gb, N, C);
        for (let r = 0; r < N; r++) {
          let meanD = 0, meanDH = 0;
          for (let c = 0; c < C; c++) {
            meanD += g[r * C + c] * w[c] / C;
            meanDH += g[r * C + c] * w[c] * xhat[r * C + c] / C;
            if (gw0) gw0[c] += g[r * C + c] * xhat[r * C + c];
            if (gb0) gb0[c] += g[r * C + c];
          }
          for (let c = 0; c < C; c++) {
            if (!gx || !gx0) break;
            const at = r * C + c;
            const want = gx0[at] + wantRstd[r] * (g[at] * w[c] - meanD - xhat[at] * meanDH);
            const tol = 1e-6 * (Math.abs(gx0[at]) + wantRstd[r] * (Math.abs(g[at] * w[c]) + Math.abs(meanD) + Math.abs(xhat[at] * meanDH))) + 1e-7;
            assert.ok(Math.abs(gx[at] - want) <= tol, `gx[${r}][${c}] = ${gx[at]}, want ${want}`);
          }
        }
        for (let c = 0; c < C; c++) {
          if (gw && gw0) assert.ok(Math.abs(gw[c] - gw0[c]) <= 1e-5 * (1 + Math.abs(gw0[c])), `gw[${c}]`);
          if (gb && gb0) assert.ok(Math.abs(gb[c] - gb0[c]) <= 1e-5 * (1 + Math.abs(gb0[c])), `gb[${c}]`);
        }
      }
    });
  }
});

describe('swapAxesFast (kernels/transpose.ts) against swapAxes (ops/movement.ts)', () => {
  // (pre, a, mid, b, post): attention's two transposes, tiles with ragged edges, mid > 1, runs of 1, 5, 32 and 40.
  const CASES = [
    [8, 13, 1, 4, 32], [2, 4, 1, 13, 32], [3, 37, 1, 19, 1], [1, 16, 1, 16, 1], [2, 33, 1, 17, 1], [1, 1, 1, 1, 1],
    [2, 3, 5, 7, 1], [2, 3, 5, 7, 5], [1, 5, 2, 3, 40], [4, 1, 3, 9, 2],
  ];
  for (const [pre, a, mid, b, post] of CASES) {
    test(`(${pre}, ${a}, ${mid}, ${b}, ${post}), copy and accumulate: identical numbers`, () => {
      const n = pre * a * mid * b * post;
      const src = random(n);
      for (const accumulate of [false, true]) {
        const start = random(n);
        const want = Float32Array.from(start), got = Float32Array.from(start);
        swapAxes(src, want, pre, a, mid, b, post, accumulate);
        swapAxesFast(src, got, pre, a, mid, b, post, accumulate);
        assert.deepEqual(got, want);
      }
    });
  }
});

describe('the causal mask run by run (kernels/broadcast.ts)', () => {
  test('fillRepeated and unfilledGrad against the element-by-element rule, odd T, NaN and -0 in the mask', () => {
    for (const T of [1, 2, 7, 33]) {
      const period = T * T;
      for (const mask of [causalMask(T).data, Float32Array.from({ length: period }, (_, j) => [0, 1, NaN, -0, 0, 2][(j * 7) % 6])]) {
        const x = random(3 * period), g = random(3 * period);
        const y = new Float32Array(x.length), gx = random(x.length), gx0 = Float32Array.from(gx);
        fillRepeated(x, mask, period, -Infinity, y);
        unfilledGrad(g, mask, period, gx);
        for (let i = 0; i < x.length; i++) {
          const filled = mask[i % period] !== 0;
          assert.ok(Object.is(y[i], filled ? -Infinity : x[i]), `y[${i}]`);
          assert.equal(gx[i], filled ? gx0[i] : Math.fround(gx0[i] + g[i]), `gx[${i}]`);
        }
      }
    }
  });
});

describe('AdamW (optim.ts): the update against the textbook formula', () => {
  test('three steps, decayed and undecayed parameters, within float32 rounding', () => {
    const w2 = new Tensor(random(35), [5, 7], true), w1 = new Tensor(random(9), [9], true);
    const opt = new AdamW([w2, w1], { lr: 0.01, weightDecay: 0.1 });
    const ref = [w2, w1].map((p) => ({ w: Float32Array.from(p.data), m: new Float32Array(p.size), v: new Float32Array(p.size), decay: p.ndim >= 2 ? 0.1 : 0 }));
    for (let step = 1; step <= 3; step++) {
      [w2, w1].forEach((p, j) => {
        p.grad = random(p.size, step);
        const r = ref[j];
        for (let i = 0; i < p.size; i++) {
          const gi = p.grad[i];
          r.m[i] = 0.9 * r.m[i] + (1 - 0.9) * gi;
          r.v[i] = 0.95 * r.v[i] + (1 - 0.95) * gi * gi;
          const mHat = r.m[i] / (1 - 0.9 ** step), vHat = r.v[i] / (1 - 0.95 ** step);
          r.w[i] -= 0.01 * (mHat / (Math.sqrt(vHat) + 1e-8) + r.decay * r.w[i]);
        }
      });
      opt.step();
      [w2, w1].forEach((p, j) => {
        for (let i = 0; i < p.size; i++) {
          assert.ok(Math.abs(p.data[i] - ref[j].w[i]) <= 2.4e-7 * Math.abs(ref[j].w[i]) + 1e-9, `step ${step}: w[${i}] = ${p.data[i]}, want ${ref[j].w[i]}`);
        }
      });
    }
  });
});

describe('scaledMaskedSoftmax (ops/softmax.ts) against softmax(maskedFill(mul(...)))', () => {
  const threeOps = (x: Tensor, scale: number, mask: Tensor) => softmax(maskedFill(mul(x, scale), mask, -Infinity), -1);
  const masks: [string, (T: number) => Tensor][] = [
    ['causal', (T) => causalMask(T)],
    ['random, with NaN and -0, a row all masked', (T) => {
      const m = new Tensor(Float32Array.from({ length: T * T }, (_, j) => [0, 1, 0, NaN, -0, 0, 3][(j * 5) % 7]), [T, T]);
      if (T > 2) m.data.fill(1, T, 2 * T);
      return m;
    }],
    ['one row of T, broadcast over every row', (T) => new Tensor(Float32Array.from({ length: T }, (_, j) => (j % 3 === 2 ? 1 : 0)), [1, T])],
  ];
  for (const [name, makeMask] of masks) {
    for (const shape of [[2, 3, 5, 5], [1, 1, 1, 1], [3, 2, 17, 17], [4, 9, 9]]) {
      test(`${name} mask, scores (${shape.join(', ')}): identical values and gradients`, () => {
        const T = shape[shape.length - 1];
        const n = shape.reduce((p, d) => p * d, 1);
        const data = random(n, 8);
        data[0] = NaN; // wherever it lands: masked (no effect) or kept (a NaN row), both ops must agree
        const a = new Tensor(Float32Array.from(data), shape, true), b = new Tensor(Float32Array.from(data), shape, true);
        const mask = makeMask(T);
        const fused = scaledMaskedSoftmax(a, 0.37, mask), plain = threeOps(b, 0.37, mask);
        assert.deepEqual(fused.shape, plain.shape);
        for (let i = 0; i < n; i++) assert.ok(Object.is(fused.data[i], plain.data[i]), `y[${i}]: ${fused.data[i]} vs ${plain.data[i]}`);
        const g = random(n);
        fused.backward(g);
        plain.backward(g);
        for (let i = 0; i < n; i++) {
          const x = a.grad![i], y = b.grad![i];
          assert.ok(x === y || (Number.isNaN(x) && Number.isNaN(y)), `grad[${i}]: ${x} vs ${y}`);
        }
      });
    }
  }
  test('a mask that does not repeat row by row runs the three ops (and their errors)', () => {
    const x = new Tensor(random(24), [2, 3, 4]);
    const mask = new Tensor(Float32Array.from([0, 1, 0]), [3, 1]);
    assert.deepEqual(scaledMaskedSoftmax(x, 2, mask).data, threeOps(x, 2, mask).data);
    assert.throws(() => scaledMaskedSoftmax(x, 2, new Tensor(new Float32Array(5), [5])), /maskedFill: mask of shape \(5\)/);
  });
});

describe('causalAttention (ops/attention.ts, $attentionTask in matmul.wat) against the op-by-op lines of nn.ts, bit for bit', () => {
  before(() => startMatmulWorkers());
  after(() => stopMatmulWorkers());
  /** CausalSelfAttention.forward's lines from the heads split to `merged`, op by op. */
  const opByOp = (qx: Tensor, kx: Tensor, vx: Tensor, nh: number): Tensor => {
    const [B, T, C] = qx.shape, hs = C / nh;
    const [q, k, v] = [qx, kx, vx].map((t) => transpose(t.view(B, T, nh, hs), 1, 2));
    const att = scaledMaskedSoftmax(matmul(q, transpose(k, -2, -1)), 1 / Math.sqrt(hs), causalMask(T));
    return transpose(matmul(att, v), 1, 2).reshape(B, T, C);
  };
  const same = (got: Float32Array, want: Float32Array, what: string): void => {
    assert.equal(got.length, want.length, `${what}: length`);
    const g = new Uint32Array(got.buffer, got.byteOffset, got.length), w = new Uint32Array(want.buffer, want.byteOffset, want.length);
    for (let i = 0; i < want.length; i++) {
      if (g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) assert.fail(`${what}[${i}]: ${got[i]} (bits ${g[i]}), op by op ${want[i]} (bits ${w[i]})`);
    }
  };
  // (B, T, nh, hs, spread of the values): the GPT's own shape; odd T and hs (ragged 4 x 8 blocks); T past the
  // kernel's k block of 256; one position; large scores (exp32 underflows to 0 below -104)
  const shapes = [[8, 128, 4, 32, 1], [2, 13, 2, 8, 3], [1, 5, 1, 16, 1], [3, 37, 3, 12, 2], [2, 300, 2, 16, 1],
    [1, 1, 1, 256, 1], [2, 64, 2, 20, 6], [4, 9, 4, 4, 1]];
  for (const [B, T, nh, hs, spread] of shapes) {
    test(`(B, T, nh, hs) = (${B}, ${T}, ${nh}, ${hs}): the same y and the same gradients of q, k and v`, () => {
      assert.equal(fusedAttention(T, hs), true);
      const C = nh * hs, n = B * T * C;
      const [a, b, c] = [random(n, 2 * spread), random(n, 2 * spread), random(n, 2 * spread)];
      const g = random(n).map((x, i) => (i % 7 === 0 ? 0 : x)); // some zero gradients too
      const run = (fused: boolean): Float32Array[] => {
        const [q, k, v] = [a, b, c].map((d) => new Tensor(d.slice(), [B, T, C], true));
        const y = fused ? causalAttention(q, k, v, nh) : opByOp(q, k, v, nh);
        y.backward(g);
        return [y.data, q.grad!, k.grad!, v.grad!];
      };
      const want = run(false), got = run(true);
      ['y', 'dq', 'dk', 'dv'].forEach((what, i) => same(got[i], want[i], what));
    });
  }
  for (const threads of ['off', 'workers'] as const) {
    test(`the job on ${threads === 'off' ? 'one thread' : 'the workers alone'}: the same y, probabilities and gradients as the op`, () => {
      const [B, T, nh, hs] = [3, 21, 2, 12], n = B * T * nh * hs, s = { B, T, nh, hs, scale: 1 / Math.sqrt(hs) };
      const [q, k, v, g] = [random(n, 2), random(n, 2), random(n, 2), random(n)];
      const qt = new Tensor(q.slice(), [B, T, nh * hs], true);
      const y = causalAttention(qt, new Tensor(k, [B, T, nh * hs], true), new Tensor(v, [B, T, nh * hs], true), nh);
      y.backward(g);
      const y2 = new Float32Array(n), p = new Float32Array(B * nh * T * T).fill(9), dq = new Float32Array(n).fill(9);
      assert.equal(attentionWasm(q, k, v, y2, p, s, GELU_CONSTANTS, threads), true);
      same(y2, y.data, 'y');
      for (let r = 0; r < B * nh * T; r++) { // each row of probabilities: sums to 1, zero in the future
        const i = r % T, row = p.subarray(r * T, (r + 1) * T);
        assert.ok(row.subarray(i + 1).every((x) => x === 0), `row ${r}: the future is not 0`);
        assert.ok(Math.abs(row.reduce((x, z) => x + z, 0) - 1) < 1e-5, `row ${r}: sums to ${row.reduce((x, z) => x + z, 0)}`);
      }
      assert.equal(attentionBackwardWasm(q, k, v, p, g, dq, new Float32Array(n), new Float32Array(n), s, GELU_CONSTANTS, threads), true);
      same(dq, qt.grad!, 'dq');
    });
  }
  test('a NaN in a query makes its rows NaN, as op by op; the other rows are untouched', () => {
    const [B, T, nh, hs] = [1, 8, 2, 16], n = B * T * nh * hs;
    const q = random(n), k = random(n), v = random(n);
    q[3 * nh * hs + 5] = NaN; // position 3, head 0
    const got = noGrad(() => causalAttention(new Tensor(q, [B, T, nh * hs]), new Tensor(k, [B, T, nh * hs]), new Tensor(v, [B, T, nh * hs]), nh));
    const want = noGrad(() => opByOp(new Tensor(q, [B, T, nh * hs]), new Tensor(k, [B, T, nh * hs]), new Tensor(v, [B, T, nh * hs]), nh));
    same(got.data, want.data, 'y');
    assert.ok(Number.isNaN(got.data[3 * nh * hs]) && !Number.isNaN(got.data[3 * nh * hs + hs]) && !Number.isNaN(got.data[2 * nh * hs]));
  });
  test('one tensor as q, k and v: its three gradients add up (within float32 rounding of the order of the sum)', () => {
    const [B, T, nh, hs] = [2, 10, 2, 8], n = B * T * nh * hs, x = random(n), g = random(n);
    const a = new Tensor(x.slice(), [B, T, nh * hs], true), b = new Tensor(x.slice(), [B, T, nh * hs], true);
    causalAttention(a, a, a, nh).backward(g);
    opByOp(b, b, b, nh).backward(g);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(a.grad![i] - b.grad![i]) <= 1e-6 * (1 + Math.abs(b.grad![i])), `grad[${i}]`);
  });
  test('a GPT step: the same loss and the same gradient of every parameter as with the lines op by op (record)', () => {
    const config = { vocabSize: 11, blockSize: 24, nLayer: 2, nHead: 2, nEmbd: 16 };
    const ids = Int32Array.from({ length: 3 * 24 }, (_, i) => (i * 7) % 11), targets = Int32Array.from(ids, (t) => (t + 1) % 11);
    const step = (record: boolean): Map<string, Float32Array> => {
      const gpt = new GPT(config, new Rng(5));
      const { loss } = gpt.forward(ids, 3, 24, { targets, record });
      loss!.backward();
      const grads = new Map([...gpt.namedParameters()].map(([name, p]) => [name, p.grad!]));
      grads.set('loss', loss!.data);
      return grads;
    };
    const want = step(true), got = step(false);
    for (const [name, g] of want) same(got.get(name)!, g, name);
  });
  test('the wrong shapes are a clear error', () => {
    const t = new Tensor(random(2 * 4 * 6), [2, 4, 6]);
    assert.throws(() => causalAttention(t, t, new Tensor(random(2 * 4 * 6), [2, 6, 4]), 2), /q, k, v must be \(B, T, C\) alike/);
    assert.throws(() => causalAttention(t, t, t, 4), /divisible by 4 heads/);
    assert.equal(fusedAttention(2, 8), false); // 32 multiply-adds a product: JavaScript's, not the kernel's
    assert.throws(() => causalAttention(new Tensor(random(2 * 8), [1, 2, 8]), new Tensor(random(2 * 8), [1, 2, 8]), new Tensor(random(2 * 8), [1, 2, 8]), 1), /op-by-op path/);
  });
});
