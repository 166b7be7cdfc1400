/**
 * MODEL_CARD.md for the shipped model, after Mitchell et al., "Model Cards for Model Reporting"
 * (2019): what the model is, what it was trained on and under which licence, how well it does
 * against a simple baseline, what it costs to reproduce, and what it is not for.
 */
import type { BigramResult } from './bigram';
import { type TrainLog, formatDuration, perplexity } from './train-log';

export interface Sample {
  prompt: string;
  /** The continuation only (the prompt is not repeated). */
  text: string;
  /** Set for temperature samples; greedy ones need no seed. */
  seed?: number;
}

export interface CardInput {
  log: TrainLog;
  fileBytes: number;
  /** SHA-256 of the .onnx file (hex): the runner checks the file against it before using it. */
  fileSha256: string;
  bigram: BigramResult;
  greedy: Sample[];
  sampled: Sample[];
  temperature: number;
}

const f4 = (x: number): string => x.toFixed(4);
const f2 = (x: number): string => x.toFixed(2);
const thousands = (n: number): string => Math.round(n).toLocaleString('en');
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A sample as a fenced block; the prompt is marked off so the reader sees where the model starts. */
function sampleBlock(s: Sample): string {
  const fence = '`'.repeat(Math.max(3, ...[...(s.prompt + s.text).matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return `${fence}text\n[${s.prompt}]${s.text}\n${fence}`;
}

export function modelCard({ log, fileBytes, fileSha256, bigram, greedy, sampled, temperature }: CardInput): string {
  const { config: c, hyper: h, data: d, timing: t, final } = log;
  const tokens = h.steps * h.batchSize * h.seqLen;
  const improvement = 1 - final.valLoss / bigram.valLoss;
  const lastEval = log.evals[log.evals.length - 1];
  return `# ${log.name}: a character-level GPT trained on Moby-Dick

The small language model that ships with LLM Lab (\`media/model/${'moby-gpt.onnx'}\`). Lessons run it
with onnxruntime-node to show what a trained transformer does (attention patterns, the residual
stream, next-character probabilities) and compare learners' code against it. It is the course's
own tensor kit's \`GPT\` (\`src/kit/gpt.ts\`), trained by \`src/model/train/train.ts\` and exported by
\`exportGptToOnnx\`; the kit and the ONNX file agree on every output to 1e-4
(\`test/unit/model/bundled.test.ts\`).

## Model

| | |
|---|---|
| Architecture | GPT-2 style decoder, written the way nanoGPT writes it: pre-LayerNorm blocks, causal multi-head self-attention, MLP with GPT-2's tanh-approximated GELU (Hugging Face's gelu_new; nanoGPT itself uses the exact erf form, nn.GELU()), learned position embeddings, LM head tied to the token embedding, biases everywhere, LayerNorm eps 1e-5 |
| Layers / heads / width | ${plural(c.nLayer, 'layer')}, ${plural(c.nHead, 'head')} of ${c.nEmbd / c.nHead} channels, d_model ${c.nEmbd}, MLP ${4 * c.nEmbd} |
| Context | ${c.blockSize} characters |
| Vocabulary | ${c.vocabSize} characters (every distinct character of the text, sorted; token id = index) |
| Parameters | ${thousands(log.parameters)}, stored in the file as float16 (half the download) and cast to float32 in the graph; the final losses and the samples below are measured with these float16-rounded weights |
| File | \`moby-gpt.onnx\`, ${thousands(fileBytes)} bytes (${(fileBytes / 1024 / 1024).toFixed(2)} MiB), ONNX opset 17; outputs logits, embeddings, attn_probs_i, attn_out_i, block_out_i |
| File SHA-256 | \`${fileSha256}\` (checked every time the model is loaded) |

## Results

Cross-entropy in nats per character (lower is better); perplexity = e^loss, the number of equally
likely characters the model is, on average, hesitating between.

| | loss (nats/char) | perplexity | bits/char |
|---|---|---|---|
| **GPT, validation** (all ${thousands(final.valChars)} held-out characters, consecutive ${h.seqLen}-character windows) | **${f4(final.valLoss)}** | **${f2(perplexity(final.valLoss))}** | ${f2(final.valLoss / Math.LN2)} |
| GPT, train (${thousands(final.trainChars)} characters of random training windows) | ${f4(final.trainLoss)} | ${f2(perplexity(final.trainLoss))} | ${f2(final.trainLoss / Math.LN2)} |
| Bigram baseline, validation (add-k smoothing, k = ${bigram.k} chosen on held-out training text) | ${f4(bigram.valLoss)} | ${f2(perplexity(bigram.valLoss))} | ${f2(bigram.valLoss / Math.LN2)} |
| Bigram baseline, validation (add-one smoothing) | ${f4(bigram.valLossAddOne)} | ${f2(perplexity(bigram.valLossAddOne))} | ${f2(bigram.valLossAddOne / Math.LN2)} |
| Uniform guess over the vocabulary | ${f4(Math.log(c.vocabSize))} | ${c.vocabSize} | ${f2(Math.log2(c.vocabSize))} |

${improvement > 0
    ? `The GPT's validation loss is ${(improvement * 100).toFixed(1)}% below the bigram model's: what it gains by
reading up to ${c.blockSize} characters back instead of one.`
    : `**The GPT does not beat the bigram baseline**: this run is not fit to ship (train longer, or check the recipe).`} On the fixed evaluation batches used
during training, the last estimate (step ${lastEval.step}) was train ${f4(lastEval.train)}, validation ${f4(lastEval.val)}.

![Training and validation loss](loss-curve.png)

The curve's data is in \`train-log.json\` (loss, learning rate and gradient norm of every step;
the periodic estimates; settings and timings).

## Samples

Greedy decoding (always the most likely next character), 200 characters after the bracketed
prompt, through onnxruntime exactly as the extension runs it. Greedy text from a small model
soon repeats itself: that is a property of greedy decoding, not a bug.

${greedy.map(sampleBlock).join('\n\n')}

Sampled at temperature ${temperature} with the kit's \`GPT.generate\` and a seeded \`Rng\` (seeds shown), 200 characters:

${sampled.map((s) => `Seed ${s.seed}:\n\n${sampleBlock(s)}`).join('\n\n')}

## Training data

- **Text:** ${d.textStatus}. Taken from the npm package \`${d.source}\` version ${d.packageVersion}
  (a devDependency of LLM Lab), licence: ${d.packageLicense}.
- **Normalisation:** ${d.normalisation}.
- **Size:** ${thousands(d.chars)} characters; SHA-256 of the exact training text (UTF-8):
  \`${d.sha256}\`.
- **Split:** the first 90% (${thousands(d.trainChars)} characters) for training, the last 10%
  (${thousands(d.valChars)} characters, the end of the book) held out for validation; it is never
  trained on.
- **Vocabulary:** \`${JSON.stringify(d.vocab.join(''))}\`

## Training

| | |
|---|---|
| Optimizer | AdamW, betas (${h.betas.join(', ')}), eps ${h.eps}, weight decay ${h.weightDecay} on 2-D weights (matmul weights and embeddings), none on biases and LayerNorm |
| Learning rate | linear warmup over ${h.warmupSteps} steps to ${h.maxLr}, cosine decay to ${h.minLr} at step ${h.steps} |
| Gradient clipping | global L2 norm ${h.gradClip} |
| Batch | ${h.batchSize} random windows x ${h.seqLen} characters = ${thousands(h.batchSize * h.seqLen)} tokens per step |
| Steps | ${thousands(h.steps)} (${thousands(tokens)} tokens, ${(tokens / d.trainChars).toFixed(2)} passes over the training text) |
| Initialisation | nanoGPT's: N(0, 0.02), residual projections N(0, 0.02 / sqrt(2 x ${c.nLayer})), biases 0, LayerNorm weight 1 |
| Regularisation | none besides weight decay (no dropout) |
| Evaluation | every ${h.evalEvery} steps on ${h.evalBatches} fixed batches from each split |
| Seed | ${h.seed} (weights; batches use seed + 1, evaluation windows seed + 2) |

**Cost:** ${formatDuration(t.wallSeconds)} wall time (${formatDuration(t.trainSeconds)} of training steps,
${formatDuration(t.evalSeconds)} of periodic evaluation), ${thousands(t.tokensPerSecond)} training tokens per second, on
${log.hardware.cores} CPU cores (${log.hardware.cpu}), Node ${log.hardware.node}, pure TypeScript with the kit's
WebAssembly SIMD matmul on ${log.hardware.matmulThreads} thread(s). No GPU. Run started ${t.startedAt}.

## Reproducing

\`\`\`sh
npm ci
npm run train:model            # writes media/model/{moby-gpt.onnx, train-log.json, MODEL_CARD.md}
npm run curve:model            # draws media/model/loss-curve.png from train-log.json (uPlot, headless Chromium)
npm run train:model -- --tiny  # a 1-layer model in seconds, written to a temp folder, to try changes
npm run train:model -- --report-only   # redraw this card from the model and the log
\`\`\`

Every random choice comes from the seed, so the same code, Node version and CPU give the same
weights bit for bit (the matmul kernel splits work between threads by whole rows, so the thread
count does not change the results). Another CPU or Node version may round \`Math.exp\`/\`Math.tanh\`
differently and drift in the last digits.

## Intended use and limits

For teaching only: looking inside a working transformer, and checking learners' implementations
against it. It writes pseudo-Melville one character at a time, with plausible words and punctuation
and little meaning; it knows nothing outside this one novel, and its text inherits the novel's
1851 language and attitudes. It is not suitable for generating text for any other purpose.
`;
}
