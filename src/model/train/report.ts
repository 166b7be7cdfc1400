/**
 * After training: everything a reader of the model needs to judge it, computed from the two files
 * the run wrote (the .onnx model and train-log.json), so it can be redone with --report-only.
 *
 *  - the bigram baseline on the same validation text (the GPT must beat it clearly);
 *  - sample continuations: greedy ones through onnxruntime (exactly what the extension will show)
 *    and seeded temperature-0.8 samples through the kit's GPT loaded with the same weights;
 *  - MODEL_CARD.md, which shows loss-curve.png: that picture is drawn separately, in headless
 *    Chromium, by `npm run curve:model` (curve.ts).
 */
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GPT, Rng } from '../../kit';
import { loadModel } from '../index';
import { fitBigram } from './bigram';
import { buildCorpus } from './data';
import { type Sample, modelCard } from './model-card';
import { FULL } from './recipe';
import { CARD_FILE, CURVE_FILE, LOG_FILE, MODEL_FILE, type TrainLog } from './train-log';

/** Prompts for the samples in the model card: the novel's first words and two of its subjects. */
export const GREEDY_PROMPTS = ['Call me Ishmael', 'The whale', 'Captain Ahab'];
export const SAMPLE_PROMPTS = ['Call me Ishmael', 'The sea'];
export const SAMPLE_TEMPERATURE = 0.8;
export const SAMPLE_LENGTH = 200;

export async function writeReport(out: string, givenLog?: TrainLog): Promise<void> {
  const log: TrainLog = givenLog ?? JSON.parse(await readFile(join(out, LOG_FILE), 'utf8'));
  const corpus = buildCorpus();
  if (corpus.sha256 !== log.data.sha256) {
    throw new Error(`the training text changed since this model was trained (sha256 ${corpus.sha256}, the log says ${log.data.sha256})`);
  }

  const modelPath = join(out, MODEL_FILE);
  const fileBytes = (await stat(modelPath)).size;
  const fileSha256 = createHash('sha256').update(await readFile(modelPath)).digest('hex');
  const model = await loadModel(modelPath);
  try {
    const bigram = fitBigram(corpus.train, corpus.val, corpus.vocab.length);
    console.log(`bigram baseline: val ${bigram.valLoss.toFixed(4)} nats/char (add-k, k = ${bigram.k}); add-one ${bigram.valLossAddOne.toFixed(4)}`);

    const greedy: Sample[] = [];
    for (const prompt of GREEDY_PROMPTS) {
      const ids = await model.greedy(model.tokenizer.encode(prompt), SAMPLE_LENGTH);
      greedy.push({ prompt, text: model.tokenizer.decode(ids.subarray([...prompt].length)) });
    }

    const gpt = new GPT(model.config);
    gpt.loadState(new Map([...model.weights()].map(([name, t]) => [name, t.data])));
    const sampled: Sample[] = SAMPLE_PROMPTS.map((prompt, i) => {
      const seed = log.hyper.seed + 100 + i;
      const ids = gpt.generate(model.tokenizer.encode(prompt), SAMPLE_LENGTH, { temperature: SAMPLE_TEMPERATURE, rng: new Rng(seed) });
      return { prompt, text: model.tokenizer.decode(ids.subarray([...prompt].length)), seed };
    });
    for (const s of [...greedy, ...sampled]) console.log(`--- ${JSON.stringify(s.prompt)}${s.seed === undefined ? ' (greedy)' : ` (T=${SAMPLE_TEMPERATURE}, seed ${s.seed})`}\n${s.prompt}${s.text}`);

    await writeFile(join(out, CARD_FILE), modelCard({ log, fileBytes, fileSha256, bigram, greedy, sampled, temperature: SAMPLE_TEMPERATURE }));
    console.log(`wrote ${join(out, CARD_FILE)}`);
    const outFlag = out === FULL.out ? '' : ` -- --out ${JSON.stringify(out)}`;
    console.log(`the card shows ${CURVE_FILE}: draw it with \`npm run curve:model${outFlag}\` (uPlot in headless Chromium)`);
    const verdict = log.final.valLoss < bigram.valLoss ? 'beats' : 'DOES NOT BEAT';
    console.log(`validation loss: GPT ${log.final.valLoss.toFixed(4)} ${verdict} the bigram baseline ${bigram.valLoss.toFixed(4)} (nats/char)`);
  } finally {
    await model.dispose();
  }
}
