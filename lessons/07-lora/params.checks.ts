/**
 * Checks for lesson 7, exercise 1 (lora/params): loraParams, gptParams, countTrainable.
 *
 * Expected counts come from the bundled model's own weights (the size of every tensor in the ONNX file) and
 * from plain arithmetic written here; each catalogued miscount is its own wrong value, so a failure names it.
 */
import { type CheckContext, defineChecks, expectClose } from '@llm-lab/check';
import { shippedModel } from '@llm-lab/model';
import { LORA_MISTAKE_TEXT as TEXT } from './mistakes';
import { ALL_TARGETS, type ConfigLike, type LoRATarget, targetDims } from './reference';

type Learner = typeof import('./params');

const exact = { rtol: 0, atol: 0 };

function expectLoraParams(m: Learner, dIn: number, dOut: number, r: number): void {
  expectClose(m.loraParams(dIn, dOut, r), r * (dIn + dOut), {
    ...exact, what: `loraParams(${dIn}, ${dOut}, ${r})`, hint: 'A is (r, dIn), B is (dOut, r).',
    misconceptions: [
      { value: r * dIn * dOut, ...TEXT['params-product'] },
      { value: r * dIn, ...TEXT['params-only-a'] },
      { value: dIn * dOut, ...TEXT['params-full'] },
    ],
  });
}

/** Every parameter, counted from the weight shapes (the ONNX file agrees: see the model check). */
function gptCount(c: ConfigLike, variant?: 'tied-head-twice' | 'no-biases'): number {
  const C = c.nEmbd;
  const lin = (i: number, o: number) => i * o + (variant === 'no-biases' ? 0 : o);
  const ln = variant === 'no-biases' ? 0 : 2 * C;
  const block = 2 * ln + 4 * lin(C, C) + lin(C, 4 * C) + lin(4 * C, C);
  return c.vocabSize * C * (variant === 'tied-head-twice' ? 2 : 1) + c.blockSize * C + c.nLayer * block + ln;
}

function trainableCount(c: ConfigLike, targets: readonly LoRATarget[], r: number, variant?: 'one-layer' | 'mlp-square'): number {
  const per = targets.reduce((s, t) => {
    const [i, o] = variant === 'mlp-square' ? [c.nEmbd, c.nEmbd] : targetDims(c, t);
    return s + r * (i + o);
  }, 0);
  return (variant === 'one-layer' ? 1 : c.nLayer) * per;
}

function expectTrainable(m: Learner, c: ConfigLike, targets: readonly LoRATarget[], r: number, expected: number): void {
  expectClose(m.countTrainable(c, targets, r), expected, {
    ...exact, what: `countTrainable(config, [${targets.join(', ')}], ${r})`,
    misconceptions: [
      { value: trainableCount(c, targets, r, 'one-layer'), ...TEXT['one-layer'] },
      { value: trainableCount(c, targets, r, 'mlp-square'), ...TEXT['mlp-square'] },
    ],
  });
}

const SMALL: ConfigLike = { vocabSize: 11, blockSize: 7, nLayer: 3, nHead: 2, nEmbd: 6 };

