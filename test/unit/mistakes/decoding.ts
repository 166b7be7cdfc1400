/**
 * The decoding track's mistake cases (see test/unit/catalogue.ts): lesson 5 (sampling, beam search) and
 * lesson 6 (the KV cache). Each case puts one catalogued bug into a reference solution; the check that
 * catalogues it must fail with the catalogue's own message, in English and in Chinese.
 */
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';
import { BEAM_MISTAKES, SAMPLING_MISTAKES } from '../../../lessons/05-decoding/mistakes';
import { CACHE_MISTAKES } from '../../../lessons/06-kv-cache/mistakes';

// ----- lesson 5: sampling ----------------------------------------------------------------------------------------

const WITH_TEMPERATURE = 'withTemperature is softmax(logits / T)';
const TOP_K = 'topK keeps exactly the k most likely tokens';
const TOP_K_TIES = 'topK with ties';
const TOP_P = 'topP keeps the smallest set whose mass reaches p';
const TOP_P_EXACT = 'topP stops as soon as the mass reaches p exactly';
const TOP_P_TIES = 'topP with ties';
const SAMPLE = 'sample inverts the cumulative distribution';
const PICK_NEXT = 'pickNext applies temperature, then top-k';

/** withTemperature on probabilities: softmax of the raw logits first, then `then`. */
const afterSoftmax = (then: string): [string, string][] => [
  ['for (const l of logits) max = Math.max(max, l / temperature);', 'for (const l of logits) max = Math.max(max, l);'],
  ['const e = Math.exp(logits[i] / temperature - max); // scale the LOGITS, then exponentiate', 'const e = Math.exp(logits[i] - max);'],
  ['for (let i = 0; i < probs.length; i++) probs[i] /= sum;', `for (let i = 0; i < probs.length; i++) probs[i] = ${then};`],
];

const TOP_K_KEEP = 'return renormalised(probs, byProbability(probs).slice(0, k));';
const TOP_P_LOOP = '    keep.push(i); // keep it first: the token that crosses p belongs to the nucleus\n    mass += probs[i];\n    if (mass >= p) break;';
const TOP_P_EXCLUDING = '    if (mass + probs[i] >= p) break;\n    keep.push(i);\n    mass += probs[i];';
const TOP_P_ONE = '  if (p >= 1) return renormalised(probs, order);\n';
const TOP_P_BODY = `  const keep: number[] = [];
  let mass = 0;
  for (const i of order) {
${TOP_P_LOOP}
  }
  return renormalised(probs, keep);`;
/**
 * topP as Hugging Face's TopPLogitsWarper writes it: sort ascending (torch.sort, stable here), add up from the
 * least likely token, remove while that sum is <= 1 - p, always keep the most likely token. Of tied tokens the
 * ascending sort puts the higher index last, so that one is kept first.
 */
const TOP_P_HF = `  const ascending = Array.from(probs.keys()).sort((a, b) => probs[a] - probs[b] || a - b);
  const keep: number[] = [];
  let cumulative = 0;
  for (let r = 0; r < ascending.length; r++) {
    cumulative += probs[ascending[r]];
    if (cumulative > 1 - p || r === ascending.length - 1) keep.push(ascending[r]);
  }
  return renormalised(probs, keep);`;
/** top-k as Hugging Face's TopKLogitsWarper and nanoGPT's generate() write it: remove what is below the k-th largest. */
const TOP_K_THRESHOLD = 'const kth = probs[byProbability(probs)[Math.min(k, probs.length) - 1]];\n  return renormalised(probs, Array.from(probs.keys()).filter((i) => probs[i] >= kth));';
const GREEDY_AT_ZERO = '  if (settings.temperature === 0) return greedy(logits);\n';

