/**
 * The sft lesson's grading-truth corpus (see test/unit/corpus.ts): learner files for sft/sft written independently of
 * the catalogue. Correct files in other styles than the reference (a masked mean of logSoftmax + gather, one loss per
 * sequence weighted by its token count, Hugging Face's narrow-then-filter shift, index loops for the labels and the
 * padding), and one-bug variants: most of them mistakes no catalogue names (a template without the space after "A:",
 * left padding, one pad too many, a summed loss, a mean of per-sequence means, a loop that drops the last prediction),
 * the others catalogued mistakes written a new way (`catalogued`).
 *
 * No entry runs the live fine-tune (the lesson suite and the track test run it): every entry runs the quick checks.
 * Each bug's `line` is computed from its source, where a marker (by default the first line of the changed text) occurs.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type CorpusEntry, lineOf } from '../corpus';
import { LESSONS, withEdits } from '../helpers';

const EX = 'sft/sft';
const SOLUTION = readFileSync(path.join(LESSONS, '15a-sft', 'sft.solution.ts'), 'utf8');

const QUICK = ['buildExample: the chat template', 'collate: right padding', 'sftLoss: the mean over the response tokens'];
const IMPORT = "import { type Tensor, crossEntropy, embedding, reshape } from '@llm-lab/kit';";
const ALL_OPS = "import { Tensor, add, crossEntropy, div, embedding, gather, logSoftmax, mul, narrow, reshape, sum } from '@llm-lab/kit';";

const BUILD_BODY = `  const prompt = encode(\`Q: \${pair.question}\\nA: \`); //  the user's turn and the assistant's role marker
  const response = encode(\`\${pair.answer}\\n\`); //       the answer and the end marker
  return {
    ids: [...prompt, ...response],
    labels: [...prompt.map(() => IGNORE_INDEX), ...response], // aligned with ids: the loss shifts
  };`;
const COLLATE_BODY = `  for (const e of examples) {
    const pad = T - e.ids.length;
    ids.push([...e.ids, ...new Array<number>(pad).fill(padId)]);
    labels.push([...e.labels, ...new Array<number>(pad).fill(IGNORE_INDEX)]);
  }`;
const LOSS_TAIL = `  // embedding() picks rows of a table, with gradients: only the positions whose next token is trained.
  const picked = embedding(reshape(logits, [B * T, V]), rows); // (N, V)
  return crossEntropy(picked, targets); //                       the mean over those N tokens`;
const LOOP = 'for (let t = 0; t + 1 < T; t++) {';

/** buildExample from one encode of the whole conversation, labels by index. */
const INDEX_BUILD = `  const promptText = \`Q: \${pair.question}\\nA: \`;
  const ids = encode(promptText + pair.answer + '\\n');
  const P = encode(promptText).length;
  const labels: number[] = [];
  for (let i = 0; i < ids.length; i++) labels.push(i < P ? IGNORE_INDEX : ids[i]);
  return { ids, labels };`;

/** The loss as a masked mean of per-position NLL (logSoftmax + gather), over the shifted positions. */
const MASKED_LOSS = `  const logp = logSoftmax(reshape(narrow(logits, 1, 0, T - 1), [B * (T - 1), V]), -1); // (B·(T-1), V)
  const shifted = labels.flatMap((row) => row.slice(1));
  const nll = gather(logp, 1, shifted.map((l) => (l === IGNORE_INDEX ? 0 : l)), [B * (T - 1), 1]);
  const mask = new Tensor(Float32Array.from(shifted, (l) => (l === IGNORE_INDEX ? 0 : 1)), [B * (T - 1), 1]);
  const count = shifted.filter((l) => l !== IGNORE_INDEX).length;
  void rows; void targets;
  return div(sum(mul(nll, mask)), -count);`;

interface BugOptions {
  catalogued?: string;
  kitOps?: boolean;
  at?: string;
}

function correct(name: string, edits: [string, string][]): CorpusEntry {
  return { exercise: EX, name, kind: 'correct', source: withEdits(SOLUTION, edits, name), checks: QUICK };
}

function bug(name: string, edits: [string, string][], opts: BugOptions = {}, base = SOLUTION): CorpusEntry {
  const source = withEdits(base, edits, name);
  const marker = opts.at ?? edits[edits.length - 1][1].split('\n').find((l) => l.trim() !== '')!.trim();
  return {
    exercise: EX, name, kind: 'bug', source, line: lineOf(source, marker, name), checks: QUICK,
    ...(opts.catalogued ? { catalogued: opts.catalogued } : {}),
    ...(opts.kitOps ? { kitOps: true } : {}),
  };
}

const MASKED = correct('loss as a masked mean of logSoftmax + gather over narrowed logits (kit ops)', [[IMPORT, ALL_OPS], [LOSS_TAIL, MASKED_LOSS]]);
const INDEXED = correct('conversation encoded once, labels by index', [[BUILD_BODY, INDEX_BUILD]]);

