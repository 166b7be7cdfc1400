/**
 * Checks for lesson 8, exercise 1 (lora-finetune/finetune): addLoRA and mergeLoRA on the bundled GPT.
 *
 * Small checks first, on a tiny random GPT (where every layer is, what trains, what the outputs are), then the
 * real thing: the bundled model fine-tuned on State of the Union addresses with the learner's adapters, live,
 * then merged, exported to ONNX and run by onnxruntime. Expected values come from the float64 reference of
 * lesson 7, from the model before any change, and from onnxruntime.
 */
import { type CheckContext, defineChecks, expectClose, expectTrue, fail } from '@llm-lab/check';
import { GPT, Linear, Rng, type Tensor, noGrad } from '@llm-lab/kit';
import { exportGptToOnnx, loadModelFromBytes, shippedModel } from '@llm-lab/model';
import { maxAbsDiff, randomTensor } from '../02-attention/check-helpers';
import { baseLinear, isZero, normalTensor } from '../07-lora/lora-helpers';
import { loraForward64, merge64 } from '../07-lora/reference';
import { FINETUNE_MISTAKE_TEXT as TEXT } from './mistakes';
import { type Corpus, RECIPE, corpusFor, curve, evalLoss, kitGpt, round4, sample, train, weightsOf } from './training';

type Learner = typeof import('./finetune');
type Adapter = InstanceType<Learner['LoRALinear']>;
type Target = import('./finetune').LoRATarget;

const ALL: Target[] = ['attn.q', 'attn.k', 'attn.v', 'attn.proj', 'mlp.fc', 'mlp.proj'];
const TINY = { vocabSize: 13, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 };
const PROMPT = 'Members of the Congress, ';
const CURVE_TITLE = `Fine-tuning with LoRA (${RECIPE.steps} steps): loss while training`;

/** The layer at block i, target t (whatever the learner put there). */
function layerAt(gpt: GPT, i: number, t: Target): Record<string, unknown> {
  const [part, key] = t.split('.') as ['attn' | 'mlp', string];
  return (gpt.h[i][part] as unknown as Record<string, Record<string, unknown>>)[key];
}

const isAdapter = (l: Record<string, unknown>): boolean => l !== undefined && 'A' in l && 'B' in l;

function logitsOf(gpt: GPT, ids: Int32Array, T: number): Tensor {
  return noGrad(() => gpt.forward(ids, ids.length / T, T).logits);
}

function callAdd(m: Learner, gpt: GPT, config: Parameters<Learner['addLoRA']>[1]): Map<string, Adapter> {
  const adapters = m.addLoRA(gpt, config);
  if (!(adapters instanceof Map)) fail(`addLoRA returned ${typeof adapters}; expected a Map from names like 'h.0.attn.q' to your adapters`);
  return adapters;
}

/** Checks the layout: adapters exactly on the targets of every block, and only the adapters train. */
function expectWrapped(gpt: GPT, adapters: Map<string, Adapter>, targets: readonly Target[]): void {
  for (let i = 0; i < gpt.h.length; i++) {
    for (const t of ALL) {
      const layer = layerAt(gpt, i, t);
      const wanted = targets.includes(t);
      if (wanted !== isAdapter(layer) || (wanted && adapters.get(`h.${i}.${t}`) !== (layer as unknown as Adapter))) {
        fail(`${TEXT['wrong-targets'].message} (h.${i}.${t} ${isAdapter(layer) ? 'has' : 'has no'} adapter${wanted ? ', and it should have the one in the returned Map under that name' : ''})`,
          { hint: TEXT['wrong-targets'].hint });
      }
    }
  }
  const expected = new Set([...adapters.values()].flatMap((a) => [a.A, a.B]));
  const params = gpt.parameters();
  if (params.some((p) => !expected.has(p))) fail(TEXT['not-frozen'].message, { hint: TEXT['not-frozen'].hint });
  expectTrue(params.length === expected.size, `model.parameters() lists ${params.length} tensors; expected the ${expected.size} A and B matrices of the adapters.`);
}

let trained: { gpt: GPT; adapters: Map<string, Adapter>; corpus: Corpus } | undefined;

