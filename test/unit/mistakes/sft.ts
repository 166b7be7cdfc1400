/**
 * The sft lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake put into
 * the reference solution, and the one quick check that names it run on it. None of them trains the live model.
 */
import { SFT_MISTAKES } from '../../../lessons/15a-sft/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const LABELS = 'labels: [...prompt.map(() => IGNORE_INDEX), ...response],';
const RESPONSE = 'const response = encode(`${pair.answer}\\n`);';
const PAD_LABELS = 'labels.push([...e.labels, ...new Array<number>(pad).fill(IGNORE_INDEX)]);';
const LOOP = '    for (let t = 0; t + 1 < T; t++) {\n      const target = labels[b][t + 1];';
const RETURN = 'return crossEntropy(picked, targets);';
const IMPORT = "import { type Tensor, crossEntropy, embedding, reshape } from '@llm-lab/kit';";

const BUILD = 'buildExample: the chat template';
const COLLATE = 'collate: right padding';
const LOSS = 'sftLoss: the mean over the response tokens';

/** nanoGPT's way: targets shifted in the data (labels[i] = ids[i + 1]), compared position by position. */
const PRE_SHIFTED_LABELS = 'labels: [...prompt.slice(1).map(() => IGNORE_INDEX), ...response, IGNORE_INDEX],';
const UNSHIFTED_LOOP = '    for (let t = 0; t < T; t++) {\n      const target = labels[b][t];';

export const CASES: MistakeCase[] = mistakeCases(SFT_MISTAKES, 'sft/sft', [
  { key: 'prompt-trained', check: BUILD, edits: [[LABELS, 'labels: [...prompt, ...response],']] },
  { key: 'mask-shifted', check: BUILD, name: 'the last prompt token trained',
    edits: [[LABELS, 'labels: [...prompt.slice(1).map(() => IGNORE_INDEX), prompt[prompt.length - 1], ...response],']] },
  { key: 'mask-shifted', check: BUILD, name: 'the first answer character skipped',
    edits: [[LABELS, 'labels: [...prompt.map(() => IGNORE_INDEX), IGNORE_INDEX, ...response.slice(1)],']] },
  { key: 'no-end-marker', check: BUILD, edits: [[RESPONSE, 'const response = encode(pair.answer);']] },
  { key: 'no-end-marker', check: BUILD, name: 'the end marker not trained',
    edits: [[LABELS, 'labels: [...prompt.map(() => IGNORE_INDEX), ...response.slice(0, -1), IGNORE_INDEX],']] },
  { key: 'pre-shifted', check: BUILD, edits: [[LABELS, PRE_SHIFTED_LABELS], [LOOP, UNSHIFTED_LOOP]] },
  { key: 'pre-shifted', check: LOSS, name: 'the loss alone', edits: [[LOOP, UNSHIFTED_LOOP]] },
  { key: 'loss-all-tokens', check: LOSS,
    edits: [[IMPORT, "import { type Tensor, crossEntropy, embedding, mul, reshape } from '@llm-lab/kit';"],
      [RETURN, 'return mul(crossEntropy(picked, targets), targets.length / (B * (T - 1)));']] },
  { key: 'padding-counted', check: COLLATE, edits: [[PAD_LABELS, 'labels.push([...e.labels, ...new Array<number>(pad).fill(padId)]);']] },
]);

export const VARIANTS: LibraryVariant[] = [
  {
    library: 'nanoGPT', name: 'targets shifted in the data (labels[i] = ids[i + 1]) and compared position by position', exercise: 'sft/sft', check: BUILD,
    edits: [[LABELS, PRE_SHIFTED_LABELS], [LOOP, UNSHIFTED_LOOP]],
  },
  {
    library: 'nanoGPT', name: 'the loss without the shift (logits[t] against labels[t])', exercise: 'sft/sft', check: LOSS,
    edits: [[LOOP, UNSHIFTED_LOOP]],
  },
  {
    library: 'Hugging Face', name: 'shift_logits = logits[..., :-1, :], shift_labels = labels[..., 1:], cross-entropy with ignore_index -100', exercise: 'sft/sft', check: LOSS,
    edits: [[IMPORT, "import { type Tensor, crossEntropy, embedding, narrow, reshape } from '@llm-lab/kit';"],
      [RETURN, 'void picked;\n'
        + '  const shiftLogits = reshape(narrow(logits, 1, 0, T - 1), [B * (T - 1), V]); // logits[..., :-1, :]\n'
        + '  const shiftLabels = labels.flatMap((row) => row.slice(1)); //                  labels[..., 1:]\n'
        + '  const keep = shiftLabels.flatMap((l, i) => (l === IGNORE_INDEX ? [] : [i]));\n'
        + '  return crossEntropy(embedding(shiftLogits, keep), keep.map((i) => shiftLabels[i]));']],
  },
];
