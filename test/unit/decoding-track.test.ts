/**
 * Lessons 5 (decoding) and 6 (kv-cache): every catalogued mistake is recognised by name.
 *
 * For each mistake, the reference solution with exactly that bug is written to a temporary folder and
 * checked through the real runner process; the check that catalogues the mistake must fail with its own
 * message. The untouched reference solutions must pass every check. (test/unit/lessons.test.ts also runs
 * every solution and every untouched scaffold.) Runs go two at a time: the machine has two cores.
 */
import { type Mistake, exercise, testCatalogue } from './catalogue';

const SAMPLING = exercise('decoding/sampling', '05-decoding', 'sampling');
const BEAM = exercise('decoding/beam', '05-decoding', 'beam');
const CACHE = exercise('kv-cache/step', '06-kv-cache', 'cache');

const WITH_TEMPERATURE = 'withTemperature is softmax(logits / T)';
const TOP_K = 'topK keeps exactly the k most likely tokens';
const TOP_P = 'topP keeps the smallest set whose mass reaches p';
const PICK_NEXT = 'pickNext applies temperature, then top-k';
const BEAM_HAND = 'width 2 finds S-B-A';
const ATTEND_HAND = 'attend: one query over three cached positions';
const STEP_FULL = 'step: cached logits equal a full forward pass';

/** withTemperature on probabilities: softmax of the raw logits first, then `then`. */
const afterSoftmax = (then: string): [string, string][] => [
  ['for (const l of logits) max = Math.max(max, l / temperature);', 'for (const l of logits) max = Math.max(max, l);'],
  ['const e = Math.exp(logits[i] / temperature - max); // scale the LOGITS, then exponentiate', 'const e = Math.exp(logits[i] - max);'],
  ['for (let i = 0; i < probs.length; i++) probs[i] /= sum;', `for (let i = 0; i < probs.length; i++) probs[i] = ${then};`],
];