const SAMPLING = mistakeCases(SAMPLING_MISTAKES, 'decoding/sampling', [
  { key: 'temperature-after-softmax', check: WITH_TEMPERATURE, edits: afterSoftmax('(probs[i] / sum) ** (1 / temperature)') },
  { key: 'temperature-on-probabilities', check: WITH_TEMPERATURE, edits: afterSoftmax('probs[i] / sum / temperature') },
  { key: 'logits-times-temperature', check: WITH_TEMPERATURE,
    edits: [['max = Math.max(max, l / temperature)', 'max = Math.max(max, l * temperature)'], ['Math.exp(logits[i] / temperature - max)', 'Math.exp(logits[i] * temperature - max)']] },
  { key: 'not-renormalised', name: 'top-k', check: TOP_K,
    edits: [[TOP_K_KEEP, 'const out = new Float32Array(probs.length);\n  for (const i of byProbability(probs).slice(0, k)) out[i] = probs[i];\n  return out;']] },
  { key: 'not-renormalised', name: 'top-p', check: TOP_P,
    edits: [['return renormalised(probs, keep);', 'const out = new Float32Array(probs.length);\n  for (const i of keep) out[i] = probs[i];\n  return out;']] },
  { key: 'top-k-off-by-one', check: TOP_K, edits: [['byProbability(probs).slice(0, k)', 'byProbability(probs).slice(0, k + 1)']] },
  { key: 'top-k-index-order', check: TOP_K, edits: [['byProbability(probs).slice(0, k)', 'Array.from(probs.keys()).slice(0, k)']] },
  { key: 'top-k-least-likely', check: TOP_K, edits: [['byProbability(probs).slice(0, k)', 'byProbability(probs).reverse().slice(0, k)']] },
  // A threshold at the k-th largest probability keeps every tie.
  { key: 'top-k-keeps-ties', check: TOP_K_TIES, edits: [[TOP_K_KEEP, TOP_K_THRESHOLD]] },
  { key: 'tie-towards-higher-index', check: TOP_K_TIES, edits: [['probs[b] - probs[a] || a - b', 'probs[b] - probs[a] || b - a']] },
  { key: 'top-p-excludes-crossing', check: TOP_P, edits: [[TOP_P_LOOP, TOP_P_EXCLUDING]] },
  { key: 'top-p-excludes-crossing', name: 'the mass reaches p exactly', check: TOP_P_EXACT, edits: [[TOP_P_LOOP, TOP_P_EXCLUDING]] },
  { key: 'top-p-unsorted', check: TOP_P, edits: [['const order = byProbability(probs);', 'const order = Array.from(probs.keys());']] },
  { key: 'top-p-strict', check: TOP_P_EXACT, edits: [['if (mass >= p) break;', 'if (mass > p) break;']] },
  { key: 'top-p-strict', name: 'with ties', check: TOP_P_TIES, edits: [['if (mass >= p) break;', 'if (mass > p) break;']] },
  { key: 'top-p-ties-higher-index', check: TOP_P_TIES, edits: [[TOP_P_BODY, TOP_P_HF]] },
  { key: 'top-p-ties-higher-index', name: 'tie-break reversed', check: TOP_P_TIES, edits: [['probs[b] - probs[a] || a - b', 'probs[b] - probs[a] || b - a']] },
  // Without the p >= 1 shortcut the running mass of the float32 [0.6, 0.4, 1e-8] reaches 1 after two tokens.
  { key: 'top-p-one-drops-tokens', check: TOP_P, edits: [[TOP_P_ONE, '']] },
  { key: 'top-p-one-drops-tokens', name: 'mass summed in float32', check: TOP_P,
    edits: [[TOP_P_ONE, ''], ['    mass += probs[i];\n    if (mass >= p) break;', '    mass = Math.fround(mass + probs[i]);\n    if (mass >= p) break;']] },
  { key: 'sample-greater-or-equal', check: SAMPLE, edits: [['if (cumulative > u) return i;', 'if (cumulative >= u) return i;']] },
  { key: 'top-p-before-top-k', check: PICK_NEXT,
    edits: [['  if (settings.topK !== undefined) probs = topK(probs, settings.topK);\n  if (settings.topP !== undefined) probs = topP(probs, settings.topP);',
      '  if (settings.topP !== undefined) probs = topP(probs, settings.topP);\n  if (settings.topK !== undefined) probs = topK(probs, settings.topK);']] },
  { key: 'temperature-ignored', check: PICK_NEXT, edits: [['let probs = withTemperature(logits, settings.temperature);', 'let probs = withTemperature(logits, 1);']] },
  // As Hugging Face's TemperatureLogitsWarper: temperature 0 is refused (greedy is do_sample=False there).
  { key: 'temperature-zero-refused', check: PICK_NEXT, edits: [[GREEDY_AT_ZERO, '']] },
]);

