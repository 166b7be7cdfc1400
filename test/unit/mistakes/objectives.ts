/**
 * The objectives lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake
 * put into the reference solution, and the one check that names it run on it; and other libraries' ways of writing
 * the same functions (Hugging Face's masking draws, BERT's exact-count selection, T5's code-form of the targets, T5's and
 * NumPy's rounding of halves to even in the noise sampler),
 * which must pass or fail as a convention.
 */
import { OBJECTIVES_MISTAKES } from '../../../lessons/06f-objectives/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'objectives/corrupt';
const LABELS = 'const labels = new Int32Array(ids.length).fill(IGNORE_INDEX);';
const SPECIAL = 'if (special.has(ids[i])) continue; //                        never selected, and no draw';
const SELECT = 'if (rng.random() >= prob) continue; //                       draw 1: selected when u < prob';
const LABEL = 'labels[i] = ids[i]; //                                       the model must predict the ORIGINAL token';
const DRAW_V = 'const v = rng.random(); //                                   draw 2: which corruption';
const BRANCH = `if (v < 0.8) input[i] = opts.maskId; //                      80 %: [MASK]
    else if (v < 0.9) input[i] = rng.randint(0, opts.vocabSize); // 10 %: a random token (draw 3)`;
const OTHER_DOC = `let j = rng.randint(0, docs.length - 1); //              another document, uniformly: skip d
        if (j >= d) j++;`;
const NSP_LOOP = 'for (let i = 0; i + 1 < doc.length; i++) { //                every sentence that has a next one in its document';
const SPAN_START = 'if (i === 0 || !noiseMask[i - 1]) { //                       a span starts: one sentinel for the whole span';
const SENTINELS = `inputs.push(sentinel(k));
      targets.push(sentinel(k));`;
const FINAL = 'targets.push(sentinel(k)); //                                  the final sentinel ends the targets';

const HAND = 'maskTokens: a hand-worked sequence';
const SEEDED = 'maskTokens: exact positions on a seeded generator';
const NSP = 'nspPairs: exact pairs';
const PAPER = "spanCorrupt: the T5 paper's example";
const RANDOM = 'spanCorrupt: random masks';
const SAMPLER = "randomSpansMask: T5's sampler";
const NOISE = 'const noise = Math.min(Math.max(Math.round(length * density), 1), length - 1); // at least one noise and one kept token';

/** maskTokens as Hugging Face's DataCollatorForLanguageModeling writes it: whole "tensors" of draws, one pass each. */
const HF_MASKING = `const selected = Array.from(ids, (id) => rng.random() < (special.has(id) ? 0 : prob)); // torch.bernoulli(probability_matrix)
  const replaced = Array.from(ids, () => rng.random() < 0.8); //            torch.bernoulli(torch.full(shape, 0.8))
  const randomly = Array.from(ids, () => rng.random() < 0.5); //           torch.bernoulli(torch.full(shape, 0.5))
  const words = Array.from(ids, () => rng.randint(0, opts.vocabSize)); //  torch.randint(len(tokenizer), shape)
  for (let i = 0; i < ids.length; i++) {
    if (!selected[i]) continue;
    labels[i] = ids[i];
    if (replaced[i]) input[i] = opts.maskId;
    else if (randomly[i]) input[i] = words[i];
  }`;

/** maskTokens as BERT's create_pretraining_data.py selects: exactly round(prob · candidates) positions, by shuffling. */
const BERT_EXACT = `const candidates = Array.from(ids, (_, i) => i).filter((i) => !special.has(ids[i]));
  rng.shuffle(candidates);
  const count = Math.max(1, Math.round(candidates.length * prob));
  for (const i of candidates.slice(0, count)) {
    labels[i] = ids[i];
    const v = rng.random();
    if (v < 0.8) input[i] = opts.maskId;
    else if (v < 0.9) input[i] = rng.randint(0, opts.vocabSize);
  }`;

const MASK_LOOP_START = '  for (let i = 0; i < ids.length; i++) {\n    ' + SPECIAL;
const MASK_LOOP_END = `    //                                                           10 %: unchanged
  }
  return { input, labels };`;

/** The whole loop of maskTokens in the solution, to be replaced by another library's. */
function replaceMaskLoop(body: string): [string, string][] {
  return [[`${MASK_LOOP_START}
    ${SELECT}
    ${LABEL}
    ${DRAW_V}
    ${BRANCH}
${MASK_LOOP_END}`, `${body}
  return { input, labels };`]];
}

/** spanCorrupt as T5's code builds it: each run of noise -> a sentinel in the inputs, each run of KEPT tokens -> a sentinel in the targets. */
const T5_CODE = `  const collapse = (mask: readonly boolean[]): T[] => { // t5.data.preprocessors.noise_span_to_unique_sentinel
    const out: T[] = [];
    let n = 0;
    mask.forEach((noise, i) => {
      if (!noise) out.push(tokens[i]);
      else if (i === 0 || !mask[i - 1]) out.push(sentinel(n++));
    });
    return out;
  };
  return { inputs: collapse(noiseMask), targets: collapse(noiseMask.map((x) => !x)) };
}`;
const SPAN_BODY_START = '  const inputs: T[] = [];\n  const targets: T[] = [];\n  let k = 0;';