export default defineChecks<Learner>({
  exports: ['loraParams', 'gptParams', 'countTrainable'],
  checks: [
    {
      name: 'loraParams: a rank-4 adapter on a 128 x 128 layer, and on non-square ones',
      task: 'loraParams',
      run: (m) => {
        expectLoraParams(m, 128, 128, 4); // 4 * 128 + 128 * 4 = 1024, against 16,384 for the full weight
        expectLoraParams(m, 128, 512, 8);
        expectLoraParams(m, 512, 128, 1);
      },
    },
    {
      name: 'loraParams grows linearly with r, and is far below dIn x dOut for a small rank',
      task: 'loraParams',
      run: (m, ctx) => {
        for (let trial = 0; trial < 20; trial++) {
          const dIn = 8 + Math.floor(ctx.random() * 500);
          const dOut = 8 + Math.floor(ctx.random() * 500);
          const r = 1 + Math.floor(ctx.random() * 8);
          expectLoraParams(m, dIn, dOut, r);
        }
      },
    },
    {
      name: 'gptParams: a small config, counted weight by weight',
      task: 'gptParams',
      run: (m) => {
        expectClose(m.gptParams(SMALL), gptCount(SMALL), {
          ...exact, what: 'gptParams({ vocabSize: 11, blockSize: 7, nLayer: 3, nHead: 2, nEmbd: 6 })',
          hint: 'wte (V, C) + wpe (blockSize, C) + nLayer blocks + ln_f (2C); see the list at the top of the file.',
          misconceptions: [{ value: gptCount(SMALL, 'tied-head-twice'), ...TEXT['tied-head-twice'] }, { value: gptCount(SMALL, 'no-biases'), ...TEXT['no-biases'] }],
        });
      },
    },
    {
      name: 'the bundled model: gptParams equals the number of weights in its file',
      task: 'gptParams',
      run: async (m, ctx: CheckContext) => {
        const model = await shippedModel();
        const c = model.config;
        let inFile = 0;
        for (const [, w] of model.weights()) inFile += w.data.length;
        ctx.artifact({ kind: 'table', title: 'The bundled model', columns: ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd', 'weights in the file'],
          rows: [[c.vocabSize, c.blockSize, c.nLayer, c.nHead, c.nEmbd, inFile]] });
        expectClose(m.gptParams(c), inFile, {
          ...exact, what: 'gptParams(the bundled model\'s config)',
          misconceptions: [{ value: gptCount(c, 'tied-head-twice'), ...TEXT['tied-head-twice'] }, { value: gptCount(c, 'no-biases'), ...TEXT['no-biases'] }],
        });
      },
    },
    {
      name: 'countTrainable: a small config, attention only and everything',
      task: 'countTrainable',
      run: (m) => {
        expectTrainable(m, SMALL, ['attn.q', 'attn.v'], 2, trainableCount(SMALL, ['attn.q', 'attn.v'], 2));
        expectTrainable(m, SMALL, ALL_TARGETS, 3, trainableCount(SMALL, ALL_TARGETS, 3));
        expectTrainable(m, SMALL, [], 4, 0);
      },
    },
    {
      name: 'the bundled model: trainable parameters of LoRA at ranks 1 to 64, against full fine-tuning',
      task: 'countTrainable',
      run: async (m, ctx: CheckContext) => {
        const model = await shippedModel();
        const c = model.config;
        // Expected: r · (in + out) for every adapted weight in the file, read from its shape (out, in).
        const fromFile = (targets: readonly LoRATarget[], r: number) => {
          let n = 0;
          for (let i = 0; i < c.nLayer; i++) {
            for (const t of targets) {
              const [out, inp] = model.weight(`h.${i}.${t}.weight`).shape;
              n += r * (inp + out);
            }
          }
          return n;
        };
        const full = m.gptParams(c);
        const attn: LoRATarget[] = ['attn.q', 'attn.k', 'attn.v', 'attn.proj'];
        const rows: (string | number)[][] = [['full fine-tuning', 'everything', full, '100%']];
        const labels = ['full'];
        const values = [full];
        for (const r of [1, 2, 4, 8, 16, 64]) {
          for (const [name, targets] of [['q, k, v, proj', attn], ['+ MLP', ALL_TARGETS]] as const) {
            const got = m.countTrainable(c, targets, r);
            rows.push([`LoRA r = ${r}`, name, got, `${((100 * got) / full).toFixed(2)}%`]);
            if (name === 'q, k, v, proj') {
              labels.push(`r=${r}`);
              values.push(got);
            }
          }
        }
        ctx.artifact({ kind: 'table', title: 'Trainable parameters', columns: ['method', 'adapted layers', 'trainable', 'of full'], rows });
        ctx.artifact({ kind: 'bars', title: 'Trainable parameters: full fine-tuning vs LoRA on q, k, v, proj', labels, values });
        for (const r of [1, 8, 64]) {
          expectTrainable(m, c, attn, r, fromFile(attn, r));
          expectTrainable(m, c, ALL_TARGETS, r, fromFile(ALL_TARGETS, r));
        }
      },
    },
  ],
});