// ----- lesson 5: beam search -------------------------------------------------------------------------------------

const BEAM_HAND = 'width 2 finds S-B-A';
const BEAM_SCORE = 'logProb: beam.logProb + Math.log(probs[t])';
const BEAM_RETURN = '  return beams;\n}';
/** Hugging Face's finished-beam score: the sum divided by length ** length_penalty (1.0), here the generated length. */
const BEAM_RETURN_HF = '  return beams.map((b) => ({ tokens: b.tokens, logProb: steps > 0 ? b.logProb / steps : b.logProb }));\n}';

const BEAM = mistakeCases(BEAM_MISTAKES, 'decoding/beam', [
  { key: 'product-of-probabilities', check: BEAM_HAND,
    edits: [['[{ tokens: [...prompt], logProb: 0 }]', '[{ tokens: [...prompt], logProb: 1 }]'], [BEAM_SCORE, 'logProb: beam.logProb * probs[t]']] },
  { key: 'sum-of-probabilities', check: BEAM_HAND, edits: [[BEAM_SCORE, 'logProb: beam.logProb + probs[t]']] },
  // Ranked by a product of probabilities, logged afterwards: after 500 steps the product is 0.
  { key: 'underflow', check: 'scores are summed log-probabilities: 500 steps', edits: [[BEAM_SCORE, 'logProb: Math.log(Math.exp(beam.logProb) * probs[t])']] },
  { key: 'shared-tokens', check: BEAM_HAND,
    edits: [['candidates.push({ tokens: [...beam.tokens, t], logProb: beam.logProb + Math.log(probs[t]) });',
      'const tokens = beam.tokens;\n        tokens.push(t);\n        candidates.push({ tokens, logProb: beam.logProb + Math.log(probs[t]) });']] },
  { key: 'own-best', check: BEAM_HAND,
    edits: [['      const probs = next(beam.tokens); // (V,)', '      const probs = next(beam.tokens); // (V,)\n      let best = 0;\n      for (let t = 1; t < probs.length; t++) if (probs[t] > probs[best]) best = t;'],
      ['if (!(probs[t] > 0)) continue;', 'if (!(probs[t] > 0) || (s > 0 && t !== best)) continue;']] },
  { key: 'worst-first', check: BEAM_HAND, edits: [['candidates.sort((a, b) => b.logProb - a.logProb);', 'candidates.sort((a, b) => a.logProb - b.logProb);']] },
  { key: 'length-normalised', check: BEAM_HAND, edits: [[BEAM_RETURN, BEAM_RETURN_HF]] },
  { key: 'length-normalised', name: 'whole sequence', check: 'scores are summed log-probabilities: 500 steps',
    edits: [[BEAM_RETURN, '  return beams.map((b) => ({ tokens: b.tokens, logProb: b.logProb / b.tokens.length }));\n}']] },
]);

// ----- lesson 6: the KV cache ------------------------------------------------------------------------------------

const ATTEND_HAND = 'attend: one query over three cached positions';
const STEP_FULL = 'step: cached logits equal a full forward pass';
const SCORE = 'scores[j] = s / Math.sqrt(hs);';
/** One new query (i = 0) after T - 1 cached positions: key j is visible when j <= past + i. */
const MASK_BOTTOM_RIGHT = 'const past = T - 1; // aligned bottom-right: query 0 of this step sits at position past + 0\n      scores[j] = j <= past + 0 ? s / Math.sqrt(hs) : -Infinity;';

