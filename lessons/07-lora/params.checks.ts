/**
 * Checks for the LoRA lesson, exercise 1 (lora/params): loraParams, gptParams, countTrainable.
 *
 * Expected counts come from the bundled model's own weights (the size of every tensor in the ONNX file) and
 * from plain arithmetic written here; each catalogued miscount is its own wrong value, so a failure names it
 * (nanoGPT's count without the position embeddings is named as that library's convention).
 *
 * Which check names which catalogued mistake (lessons/07-lora/mistakes.ts):
 *   check                                              names
 *   loraParams: a rank-4 adapter ...                   params-product, params-only-a, params-full
 *   loraParams grows linearly with r ...               params-product, params-only-a, params-full (20 random shapes)
 *   gptParams: a small config ...                      tied-head-twice, no-biases, gpt-no-wpe (nanoGPT's convention)
 *   the bundled model: gptParams equals ...            tied-head-twice, no-biases, gpt-no-wpe
 *   countTrainable: a small config ...                 one-layer, mlp-square
 *   the bundled model: trainable parameters ...        one-layer, mlp-square
 * Any other miscount fails with the two numbers (got, expected).
 */
import { type CheckContext, type Text, defineChecks, expectClose, t } from '@llm-lab/check';
import { ALL_TARGETS, type ConfigLike, type LoRATarget, targetDims } from '@llm-lab/course/lora';
import { shippedModel } from '@llm-lab/model';
import { LORA_MISTAKES as TEXT } from './mistakes';

type Learner = typeof import('./params');

const exact = { rtol: 0, atol: 0 };

function expectLoraParams(m: Learner, dIn: number, dOut: number, r: number): void {
  expectClose(m.loraParams(dIn, dOut, r), r * (dIn + dOut), {
    ...exact, what: `loraParams(${dIn}, ${dOut}, ${r})`, hint: t('A is (r, dIn), B is (dOut, r).', 'A 是 (r, dIn)，B 是 (dOut, r)。'),
    misconceptions: [
      { value: r * dIn * dOut, ...TEXT['params-product'] },
      { value: r * dIn, ...TEXT['params-only-a'] },
      { value: dIn * dOut, ...TEXT['params-full'] },
    ],
  });
}

/**
 * Every parameter, counted from the weight shapes (the ONNX file agrees: see the model check); or a miscount, or
 * nanoGPT's get_num_params() count (without wpe, a convention).
 */
function gptCount(c: ConfigLike, variant?: 'tied-head-twice' | 'no-biases' | 'gpt-no-wpe'): number {
  const C = c.nEmbd;
  const lin = (i: number, o: number) => i * o + (variant === 'no-biases' ? 0 : o);
  const ln = variant === 'no-biases' ? 0 : 2 * C;
  const block = 2 * ln + 4 * lin(C, C) + lin(C, 4 * C) + lin(4 * C, C);
  const wpe = variant === 'gpt-no-wpe' ? 0 : c.blockSize * C;
  return c.vocabSize * C * (variant === 'tied-head-twice' ? 2 : 1) + wpe + c.nLayer * block + ln;
}

/** The known wrong counts of gptParams, and nanoGPT's convention. */
const gptMisconceptions = (c: ConfigLike) => (['tied-head-twice', 'no-biases', 'gpt-no-wpe'] as const).map((key) => ({ value: gptCount(c, key), ...TEXT[key] }));