export const CASES: MistakeCase[] = mistakeCases(OBJECTIVES_MISTAKES, EX, [
  { key: 'labels-everywhere', check: HAND, edits: [[LABELS, 'const labels = Int32Array.from(ids);']] },
  { key: 'labels-everywhere', name: 'seeded', check: SEEDED, edits: [[LABELS, 'const labels = Int32Array.from(ids);']] },
  {
    key: 'branch-for-all', check: HAND,
    edits: [[`${SELECT}
    ${LABEL}
    ${DRAW_V}
    ${BRANCH}`, `const u = rng.random();
    const v = rng.random();
    if (v < 0.8) input[i] = opts.maskId;
    else if (v < 0.9) input[i] = rng.randint(0, opts.vocabSize);
    if (u < prob) labels[i] = ids[i];`]],
  },
  { key: 'special-masked', check: HAND, edits: [[SPECIAL, '']] },
  { key: 'special-masked', name: 'seeded', check: SEEDED, edits: [[SPECIAL, '']] },
  { key: 'labels-corrupted', check: SEEDED, edits: [[LABEL, ''], [BRANCH, `${BRANCH}\n    labels[i] = input[i];`]] },
  { key: 'always-mask', check: HAND, edits: [[BRANCH, 'input[i] = opts.maskId;\n    void v;']] },
  { key: 'always-mask', name: 'no second draw', check: SEEDED, edits: [[DRAW_V, ''], [BRANCH, 'input[i] = opts.maskId;']] },
  { key: 'rng-order', name: "Hugging Face's draws", check: SEEDED, edits: replaceMaskLoop(HF_MASKING) },
  { key: 'rng-order', name: "Hugging Face's draws, hand-worked", check: HAND, edits: replaceMaskLoop(HF_MASKING) },
  { key: 'nsp-same-doc', check: NSP, edits: [[OTHER_DOC, 'const j = rng.randint(0, docs.length);']] },
  { key: 'nsp-label-flipped', check: NSP, edits: [['b: doc[i + 1], label: 0 }', 'b: doc[i + 1], label: 1 }'], ['rng.randint(0, docs[j].length)], label: 1 }', 'rng.randint(0, docs[j].length)], label: 0 }']] },
  {
    key: 'nsp-across-docs', check: NSP,
    edits: [[NSP_LOOP, 'for (let i = 0; i < doc.length - (d === docs.length - 1 ? 1 : 0); i++) {'], ['b: doc[i + 1], label: 0 }', 'b: doc[i + 1] ?? docs[d + 1][0], label: 0 }']],
  },
  { key: 'spans-not-merged', check: PAPER, edits: [[SPAN_START, '{']] },
  { key: 'spans-not-merged', name: 'random masks', check: RANDOM, edits: [[SPAN_START, '{']] },
  { key: 'sentinels-out-of-order', check: PAPER, edits: [[SENTINELS, 'inputs.push(sentinel(i));\n      targets.push(sentinel(i));']] },
  { key: 'sentinels-out-of-order', name: 'from 1', check: RANDOM, edits: [['let k = 0; //', 'let k = 1; //']] },
  { key: 'no-final-sentinel', check: PAPER, edits: [[FINAL, '']] },
  { key: 'no-final-sentinel', name: 'random masks', check: RANDOM, edits: [[FINAL, '']] },
  { key: 'noise-per-token', check: SAMPLER, edits: [[NOISE, `if (length > 0) return Array.from({ length }, () => rng.random() < density); // each token on its own\n  ${NOISE}`]] },
  { key: 't5-code-targets', check: RANDOM, edits: [[SPAN_BODY_START, T5_CODE + '\n/*'], ['  return { inputs, targets };\n}', '*/']] },
]);

export const VARIANTS: LibraryVariant[] = [
  { library: 'Hugging Face', name: 'DataCollatorForLanguageModeling\'s draws (whole tensors of Bernoulli draws)', exercise: EX, check: SEEDED, edits: replaceMaskLoop(HF_MASKING) },
  { library: 'BERT', name: 'BERT\'s create_pretraining_data.py: exactly round(15 %) positions by shuffling', exercise: EX, check: SEEDED, edits: replaceMaskLoop(BERT_EXACT) },
  { library: 'T5', name: 'noise_span_to_unique_sentinel on the mask and on the inverted mask (the paper\'s example)', exercise: EX, check: PAPER, edits: [[SPAN_BODY_START, T5_CODE + '\n/*'], ['  return { inputs, targets };\n}', '*/']] },
  { library: 'T5', name: 'noise_span_to_unique_sentinel on the mask and on the inverted mask (masks that start with noise)', exercise: EX, check: RANDOM, edits: [[SPAN_BODY_START, T5_CODE + '\n/*'], ['  return { inputs, targets };\n}', '*/']] },
  {
    library: 'T5', name: 'counts rounded halves to even (tf.math.round; NumPy\'s np.round in Hugging Face\'s run_t5_mlm_flax.py)', exercise: EX, check: SAMPLER,
    edits: [[NOISE, `const round = (x: number) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x)); // halves to even\n  ${NOISE.replace('Math.round(length', 'round(length')}`],
      ['Math.round(Math.min(noise, kept) / meanSpanLength)', 'round(Math.min(noise, kept) / meanSpanLength)']],
  },
];