const CACHE = mistakeCases(CACHE_MISTAKES, 'kv-cache/step', [
  // A causal mask that numbers the single new query 0.
  { key: 'mask-first-only', check: ATTEND_HAND, edits: [[SCORE, 'scores[j] = j > 0 ? -Infinity : s / Math.sqrt(hs);']] },
  { key: 'exclude-self', check: ATTEND_HAND, edits: [[SCORE, 'scores[j] = j === T - 1 ? -Infinity : s / Math.sqrt(hs);']] },
  { key: 'no-scale', check: ATTEND_HAND, edits: [[SCORE, 'scores[j] = s;']] },
  { key: 'one-head', check: 'attend: 4 heads over 6 positions',
    edits: [['const hs = C / nHead; // head size', 'const hs = C;'], ['for (let h = 0; h < nHead; h++) {', 'for (let h = 0; h < 1; h++) {']] },
  { key: 'position-zero', check: STEP_FULL, edits: [['const position = cache.layers[0].keys.length;', 'const position = 0;']] },
  { key: 'values-not-appended', check: STEP_FULL, edits: [['    layer.values.push(v);\n', '']] },
  { key: 'values-are-keys', check: STEP_FULL, edits: [['layer.values.push(v);', 'layer.values.push(k);']] },
  { key: 'shared-layer', check: STEP_FULL, edits: [['const layer = cache.layers[l];', 'const layer = cache.layers[0];']] },
  { key: 'recomputes-context', check: 'generate: 200 cached tokens',
    edits: [['    else logits = step(model, cache, next);', '    else refill(Math.max(0, tokens.length - blockSize));']] },
]);

export const CASES: MistakeCase[] = [...SAMPLING, ...BEAM, ...CACHE];

/** Other libraries' conventions put into the solutions: accepted, or named as conventions (never as mistakes). */
export const VARIANTS: LibraryVariant[] = [
  // Lesson 5, sampling.
  { library: 'Hugging Face', name: "TopPLogitsWarper's rule: ascending sort, remove while the sum from the bottom is <= 1 - p", exercise: 'decoding/sampling', check: TOP_P, edits: [[TOP_P_BODY, TOP_P_HF]] },
  { library: 'Hugging Face', name: "TopPLogitsWarper's rule when the mass reaches p exactly", exercise: 'decoding/sampling', check: TOP_P_EXACT, edits: [[TOP_P_BODY, TOP_P_HF]] },
  { library: 'Hugging Face', name: "TopPLogitsWarper's tie order (the higher index kept)", exercise: 'decoding/sampling', check: TOP_P_TIES, edits: [[TOP_P_BODY, TOP_P_HF]] },
  { library: 'Hugging Face', name: "TopPLogitsWarper's rule on the bundled model's distribution", exercise: 'decoding/sampling', check: "the filters on the bundled model's", edits: [[TOP_P_BODY, TOP_P_HF]] },
  { library: 'Hugging Face', name: 'TopKLogitsWarper: remove only what is below the k-th largest (no ties)', exercise: 'decoding/sampling', check: TOP_K, edits: [[TOP_K_KEEP, TOP_K_THRESHOLD]] },
  { library: 'Hugging Face', name: 'TopKLogitsWarper: every token tied with the k-th kept', exercise: 'decoding/sampling', check: TOP_K_TIES, edits: [[TOP_K_KEEP, TOP_K_THRESHOLD]] },
  { library: 'nanoGPT', name: "generate()'s top-k: logits below the k-th largest set to -Infinity, ties kept", exercise: 'decoding/sampling', check: TOP_K_TIES, edits: [[TOP_K_KEEP, TOP_K_THRESHOLD]] },
  { library: 'nanoGPT', name: "generate()'s top-k in the pipeline (no ties there)", exercise: 'decoding/sampling', check: PICK_NEXT, edits: [[TOP_K_KEEP, TOP_K_THRESHOLD]] },
  { library: 'Hugging Face', name: 'temperature 0 refused (greedy is do_sample=False)', exercise: 'decoding/sampling', check: PICK_NEXT, edits: [[GREEDY_AT_ZERO, '']] },
  // Lesson 5, beam search.
  { library: 'Hugging Face', name: 'a finished beam scored by its sum / length ** length_penalty', exercise: 'decoding/beam', check: BEAM_HAND, edits: [[BEAM_RETURN, BEAM_RETURN_HF]] },
  // Lesson 6: a causal mask aligned bottom-right (query i at position past + i), as Hugging Face and FlashAttention
  // align it over a cache; for the one new query it hides nothing.
  { library: 'Hugging Face', name: 'causal mask aligned bottom-right over the cache', exercise: 'kv-cache/step', check: ATTEND_HAND, edits: [[SCORE, MASK_BOTTOM_RIGHT]] },
  { library: 'Hugging Face', name: 'causal mask aligned bottom-right, on the bundled model', exercise: 'kv-cache/step', check: STEP_FULL, edits: [[SCORE, MASK_BOTTOM_RIGHT]] },
];