function trainableCount(c: ConfigLike, targets: readonly LoRATarget[], r: number, variant?: 'one-layer' | 'mlp-square'): number {
  const per = targets.reduce((s, target) => {
    const [i, o] = variant === 'mlp-square' ? [c.nEmbd, c.nEmbd] : targetDims(c, target);
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
      name: t('loraParams: a rank-4 adapter on a 128 x 128 layer, and on non-square ones', 'loraParams：128 x 128 层上的秩 4 适配器，以及非方阵的层'),
      task: 'loraParams',
      run: (m) => {
        expectLoraParams(m, 128, 128, 4); // 4 * 128 + 128 * 4 = 1024, against 16,384 for the full weight
        expectLoraParams(m, 128, 512, 8);
        expectLoraParams(m, 512, 128, 1);
      },
    },
    {
      name: t('loraParams grows linearly with r, and is far below dIn x dOut for a small rank', 'loraParams 随 r 线性增长，秩较小时远小于 dIn x dOut'),
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
      name: t('gptParams: a small config, counted weight by weight', 'gptParams：一个小配置，逐个权重地数'),
      task: 'gptParams',
      run: (m) => {
        expectClose(m.gptParams(SMALL), gptCount(SMALL), {
          ...exact, what: 'gptParams({ vocabSize: 11, blockSize: 7, nLayer: 3, nHead: 2, nEmbd: 6 })',
          hint: t('wte (V, C) + wpe (blockSize, C) + nLayer blocks + ln_f (2C); see the list at the top of the file.', 'wte (V, C) + wpe (blockSize, C) + nLayer 个块 + ln_f (2C)；见文件开头的清单。'),
          misconceptions: gptMisconceptions(SMALL),
        });
      },
    },
    {
      name: t('the bundled model: gptParams equals the number of weights in its file', '内置模型：gptParams 等于其模型文件中的权重个数'),
      task: 'gptParams',
      run: async (m, ctx: CheckContext) => {
        const model = await shippedModel();
        const c = model.config;
        let inFile = 0;
        for (const [, w] of model.weights()) inFile += w.data.length;
        ctx.artifact({ kind: 'table', title: t('The bundled model', '内置模型'), columns: ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd', t('weights in the file', '文件中的权重个数')],
          rows: [[c.vocabSize, c.blockSize, c.nLayer, c.nHead, c.nEmbd, inFile]] });
        expectClose(m.gptParams(c), inFile, {
          ...exact, what: 'gptParams(model.config)',
          misconceptions: gptMisconceptions(c),
        });
      },
    },
    {
      name: t('countTrainable: a small config, attention only and everything', 'countTrainable：一个小配置，只含注意力层和包含全部层'),
      task: 'countTrainable',
      run: (m) => {
        expectTrainable(m, SMALL, ['attn.q', 'attn.v'], 2, trainableCount(SMALL, ['attn.q', 'attn.v'], 2));
        expectTrainable(m, SMALL, ALL_TARGETS, 3, trainableCount(SMALL, ALL_TARGETS, 3));
        expectTrainable(m, SMALL, [], 4, 0);
      },
    },
    {
      name: t('the bundled model: trainable parameters of LoRA at ranks 1 to 64, against full fine-tuning', '内置模型：秩从 1 到 64 的 LoRA 可训练参数量，与全量微调对比'),
      task: 'countTrainable',
      run: async (m, ctx: CheckContext) => {
        const model = await shippedModel();
        const c = model.config;
        // Expected: r · (in + out) for every adapted weight in the file, read from its shape (out, in).
        const fromFile = (targets: readonly LoRATarget[], r: number) => {
          let n = 0;
          for (let i = 0; i < c.nLayer; i++) {
            for (const target of targets) {
              const [out, inp] = model.weight(`h.${i}.${target}.weight`).shape;
              n += r * (inp + out);
            }
          }
          return n;
        };
        const full = m.gptParams(c);
        const attn: LoRATarget[] = ['attn.q', 'attn.k', 'attn.v', 'attn.proj'];
        const rows: (Text | string | number)[][] = [[t('full fine-tuning', '全量微调'), t('everything', '全部'), full, '100%']];
        const labels: (Text | string)[] = [t('full', '全量')];
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
        ctx.artifact({ kind: 'table', title: t('Trainable parameters', '可训练参数'),
          columns: [t('method', '方法'), t('adapted layers', '加适配器的层'), t('trainable', '可训练'), t('of full', '占全量')], rows });
        ctx.artifact({ kind: 'bars', title: t('Trainable parameters: full fine-tuning vs LoRA on q, k, v, proj', '可训练参数：全量微调与 q、k、v、proj 上的 LoRA'), labels, values });
        for (const r of [1, 8, 64]) {
          expectTrainable(m, c, attn, r, fromFile(attn, r));
          expectTrainable(m, c, ALL_TARGETS, r, fromFile(ALL_TARGETS, r));
        }
      },
    },
  ],
});
