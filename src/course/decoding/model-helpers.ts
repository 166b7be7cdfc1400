/**
 * What the decoding checks need from the bundled model (media/model/moby-gpt.onnx): the model itself,
 * loaded once per run and shared by every check; the logits of a prompt; and characters made readable
 * for a chart. Used by the checks only: the learner's code never sees the model directly.
 */
import { type BundledModel, shippedModel } from '@llm-lab/model';

/** The opening the model-level checks continue. Plain ASCII, so every character is in the vocabulary. */
export const PROMPT = 'Call me Ishmael. I thought I would sail about and see the ';

/** The shipped model (cached by the model layer: one load per run, shared by all checks). */
export function lessonModel(): Promise<BundledModel> {
  return shippedModel();
}

/** Logits at every position of one sequence: (T, V) row-major. T must fit the context. */
export async function logitsOf(model: BundledModel, ids: ArrayLike<number>): Promise<Float32Array> {
  const { logits } = await model.run(ids, 1, ids.length, ['logits']); // (1, T, V)
  return logits.data;
}

/** The next-token logits after `ids` (the last row), cropped to the model's context like generate(). */
export async function nextLogits(model: BundledModel, ids: readonly number[]): Promise<Float32Array> {
  const context = ids.slice(-model.config.blockSize);
  const V = model.config.vocabSize;
  const all = await logitsOf(model, context);
  return all.slice((context.length - 1) * V, context.length * V); // (V,)
}

/** A character as a chart label: space and newline made visible. */
export function readable(ch: string): string {
  if (ch === ' ') return '␣';
  if (ch === '\n') return '⏎';
  return ch;
}

/** Text with its newlines shown as ⏎ (kept as line breaks too), for text artifacts. */
export function shown(text: string): string {
  return text.replace(/\n/g, '⏎\n');
}