export const CORPUS: CorpusEntry[] = [
  // --- correct files in other styles -----------------------------------------------------------------------------
  MASKED,
  INDEXED,
  correct('one crossEntropy per sequence, weighted by its token count', [[IMPORT, ALL_OPS], [LOSS_TAIL, `  const flat = reshape(logits, [B * T, V]);
  let total: Tensor | null = null;
  for (let b = 0; b < B; b++) {
    const mine = rows.flatMap((r, i) => (Math.floor(r / T) === b ? [i] : []));
    if (mine.length === 0) continue;
    const part = mul(crossEntropy(embedding(flat, mine.map((i) => rows[i])), mine.map((i) => targets[i])), mine.length);
    total = total ? add(total, part) : part;
  }
  return div(total!, targets.length);`]]),
  correct('padding with index loops; the shift read as labels[b][t] against row t - 1', [
    [COLLATE_BODY, `  for (let b = 0; b < examples.length; b++) {
    const row: number[] = [];
    const lab: number[] = [];
    for (let i = 0; i < T; i++) {
      const real = i < examples[b].ids.length;
      row.push(real ? examples[b].ids[i] : padId);
      lab.push(real ? examples[b].labels[i] : -100);
    }
    ids.push(row);
    labels.push(lab);
  }`],
    [`    for (let t = 0; t + 1 < T; t++) {
      const target = labels[b][t + 1]; // position t predicts token t + 1
      if (target === IGNORE_INDEX) continue;
      rows.push(b * T + t);`, `    for (let t = 1; t < T; t++) {
      const target = labels[b][t];
      if (target === IGNORE_INDEX) continue;
      rows.push(b * T + t - 1);`],
  ]),
  correct('Hugging Face style: shift_logits by narrow, shift_labels by slice, then keep the real labels', [[IMPORT, ALL_OPS], [LOSS_TAIL, `  void rows;
  const shiftLogits = reshape(narrow(logits, 1, 0, T - 1), [B * (T - 1), V]);
  const shiftLabels = labels.flatMap((row) => row.slice(1));
  const keep = shiftLabels.flatMap((l, i) => (l === IGNORE_INDEX ? [] : [i]));
  void targets;
  return crossEntropy(embedding(shiftLogits, keep), keep.map((i) => shiftLabels[i]));`]]),
  // --- one-bug variants, not catalogued -------------------------------------------------------------------------
  bug('template without the space after "A:"', [['encode(`Q: ${pair.question}\\nA: `);', 'encode(`Q: ${pair.question}\\nA:`);']]),
  bug('left padding', [[COLLATE_BODY, `  for (const e of examples) {
    const pad = T - e.ids.length;
    ids.push([...new Array<number>(pad).fill(padId), ...e.ids]);
    labels.push([...new Array<number>(pad).fill(IGNORE_INDEX), ...e.labels]);
  }`]], { at: 'ids.push([...new Array<number>(pad).fill(padId), ...e.ids]);' }),
  bug('one pad too many', [['const T = Math.max(...examples.map((e) => e.ids.length));', 'const T = Math.max(...examples.map((e) => e.ids.length)) + 1;']]),
  bug('the loss summed, not averaged', [[IMPORT, "import { type Tensor, crossEntropy, embedding, mul, reshape } from '@llm-lab/kit';"],
    ['return crossEntropy(picked, targets); ', 'return mul(crossEntropy(picked, targets), targets.length); ']], { kitOps: true }),
  bug('the mean of per-sequence means', [[IMPORT, ALL_OPS], [LOSS_TAIL, `  const flat = reshape(logits, [B * T, V]);
  let total: Tensor | null = null;
  let seqs = 0;
  for (let b = 0; b < B; b++) {
    const mine = rows.flatMap((r, i) => (Math.floor(r / T) === b ? [i] : []));
    if (mine.length === 0) continue;
    const part = crossEntropy(embedding(flat, mine.map((i) => rows[i])), mine.map((i) => targets[i]));
    total = total ? add(total, part) : part;
    seqs++;
  }
  return div(total!, seqs);`]], { at: 'return div(total!, seqs);', kitOps: true }),
  bug('the loop drops the last prediction of each row', [[LOOP, 'for (let t = 0; t + 2 < T; t++) {']]),
  // --- catalogued mistakes written a new way -----------------------------------------------------------------------
  bug('labels copied from the ids (index style)', [[BUILD_BODY, INDEX_BUILD.replace('labels.push(i < P ? IGNORE_INDEX : ids[i]);', 'labels.push(ids[i]);')]],
    { catalogued: 'prompt-trained', at: 'for (let i = 0; i < ids.length; i++) labels.push(ids[i]);' }),
  bug('the mask boundary one late (index style)', [[BUILD_BODY, INDEX_BUILD.replace('i < P ?', 'i <= P ?')]],
    { catalogued: 'mask-shifted', at: 'for (let i = 0; i < ids.length; i++) labels.push(i <= P ? IGNORE_INDEX : ids[i]);' }),
  bug('masked mean divided by every shifted position', [[IMPORT, ALL_OPS], [LOSS_TAIL, MASKED_LOSS.replace('return div(sum(mul(nll, mask)), -count);', 'return div(sum(mul(nll, mask)), -(B * (T - 1)));')]],
    { catalogued: 'loss-all-tokens', at: 'return div(sum(mul(nll, mask)), -(B * (T - 1)));', kitOps: true }),
  bug('labels padded from the padded ids row', [[COLLATE_BODY, `  for (const e of examples) {
    const row = [...e.ids, ...new Array<number>(T - e.ids.length).fill(padId)];
    ids.push(row);
    labels.push(row.map((id, i) => (i < e.labels.length ? e.labels[i] : id)));
  }`]], { catalogued: 'padding-counted', at: 'labels.push(row.map((id, i) => (i < e.labels.length ? e.labels[i] : id)));' }),
];