const MISTAKES: Mistake[] = [
  // ----- lesson 5: sampling ------------------------------------------------------------------------------
  { name: 'temperature applied after softmax, p^(1/T) not renormalised', exercise: SAMPLING, check: WITH_TEMPERATURE, says: /temperature was applied after softmax/,
    edits: afterSoftmax('(probs[i] / sum) ** (1 / temperature)') },
  { name: 'probabilities divided by T', exercise: SAMPLING, check: WITH_TEMPERATURE, says: /temperature was applied to the probabilities/,
    edits: afterSoftmax('probs[i] / sum / temperature') },
  { name: 'logits multiplied by T', exercise: SAMPLING, check: WITH_TEMPERATURE, says: /multiplied the logits by T/,
    edits: [['max = Math.max(max, l / temperature)', 'max = Math.max(max, l * temperature)'], ['Math.exp(logits[i] / temperature - max)', 'Math.exp(logits[i] * temperature - max)']] },
  { name: 'top-k not renormalised', exercise: SAMPLING, check: TOP_K, says: /did not renormalise/,
    edits: [['return renormalised(probs, byProbability(probs).slice(0, k));', 'const out = new Float32Array(probs.length);\n  for (const i of byProbability(probs).slice(0, k)) out[i] = probs[i];\n  return out;']] },
  { name: 'top-k keeps k + 1', exercise: SAMPLING, check: TOP_K, says: /kept 3 tokens for k = 2/,
    edits: [['byProbability(probs).slice(0, k)', 'byProbability(probs).slice(0, k + 1)']] },
  { name: 'top-k keeps every tie (threshold at the k-th largest)', exercise: SAMPLING, check: 'topK with ties', says: /keeps every tied token/,
    edits: [['return renormalised(probs, byProbability(probs).slice(0, k));',
      'const kth = probs[byProbability(probs)[Math.min(k, probs.length) - 1]];\n  return renormalised(probs, Array.from(probs.keys()).filter((i) => probs[i] >= kth));']] },
  { name: 'top-p leaves out the token that crosses p', exercise: SAMPLING, check: TOP_P, says: /left out the token that crosses p/,
    edits: [['    keep.push(i); // keep it first: the token that crosses p belongs to the nucleus\n    mass += probs[i];\n    if (mass >= p) break;',
      '    if (mass + probs[i] >= p) break;\n    keep.push(i);\n    mass += probs[i];']] },
  { name: 'top-p not renormalised', exercise: SAMPLING, check: TOP_P, says: /did not renormalise/,
    edits: [['return renormalised(probs, keep);', 'const out = new Float32Array(probs.length);\n  for (const i of keep) out[i] = probs[i];\n  return out;']] },
  { name: 'top-p walks the tokens in index order', exercise: SAMPLING, check: TOP_P, says: /sort by probability first/,
    edits: [['const order = byProbability(probs);', 'const order = Array.from(probs.keys());']] },
  { name: 'top-p keeps going when the mass equals p (> instead of >=)', exercise: SAMPLING, check: 'topP stops as soon as the mass reaches p exactly', says: /mass >= p, so stop when the mass is equal to p/,
    edits: [['if (mass >= p) break;', 'if (mass > p) break;']] },
  { name: 'sampler compares cumulative >= u', exercise: SAMPLING, check: 'sample inverts the cumulative distribution', says: /cumulative > u, not cumulative >= u/,
    edits: [['if (cumulative > u) return i;', 'if (cumulative >= u) return i;']] },
  { name: 'top-p applied before top-k', exercise: SAMPLING, check: PICK_NEXT, says: /applied top-p before top-k/,
    edits: [['  if (settings.topK !== undefined) probs = topK(probs, settings.topK);\n  if (settings.topP !== undefined) probs = topP(probs, settings.topP);',
      '  if (settings.topP !== undefined) probs = topP(probs, settings.topP);\n  if (settings.topK !== undefined) probs = topK(probs, settings.topK);']] },
  { name: 'pickNext ignores the temperature', exercise: SAMPLING, check: PICK_NEXT, says: /temperature had no effect/,
    edits: [['let probs = withTemperature(logits, settings.temperature);', 'let probs = withTemperature(logits, 1);']] },

  // ----- lesson 5: beam search ---------------------------------------------------------------------------
  { name: 'beam scores are products of probabilities', exercise: BEAM, check: BEAM_HAND, says: /PRODUCT of its probabilities/,
    edits: [['[{ tokens: [...prompt], logProb: 0 }]', '[{ tokens: [...prompt], logProb: 1 }]'], ['logProb: beam.logProb + Math.log(probs[t])', 'logProb: beam.logProb * probs[t]']] },
  { name: 'beam scores are sums of probabilities', exercise: BEAM, check: BEAM_HAND, says: /SUM of its probabilities/,
    edits: [['logProb: beam.logProb + Math.log(probs[t])', 'logProb: beam.logProb + probs[t]']] },
  { name: 'ranked by a product of probabilities, logged afterwards: underflow', exercise: BEAM, check: 'scores are summed log-probabilities: 500 steps', says: /underflowed/,
    edits: [['logProb: beam.logProb + Math.log(probs[t])', 'logProb: Math.log(Math.exp(beam.logProb) * probs[t])']] },
  { name: 'beams share one tokens array', exercise: BEAM, check: BEAM_HAND, says: /not kept separate/,
    edits: [['candidates.push({ tokens: [...beam.tokens, t], logProb: beam.logProb + Math.log(probs[t]) });',
      'const tokens = beam.tokens;\n        tokens.push(t);\n        candidates.push({ tokens, logProb: beam.logProb + Math.log(probs[t]) });']] },
  { name: 'each beam follows only its own best token', exercise: BEAM, check: BEAM_HAND, says: /each beam only followed its own most likely token/,
    edits: [['      const probs = next(beam.tokens); // (V,)', '      const probs = next(beam.tokens); // (V,)\n      let best = 0;\n      for (let t = 1; t < probs.length; t++) if (probs[t] > probs[best]) best = t;'],
      ['if (!(probs[t] > 0)) continue;', 'if (!(probs[t] > 0) || (s > 0 && t !== best)) continue;']] },
  { name: 'beams sorted worst first', exercise: BEAM, check: BEAM_HAND, says: /return the beams best first/,
    edits: [['candidates.sort((a, b) => b.logProb - a.logProb);', 'candidates.sort((a, b) => a.logProb - b.logProb);']] },

  // ----- lesson 6: the KV cache --------------------------------------------------------------------------
  { name: 'causal mask numbers the single new query 0', exercise: CACHE, check: ATTEND_HAND, says: /only attended to the first cached position/,
    edits: [['scores[j] = s / Math.sqrt(hs);', 'scores[j] = j > 0 ? -Infinity : s / Math.sqrt(hs);']] },
  { name: 'the new query does not attend to itself', exercise: CACHE, check: ATTEND_HAND, says: /except the newest one, its own/,
    edits: [['scores[j] = s / Math.sqrt(hs);', 'scores[j] = j === T - 1 ? -Infinity : s / Math.sqrt(hs);']] },
  { name: 'scores not scaled by sqrt(hs)', exercise: CACHE, check: ATTEND_HAND, says: /not divided by sqrt\(hs\)/,
    edits: [['scores[j] = s / Math.sqrt(hs);', 'scores[j] = s;']] },
  { name: 'one attention over all channels instead of per head', exercise: CACHE, check: 'attend: 4 heads over 6 positions', says: /one attention over all C channels/,
    edits: [['const hs = C / nHead; // head size', 'const hs = C;'], ['for (let h = 0; h < nHead; h++) {', 'for (let h = 0; h < 1; h++) {']] },
  { name: 'position restarts at 0 for each new token', exercise: CACHE, check: STEP_FULL, says: /position embedding restarted/,
    edits: [['const position = cache.layers[0].keys.length;', 'const position = 0;']] },
  { name: 'keys appended but not values', exercise: CACHE, check: STEP_FULL, says: /the values were not appended/,
    edits: [['    layer.values.push(v);\n', '']] },
  { name: 'the key appended as the value', exercise: CACHE, check: STEP_FULL, says: /value cache holds the keys/,
    edits: [['layer.values.push(v);', 'layer.values.push(k);']] },
  { name: 'every layer uses the cache of layer 0', exercise: CACHE, check: STEP_FULL, says: /every layer appended to the cache of layer 0/,
    edits: [['const layer = cache.layers[l];', 'const layer = cache.layers[0];']] },
  { name: 'generate recomputes the context instead of using the cache', exercise: CACHE, check: 'generate: 200 cached tokens', says: /pushed more than \d+ positions/,
    edits: [['    else logits = step(model, cache, next);', '    else refill(Math.max(0, tokens.length - blockSize));']] },
];

testCatalogue([SAMPLING, BEAM, CACHE], MISTAKES);