export default defineChecks<Learner>({
  exports: ['addLoRA', 'mergeLoRA', 'LoRALinear', 'merge'],
  checks: [
    {
      name: 'your lesson-7 LoRALinear and merge (imported from ../07-lora/) pass a quick test',
      task: 'addLoRA',
      run: (m, ctx) => {
        try {
          const layer = new m.LoRALinear(baseLinear(4, 3, 9), 2, 4, new Rng(1));
          const x = randomTensor(ctx, [2, 4], 1);
          const ok0 = isZero(layer.B) && maxAbsDiff(layer.forward(x), loraForward64(x, layer.weight, layer.bias, layer.A, layer.B, 2)) < 1e-4;
          layer.B.data.set(normalTensor(ctx.random, [3, 2], 0.5).data);
          const ok1 = maxAbsDiff(layer.forward(x), loraForward64(x, layer.weight, layer.bias, layer.A, layer.B, 2)) < 1e-4;
          const ok2 = maxAbsDiff(noGrad(() => m.merge(layer.weight, layer.A, layer.B, 4, 2)), merge64(layer.weight, layer.A, layer.B, 4, 2)!) < 1e-4;
          if (!(ok0 && ok1 && ok2)) fail(TEXT['lesson-7'].message, { hint: TEXT['lesson-7'].hint });
        } catch (e) {
          if (e instanceof Error && e.name === 'NotImplementedError') throw e;
          if (e instanceof Error && e.name === 'CheckFailure') throw e;
          fail(`${TEXT['lesson-7'].message}\nIt throws: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { hint: TEXT['lesson-7'].hint });
        }
      },
    },
    {
      name: 'addLoRA wraps every chosen layer of every block, freezes the rest, and changes nothing at step 0',
      task: 'addLoRA',
      run: (m, ctx) => {
        const gpt = new GPT(TINY, new Rng(5));
        const ids = Int32Array.from({ length: 16 }, () => Math.floor(ctx.random() * TINY.vocabSize));
        const before = logitsOf(gpt, ids, 8);
        const targets: Target[] = ['attn.q', 'attn.v', 'mlp.fc'];
        const adapters = callAdd(m, gpt, { r: 2, alpha: 4, targets, seed: 3 });
        expectWrapped(gpt, adapters, targets);
        const after = logitsOf(gpt, ids, 8);
        if (maxAbsDiff(after, before) > 1e-5) fail(TEXT['changed-at-step-0'].message, { hint: TEXT['changed-at-step-0'].hint });
        const As = [...adapters.values()].filter((a) => a.A.shape[1] === TINY.nEmbd).map((a) => a.A);
        if (As.length > 1 && As.every((A) => maxAbsDiff(A, As[0]) === 0)) fail(TEXT['shared-rng'].message, { hint: TEXT['shared-rng'].hint });
        // The same seed gives the same adapters: a run can be repeated.
        const again = callAdd(m, new GPT(TINY, new Rng(5)), { r: 2, alpha: 4, targets, seed: 3 });
        const same = [...adapters.keys()].every((k) => again.get(k) && maxAbsDiff(again.get(k)!.A, adapters.get(k)!.A) === 0);
        expectTrue(same, 'addLoRA with the same seed gave different adapters: draw every A from one new Rng(config.seed).', TEXT['shared-rng'].hint);
      },
    },
    {
      name: 'mergeLoRA puts plain Linear layers back, with merged weights and the same outputs',
      task: 'mergeLoRA',
      run: (m, ctx) => {
        const gpt = new GPT(TINY, new Rng(6));
        const adapters = callAdd(m, gpt, { r: 2, alpha: 8, targets: ALL, seed: 4 });
        for (const a of adapters.values()) a.B.data.set(normalTensor(ctx.random, a.B.shape, 0.3).data); // as if trained
        const ids = Int32Array.from({ length: 16 }, () => Math.floor(ctx.random() * TINY.vocabSize));
        const withAdapters = logitsOf(gpt, ids, 8);
        const expected = new Map([...adapters].map(([name, a]) => [name, merge64(a.weight, a.A, a.B, 8, 2)!]));
        m.mergeLoRA(gpt, adapters);
        for (const [name, w] of expected) {
          const [, i, ...rest] = name.split('.');
          const layer = layerAt(gpt, Number(i), rest.join('.') as Target);
          if (isAdapter(layer) || !(layer instanceof Linear)) fail(`${TEXT['not-merged'].message} (${name})`, { hint: TEXT['not-merged'].hint });
          expectClose(layer.weight, w, { what: `${name}.weight after mergeLoRA`, rtol: 1e-4, atol: 1e-5, hint: 'W\' = W + (alpha / r) B A, from your lesson-7 merge.' });
        }
        expectClose(logitsOf(gpt, ids, 8), withAdapters, { what: 'the logits after mergeLoRA', rtol: 1e-4, atol: 1e-4, hint: 'Merging must not change what the model computes.' });
      },
    },
    {
      name: 'fine-tune the bundled model on State of the Union addresses (live): the new domain\'s validation loss falls',
      task: 'addLoRA',
      timeoutSeconds: 60,
      run: async (m, ctx: CheckContext) => {
        const model = await shippedModel();
        const vocab = model.vocab;
        const corpus = corpusFor(vocab);
        const gpt = kitGpt(model);
        const total = gpt.numParameters();
        const sampleLength = Math.min(48, gpt.config.blockSize);
        const before = sample(gpt, vocab, PROMPT, sampleLength);
        const adapters = callAdd(m, gpt, { r: RECIPE.r, alpha: RECIPE.alpha, targets: RECIPE.targets, seed: RECIPE.seed });
        expectWrapped(gpt, adapters, RECIPE.targets);
        const params = gpt.parameters();
        const trainable = params.reduce((s, p) => s + p.size, 0);
        ctx.artifact({ kind: 'bars', title: 'Parameters: total vs trained by LoRA (r = 8 on every Linear of every block)', labels: ['total (frozen)', 'trainable (A and B)'], values: [total, trainable] });
        const h = await train(gpt, params, corpus, {
          ...RECIPE, random: ctx.random,
          onStep: (hist) => ctx.progress(curve(hist, CURVE_TITLE)), // same title: each call replaces the last
        });
        ctx.progress(curve(h, CURVE_TITLE)); // the final state, whatever was coalesced
        const after = sample(gpt, vocab, PROMPT, sampleLength);
        trained = { gpt, adapters, corpus };
        const [val0, val1] = [h.val[0], h.val[h.val.length - 1]];
        const [moby0, moby1] = [h.moby[0], h.moby[h.moby.length - 1]];
        ctx.artifact({
          kind: 'table', title: 'Loss (nats per character), before and after', columns: ['', 'before', 'after', 'change'],
          rows: [
            ['State of the Union, held-out 1962 address', round4(val0), round4(val1), round4(val1 - val0)],
            ['Moby-Dick, held-out text', round4(moby0), round4(moby1), round4(moby1 - moby0)],
            ['trainable / total parameters', trainable, total, `${((100 * trainable) / total).toFixed(2)}%`],
            ['training time (s), tokens per second', round4(h.seconds), Math.round(h.tokensPerSecond), ''],
          ],
        });
        ctx.artifact({ kind: 'generation', title: 'Greedy continuations, before and after fine-tuning', prompt: PROMPT,
          expected: { label: 'before: the pretrained model', text: before }, actual: { label: 'after: with your LoRA adapters', text: after } });
        expectTrue(Number.isFinite(val1), `the validation loss is ${val1} after training: something diverged.`);
        expectTrue(val1 < val0 - 0.05, `the State of the Union validation loss went from ${val0.toFixed(4)} to ${val1.toFixed(4)}: it should fall by at least 0.05 nats.`,
          'Is the adapter\'s output scaled by alpha / r, and are A and B the tensors that train (model.parameters() after addLoRA)?');
      },
    },
    {
      name: 'merged and exported to ONNX, the fine-tuned model gives the LoRA model\'s logits in onnxruntime',
      task: 'mergeLoRA',
      timeoutSeconds: 60,
      run: async (m, ctx: CheckContext) => {
        const model = await shippedModel();
        if (!trained) {
          // The fine-tuning check did not get this far: train briefly, so B is not zero.
          const gpt = kitGpt(model);
          const corpus = corpusFor(model.vocab);
          const adapters = callAdd(m, gpt, { r: RECIPE.r, alpha: RECIPE.alpha, targets: RECIPE.targets, seed: RECIPE.seed });
          await train(gpt, gpt.parameters(), corpus, { ...RECIPE, steps: 3, evalEvery: 100, evalWindows: 1, random: ctx.random });
          trained = { gpt, adapters, corpus };
        }
        const { gpt, adapters, corpus } = trained;
        const T = Math.min(64, gpt.config.blockSize);
        const ids = corpus.val.slice(0, 2 * T);
        const lora = logitsOf(gpt, ids, T); // (2, T, V) with the adapters in place
        m.mergeLoRA(gpt, adapters);
        for (const name of adapters.keys()) {
          const [, i, ...rest] = name.split('.');
          if (isAdapter(layerAt(gpt, Number(i), rest.join('.') as Target))) fail(`${TEXT['not-merged'].message} (${name})`, { hint: TEXT['not-merged'].hint });
        }
        const bytes = exportGptToOnnx(gpt.config, weightsOf(gpt, model.weightNames), model.vocab, { fine_tuned_on: 'State of the Union addresses (LoRA, merged)' });
        const onnx = loadModelFromBytes(bytes, {}, 'the merged model');
        try {
          const { logits } = await onnx.run(ids, 2, T, ['logits']);
          const diff = maxAbsDiff(logits, lora);
          const base = (await model.run(ids, 2, T, ['logits'])).logits;
          ctx.artifact({ kind: 'table', title: 'The merged model in onnxruntime', columns: ['', 'value'], rows: [
            ['ONNX file size (bytes)', bytes.length],
            ['max |logits(onnxruntime, merged) - logits(kit, LoRA)|', diff.toExponential(2)],
            ['max |logits(merged) - logits(pretrained)|: what fine-tuning changed', maxAbsDiff(logits, base).toFixed(4)],
          ] });
          expectClose(logits, lora, { what: 'onnxruntime\'s logits of the merged model', rtol: 0, atol: 1e-4,
            hint: 'The merged weight is W + (alpha / r) B A; every other weight must be the model\'s own.' });
        } finally {
          await onnx.dispose();
        }
      },
    },
  ],
});
