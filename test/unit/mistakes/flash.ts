/**
 * The FlashAttention lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued
 * mistake put into the reference solution (lessons/14d-flash-attention/flash.solution.ts) and the one check that
 * names it run on it; and the two published orders of the online softmax (the first paper's division after every
 * tile, FlashAttention-2's probabilities taken against the new running max), which must pass.
 */
import { FLASH_MISTAKES } from '../../../lessons/14d-flash-attention/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'flash-attention/flash';
const PLAIN = 'not causal: out and lse match a float64 reference';
const CAUSAL = 'causal: tiles below the diagonal';
const HUGE = 'huge scores: no overflow';
const MODEL = "the bundled model's heads";
const MEMORY = 'memory: the largest buffer';

const ACC = 'acc[r * dv + x] = alpha * acc[r * dv + x] + beta * tileAcc[x];';
const L = 'l[r] = alpha * l[r] + beta * tileSum;';
const LSE = 'lse[b * Tq + i] = m[r] + Math.log(l[r]);';
const OUT = 'out[(b * Tq + i) * dv + x] = acc[r * dv + x] / l[r];';
const GUARD = '          if (tileMax === -Infinity) continue;\n';
const MASK = 'if (causal && j > i) {';

export const CASES: MistakeCase[] = mistakeCases(FLASH_MISTAKES, EX, [
  { key: 'no-rescale', check: PLAIN, edits: [[ACC, 'acc[r * dv + x] = acc[r * dv + x] + beta * tileAcc[x];']] },
  { key: 'no-rescale', name: 'with huge scores', check: HUGE, edits: [[ACC, 'acc[r * dv + x] = acc[r * dv + x] + beta * tileAcc[x];']] },
  { key: 'l-not-rescaled', check: PLAIN, edits: [[L, 'l[r] = l[r] + beta * tileSum;']] },
  { key: 'lse-without-m', check: PLAIN, edits: [[LSE, 'lse[b * Tq + i] = Math.log(l[r]);']] },
  { key: 'no-final-division', check: PLAIN, edits: [[OUT, 'out[(b * Tq + i) * dv + x] = acc[r * dv + x];']] },
  { key: 'nan-masked-tile', check: CAUSAL, edits: [[GUARD, '']] },
  { key: 'tile-local-mask', check: CAUSAL, edits: [[MASK, 'if (causal && c > r) {']] },
  { key: 'tile-local-mask', name: 'on the bundled model', check: MODEL, edits: [[MASK, 'if (causal && c > r) {']] },
  { key: 'full-score-matrix', check: MEMORY, edits: [['const s = new Float32Array(blockQ * blockK);', 'const s = new Float32Array(Tq * Tk);']] },
]);

export const VARIANTS: LibraryVariant[] = [
  {
    library: 'FlashAttention (Dao et al. 2022)', name: 'the output renormalised after every tile (Algorithm 1), no division at the end', exercise: EX, check: CAUSAL,
    edits: [
      [`${L}\n          for (let x = 0; x < dv; x++) ${ACC}`,
        'const lNew = alpha * l[r] + beta * tileSum;\n'
        + '          for (let x = 0; x < dv; x++) acc[r * dv + x] = (alpha * l[r] * acc[r * dv + x] + beta * tileAcc[x]) / lNew;\n'
        + '          l[r] = lNew;'],
      [OUT, 'out[(b * Tq + i) * dv + x] = acc[r * dv + x];'],
    ],
  },
  {
    library: 'FlashAttention-2 (Dao 2023)', name: 'probabilities taken against the new running max, no per-tile sums', exercise: EX, check: CAUSAL,
    edits: [[
      'const p = Math.exp(s[r * blockK + c] - tileMax);\n            tileSum += p;\n            for (let x = 0; x < dv; x++) tileAcc[x] += p * v.data[(b * Tk + j0 + c) * dv + x];\n          }\n'
        + '          // Merge with what the earlier tiles gave, both brought to the new running max.\n'
        + '          const mNew = Math.max(m[r], tileMax);\n'
        + '          const alpha = Math.exp(m[r] - mNew); // rescales the old sums (0 when m was -∞, 1 when the max did not grow)\n'
        + '          const beta = Math.exp(tileMax - mNew); // rescales this tile\'s sums\n'
        + `          ${L}\n          for (let x = 0; x < dv; x++) ${ACC}`,
      'const p = 0;\n            tileSum += p;\n          }\n'
        + '          const mNew = Math.max(m[r], tileMax);\n'
        + '          const alpha = Math.exp(m[r] - mNew);\n'
        + '          l[r] *= alpha;\n'
        + '          for (let x = 0; x < dv; x++) acc[r * dv + x] *= alpha;\n'
        + '          for (let c = 0; c < cols; c++) {\n'
        + '            const p = Math.exp(s[r * blockK + c] - mNew);\n'
        + '            l[r] += p;\n'
        + '            for (let x = 0; x < dv; x++) acc[r * dv + x] += p * v.data[(b * Tk + j0 + c) * dv + x];\n'
        + '          }',
    ]],
  },
];
