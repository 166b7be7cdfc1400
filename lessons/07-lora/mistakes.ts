/**
 * What a learner is told when their numbers match a catalogued LoRA mistake (reference.ts computes most of
 * them as wrong variants). One place for the words, so the checks and the test that feeds every mistake
 * through the runner (test/unit/lora-track.test.ts) agree on them.
 */
export interface MistakeText {
  message: string;
  hint: string;
}

export type LoRAMistake =
  // exercise 1: counting
  | 'params-product' | 'params-only-a' | 'params-full' | 'tied-head-twice' | 'no-biases' | 'one-layer' | 'mlp-square'
  // exercise 2: the layer
  | 'b-nonzero' | 'a-zero' | 'shapes-swapped' | 'scale-missing' | 'scale-inverted' | 'scale-alpha-only' | 'w-trainable' | 'a-not-seeded'
  // exercise 3: backward
  | 'backward-no-scale' | 'backward-inverted-scale' | 'dx-base-only' | 'dx-adapter-only' | 'grads-transposed'
  // exercise 4: merge
  | 'merge-transposed' | 'merge-no-scale' | 'merge-inverted-scale' | 'merge-in-place' | 'unmerge-adds' | 'unmerge-noop';

export const LORA_MISTAKE_TEXT: Record<LoRAMistake, MistakeText> = {
  'params-product': {
    message: 'An adapter holds r·(d_in + d_out) numbers, not r·d_in·d_out: A is (r, d_in) and B is (d_out, r), two thin matrices side by side, not a stack of r full ones.',
    hint: 'Count A and B separately: r·d_in + d_out·r.',
  },
  'params-only-a': {
    message: 'Only A was counted: B (d_out, r) is trained too, so the adapter has r·d_in + d_out·r numbers.',
    hint: 'loraParams = r * dIn + dOut * r.',
  },
  'params-full': {
    message: 'That is the size of the full weight, d_in·d_out: the number full fine-tuning trains for this layer, not the adapter.',
    hint: 'The adapter is A (r, d_in) and B (d_out, r): r·(d_in + d_out).',
  },
  'tied-head-twice': {
    message: 'The LM head was counted as a matrix of its own: it is tied to the token embedding wte (logits = x @ wteᵀ), so those V·C weights exist once.',
    hint: 'Count wte, wpe, the blocks and ln_f; there is no separate head.',
  },
  'no-biases': {
    message: 'The count is short by exactly the biases and LayerNorm parameters: every Linear has a bias (out numbers), and every LayerNorm a weight and a bias (C each).',
    hint: 'Per block: ln_1 (2C), q, k, v, proj (C·C + C each), ln_2 (2C), fc (C·4C + 4C), proj (4C·C + C); plus ln_f (2C) at the end.',
  },
  'one-layer': {
    message: 'countTrainable counted one block: every one of the nLayer blocks gets its own adapters, so multiply by nLayer.',
    hint: 'Sum loraParams over the targets, then multiply by config.nLayer.',
  },
  'mlp-square': {
    message: 'The MLP layers are not C×C: mlp.fc maps C to 4C and mlp.proj maps 4C back to C, so their adapters are r·(C + 4C) each.',
    hint: 'attn.q, .k, .v, .proj: (C, C); mlp.fc: d_in = C, d_out = 4C; mlp.proj: d_in = 4C, d_out = C.',
  },
  'b-nonzero': {
    message: 'B does not start at zero, so the adapter changes the model\'s output before any training: step 0 of a fine-tune must be exactly the pretrained model.',
    hint: 'B = zeros([outFeatures, r], { requiresGrad: true }); only A is random. B A = 0 then, whatever A is.',
  },
  'a-zero': {
    message: 'A and B both start at zero: then dB = s·dYᵀ·(x Aᵀ) = 0 and dA = s·(dY B)ᵀ·x = 0, so the adapter never leaves zero and nothing is learned.',
    hint: 'A must be small and random (e.g. randn([r, inFeatures], rng, 1 / Math.sqrt(inFeatures))); B starts at zero.',
  },
  'shapes-swapped': {
    message: 'A and B have swapped shapes: A is (r, in), it reads the input down to r numbers, and B is (out, r), it writes them back up. Yours are (in, r) and (r, out).',
    hint: 'Like a Linear weight, each is (out, in) of its own step: A: in -> r is (r, in); B: r -> out is (out, r). Then x Aᵀ Bᵀ = linear(linear(x, A), B).',
  },
  'scale-missing': {
    message: 'The adapter\'s output is not scaled: y = x Wᵀ + b + x Aᵀ Bᵀ, without the factor alpha / r.',
    hint: 'Multiply the adapter path by this.scale = alpha / r: add(base, mul(linear(linear(x, A), B), alpha / r)).',
  },
  'scale-inverted': {
    message: 'The adapter is scaled by r / alpha instead of alpha / r.',
    hint: 'scale = alpha / r: a larger alpha makes the adapter louder, a larger rank does not.',
  },
  'scale-alpha-only': {
    message: 'The adapter is scaled by alpha, not alpha / r: then doubling the rank doubles the size of the update, which is what dividing by r prevents.',
    hint: 'scale = alpha / r.',
  },
  'w-trainable': {
    message: 'W (or b) is still trainable: gradient flows into the frozen weight, so the optimizer would change the pretrained model, and you would store a full copy of it per task.',
    hint: 'Set this.weight.requiresGrad = false (and the bias\'s) in the constructor: the kit then skips their gradients, and parameters() lists only A and B.',
  },
  'a-not-seeded': {
    message: 'A does not come from the rng you were given: two layers built with the same seed should start identical, so a run can be repeated.',
    hint: 'Draw A with randn([r, inFeatures], rng, std), passing the constructor\'s rng, not Math.random or the global generator.',
  },
  'backward-no-scale': {
    message: 'The gradients of A and B miss the factor alpha / r: the forward pass multiplies the adapter by s = alpha / r, so every gradient through it is multiplied by s too.',
    hint: 'dB = s · dYᵀ (x Aᵀ), dA = s · (dY B)ᵀ x, and the adapter\'s share of dx is s · dY B A.',
  },
  'backward-inverted-scale': {
    message: 'The gradients are scaled by r / alpha instead of alpha / r.',
    hint: 'The chain rule carries the forward pass\'s factor s = alpha / r into every gradient of the adapter path.',
  },
  'dx-base-only': {
    message: 'dx has only the frozen path, dY W: x also reaches the output through the adapter, which adds s · dY B A.',
    hint: 'dx = dY W + s · (dY B) A: W is frozen, but gradient still flows through it to x, and through the adapter too.',
  },
  'dx-adapter-only': {
    message: 'dx has only the adapter path: freezing W stops W\'s own gradient, not the gradient flowing through W to x. dx = dY W + s · dY B A.',
    hint: 'Freezing means "do not update W", not "cut the graph": earlier layers still need dY W.',
  },
  'grads-transposed': {
    message: 'A gradient has the transposed shape: dA must have A\'s shape (r, in) and dB must have B\'s shape (out, r), so the optimizer can subtract them.',
    hint: 'dA = s · (dY B)ᵀ x is (r, N) @ (N, in); dB = s · dYᵀ (x Aᵀ) is (out, N) @ (N, r).',
  },
  'merge-transposed': {
    message: 'The merge added (B A)ᵀ = Aᵀ Bᵀ: W is (out, in) and so is B A, with no transpose. (Aᵀ Bᵀ only fits because this W is square.)',
    hint: 'W\' = W + (alpha / r) · matmul(B, A): (out, r) @ (r, in) = (out, in).',
  },
  'merge-no-scale': {
    message: 'The merge added B A without the factor alpha / r, so the merged layer computes something else than the LoRA layer.',
    hint: 'W\' = W + (alpha / r) · B A, the same scale as in forward.',
  },
  'merge-inverted-scale': {
    message: 'The merge scaled B A by r / alpha instead of alpha / r.',
    hint: 'W\' = W + (alpha / r) · B A.',
  },
  'merge-in-place': {
    message: 'merge changed W itself: the frozen base weight must stay as it was (other adapters share it, and unmerging needs it). Return a new tensor.',
    hint: 'add(W, mul(matmul(B, A), alpha / r)) returns a new tensor; do not write into W.data.',
  },
  'unmerge-adds': {
    message: 'unmerge added the update again instead of taking it away: W\' + s B A is W + 2 s B A, not W.',
    hint: 'unmerge(W\') = W\' - (alpha / r) · B A.',
  },
  'unmerge-noop': {
    message: 'unmerge did not restore W: it returned the merged weight unchanged.',
    hint: 'Subtract the same update merge added: W\' - (alpha / r) · B A.',
  },
};
