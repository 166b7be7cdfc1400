/**
 * The moe lesson's mistake cases and library variants (see test/unit/catalogue.ts): every catalogued mistake put into
 * the reference solution, and the one check that names it run on it; and other libraries' ways of writing the same
 * functions (GShard's dispatch priority, Hugging Face's aux loss scale for k > 1, Mixtral's softmax over the top-k
 * logits, Switch's raw top-1 gate), which must pass or fail as a convention.
 */
import { MOE_MISTAKES } from '../../../lessons/14f-moe/mistakes';
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';

const EX = 'moe/moe';
const GATES = 'gates.push(chosen.map((e) => (renormalize ? p[e] / total : p[e])));';
const DISPATCH = `  return experts.map((choices) => choices.map((e) => {
    if (load[e] >= capacity) return false;
    load[e] += 1;
    return true;
  }));`;
const F = 'for (const e of choices) f[e] += 1 / (T * k);';
const LOSS = 'return mul(sum(mul(P, tensor(f))), N);';
const PMEAN = 'const P = mul(sum(probs, 0), 1 / T); // (N,)';
const ADD = 'out[t * C + c] += weights[r] * ye[r * C + c];';
const RETURN_Y = "  return { y: tensor(out, [T, C]), aux:";

const HAND = 'route: hand-worked logits';
const SEEDED = 'route: seeded logits';
const DISPATCH_CHECK = 'expertCapacity and dispatch';
const AUX = 'loadBalancingLoss:';
const BLOCK = 'moeBlock:';

/** dispatch as GShard's top-2 gating fills the experts: every first choice before any second choice. */
export const GSHARD_DISPATCH = `  const kept = experts.map((choices) => choices.map(() => false));
  for (let j = 0; j < (experts[0]?.length ?? 0); j++) {
    experts.forEach((choices, t) => {
      if (load[choices[j]] < capacity) { load[choices[j]] += 1; kept[t][j] = true; }
    });
  }
  return kept;`;

const DOUBLE = `const g = chosen.map((e) => (renormalize ? p[e] / total : p[e]));
    const z = g.reduce((s, v) => s + Math.exp(v), 0);
    gates.push(renormalize ? g.map((v) => Math.exp(v) / z) : g);`;

export const CASES: MistakeCase[] = mistakeCases(MOE_MISTAKES, EX, [
  { key: 'no-renormalize', check: HAND, edits: [[GATES, 'gates.push(chosen.map((e) => p[e]));']] },
  { key: 'no-renormalize', name: 'seeded', check: SEEDED, edits: [[GATES, 'gates.push(chosen.map((e) => p[e]));']] },
  { key: 'double-renormalize', check: HAND, edits: [[GATES, DOUBLE]] },
  { key: 'double-renormalize', name: 'seeded', check: SEEDED, edits: [[GATES, DOUBLE]] },
  { key: 'no-capacity', check: DISPATCH_CHECK, edits: [['    if (load[e] >= capacity) return false;\n', '']] },
  { key: 'no-capacity', name: 'in moeBlock', check: BLOCK, edits: [['    if (load[e] >= capacity) return false;\n', '']] },
  { key: 'rank-priority', check: DISPATCH_CHECK, edits: [[DISPATCH, GSHARD_DISPATCH]] },
  { key: 'aux-swapped', name: 'f for P', check: AUX, edits: [[PMEAN, 'const P = tensor(f); void probs;']] },
  { key: 'aux-swapped', name: 'P for f', check: AUX, edits: [[LOSS, 'return mul(sum(mul(P, P)), N);']] },
  { key: 'aux-no-n', check: AUX, edits: [[LOSS, 'return sum(mul(P, tensor(f)));']] },
  { key: 'aux-hf-k', check: AUX, edits: [[F, 'for (const e of choices) f[e] += 1 / T;']] },
  {
    key: 'drop-zero', check: BLOCK,
    edits: [[RETURN_Y, `  kept.forEach((row, t) => { if (row.every((k) => !k)) out.fill(0, t * C, (t + 1) * C); });\n${RETURN_Y}`]],
  },
  { key: 'no-gates', check: BLOCK, edits: [[ADD, 'out[t * C + c] += ye[r * C + c];']] },
]);

export const VARIANTS: LibraryVariant[] = [
  { library: 'GShard', name: "GShard's dispatch: every first choice before any second choice", exercise: EX, check: DISPATCH_CHECK, edits: [[DISPATCH, GSHARD_DISPATCH]] },
  { library: 'Hugging Face', name: "Hugging Face's load_balancing_loss_func: f averaged over tokens only (k times the value)", exercise: EX, check: AUX, edits: [[F, 'for (const e of choices) f[e] += 1 / T;']] },
  {
    library: 'Mixtral', name: "Mixtral's gates: a softmax over the top-k logits (the same numbers)", exercise: EX, check: SEEDED,
    edits: [[GATES, `const l = chosen.map((e) => logits.data[t * E + e]);
    const m = Math.max(...l);
    const z = l.reduce((s, v) => s + Math.exp(v - m), 0);
    gates.push(renormalize ? l.map((v) => Math.exp(v - m) / z) : chosen.map((e) => p[e]));`]],
  },
];
