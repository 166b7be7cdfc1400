/**
 * The makemore lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake put
 * into the reference solution (or, for 'earlier-lessons', into the MLP lesson's solution it builds on), and the one
 * check that names it run on it.
 */
import { MAKEMORE_MISTAKES } from '../../../lessons/01f-makemore/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const CONTEXT = "let context: number[] = new Array(blockSize).fill(0); // '...': nothing seen yet";
const CHARS_LOOP = "for (const ch of name + '.') { //                       the final '.' teaches the model to stop";
const RECORD = `      xs.push(...context);
      ys.push(id);
      context = [...context.slice(1), id]; //                 slide the window by one character`;
const FORWARD = 'return this.mlp.forward(e.reshape(B, blockSize * nEmbd)); // the blockSize vectors side by side -> (B, 27)';
const ZERO_GRAD = "optimizer.zeroGrad(); //                 gradients accumulate: clear the last step's";
const CLIP = 'clipGradNorm(params, config.clip); //    after backward, before the step';
const SCHEDULE = 'optimizer.lr = cosineLr(step, schedule);';
const DRAW = 'const next = rng.categorical(softmax(logits, -1).data); //            one uniform per character';
const STOP = `if (next === 0) break; //                                             '.': the name is finished
    out += CHARS[next];`;
const SHIFT = `    context.shift();
    context.push(next);
`;

const PARTS = 'the parts from earlier lessons';
const BY_HAND = "buildDataset: 'emma' and 'ava' by hand";
const REAL = 'buildDataset: every window of 400 real names';
const MODEL = 'NameModel: parameters and logits';
const LOOP = 'train: the loop matches';
const SPELL = 'sample: models that spell a name';
const DRAWN = 'sample: every character is drawn';
const TRAINED = 'names sampled from your trained models';

export const CASES: MistakeCase[] = mistakeCases(MAKEMORE_MISTAKES, 'makemore/names', [
  // The MLP lesson's cross-entropy summed instead of averaged: the quick test of the earlier parts names it.
  { key: 'earlier-lessons', check: PARTS, in: 'mlp/losses', edits: [['return mean(sub(lse, picked));', 'return sum(sub(lse, picked));']] },
  {
    key: 'no-start-padding', check: BY_HAND,
    edits: [[CONTEXT, 'let context: number[] = [...name.slice(0, blockSize)].map((c) => CHARS.indexOf(c));'], [CHARS_LOOP, "for (const ch of (name + '.').slice(blockSize)) {"]],
  },
  { key: 'no-end-token', check: BY_HAND, edits: [[CHARS_LOOP, 'for (const ch of name) {']] },
  { key: 'no-end-token', name: 'real names', check: REAL, edits: [[CHARS_LOOP, 'for (const ch of name) {']] },
  { key: 'target-in-context', check: BY_HAND, edits: [[RECORD, '      context = [...context.slice(1), id];\n      xs.push(...context);\n      ys.push(id);']] },
  {
    key: 'context-not-reset', check: BY_HAND,
    edits: [[`for (const name of names) {\n    ${CONTEXT}`, 'let context: number[] = new Array(blockSize).fill(0);\n  for (const name of names) {']],
  },
  { key: 'context-not-reset', name: 'real names', check: REAL, edits: [[`for (const name of names) {\n    ${CONTEXT}`, 'let context: number[] = new Array(blockSize).fill(0);\n  for (const name of names) {']] },
  { key: 'softmax-in-forward', check: MODEL, edits: [[FORWARD, 'return softmax(this.mlp.forward(e.reshape(B, blockSize * nEmbd)), -1);']] },
  { key: 'no-zero-grad', check: LOOP, edits: [[ZERO_GRAD, '']] },
  { key: 'lr-not-scheduled', check: LOOP, edits: [[SCHEDULE, '']] },
  { key: 'schedule-off-by-one', check: LOOP, edits: [[SCHEDULE, 'optimizer.lr = cosineLr(step + 1, schedule);']] },
  { key: 'no-clip', check: LOOP, edits: [[CLIP, '']] },
  { key: 'no-clip', name: 'clipped after the step', check: LOOP, edits: [[CLIP, ''], ['    optimizer.step();\n', '    optimizer.step();\n    clipGradNorm(params, config.clip);\n']] },
  { key: 'greedy-sampling', check: DRAWN, edits: [[DRAW, 'const probs = softmax(logits, -1).data;\n    const next = probs.indexOf(Math.max(...probs));']] },
  { key: 'greedy-sampling', name: 'trained models', check: TRAINED, edits: [[DRAW, 'const probs = softmax(logits, -1).data;\n    const next = probs.indexOf(Math.max(...probs));']] },
  { key: 'end-in-name', check: SPELL, edits: [[STOP, 'out += CHARS[next];\n    if (next === 0) break;']] },
  { key: 'context-not-shifted', check: SPELL, edits: [[SHIFT, '']] },
]);

export const VARIANTS: LibraryVariant[] = [
  {
    library: 'nanoGPT', name: 'weight decay only on tensors of 2+ dims (two AdamW optimizers)', exercise: 'makemore/names', check: LOOP,
    edits: [
      ['const optimizer = new AdamW(params, { lr: config.maxLr, weightDecay: config.weightDecay });',
        'const decayed = new AdamW(params.filter((p) => p.ndim >= 2), { lr: config.maxLr, weightDecay: config.weightDecay });\n'
        + '  const plain = new AdamW(params.filter((p) => p.ndim < 2), { lr: config.maxLr, weightDecay: 0 });'],
      [ZERO_GRAD, 'decayed.zeroGrad();\n    plain.zeroGrad();'],
      [SCHEDULE, 'decayed.lr = plain.lr = cosineLr(step, schedule);'],
      ['    optimizer.step();\n', '    decayed.step();\n    plain.step();\n'],
    ],
  },
];
