/**
 * The clip lesson's mistake cases and library variants (see test/unit/catalogue.ts). Each case puts one catalogued bug
 * into lessons/15d-clip/clip.solution.ts; the quick check that names it must fail with the catalogue's message, in
 * English and in Chinese.
 */
import { type LibraryVariant, type MistakeCase, mistakeCases } from '../catalogue';
import { CLIP_MISTAKES } from '../../../lessons/15d-clip/mistakes';

const EX = 'clip/clip';
const LOGITS = 'clipLogits: seeded embeddings';
const LOSS = 'clipLoss: value and gradients';
const STEP = 'trainStep: the loss returned';

const LOGITS_LINE = 'return mul(matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1)), exp(logitScale));';
const MEAN_LINE = 'return mul(add(imageToText, textToImage), 0.5);';
const LABELS_LINE = 'const labels = Array.from({ length: N }, (_, i) => i);';
const CLAMP_LINE = 't[0] = Math.min(Math.log(100), Math.max(0, t[0]));';

export const CASES: MistakeCase[] = mistakeCases(CLIP_MISTAKES, EX, [
  { key: 'one-direction', check: LOSS, name: 'image -> text only', edits: [[MEAN_LINE, 'return imageToText;']] },
  { key: 'one-direction', check: LOSS, name: 'text -> image only', edits: [[MEAN_LINE, 'return textToImage;']] },
  { key: 'no-normalize', check: LOGITS, name: 'raw dot products in clipLogits', edits: [[LOGITS_LINE, 'return mul(matmul(imageEmb, transpose(textEmb, 0, 1)), exp(logitScale));']] },
  { key: 'no-normalize', check: LOSS, name: 'the loss on raw dot products', edits: [[LOGITS_LINE, 'return mul(matmul(imageEmb, transpose(textEmb, 0, 1)), exp(logitScale));']] },
  { key: 'no-normalize', check: LOGITS, name: 'only the images normalised', edits: [[LOGITS_LINE, 'return mul(matmul(l2Normalize(imageEmb), transpose(textEmb, 0, 1)), exp(logitScale));']] },
  { key: 'divide-scale', check: LOGITS, edits: [[LOGITS_LINE, 'return div(matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1)), exp(logitScale));']] },
  { key: 'divide-scale', check: LOSS, name: 'in the loss', edits: [[LOGITS_LINE, 'return div(matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1)), exp(logitScale));']] },
  { key: 'scale-not-exp', check: LOGITS, edits: [[LOGITS_LINE, 'return mul(matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1)), logitScale);']] },
  { key: 'labels-not-diagonal', check: LOSS, edits: [[LABELS_LINE, 'const labels = Array.from({ length: N }, (_, i) => N - 1 - i);']] },
  { key: 'labels-not-diagonal', check: LOSS, name: 'all labels 0', edits: [[LABELS_LINE, 'const labels = Array.from({ length: N }, () => 0);']] },
  { key: 'sum-not-mean', check: LOSS, name: 'the two directions added', edits: [[MEAN_LINE, 'return add(imageToText, textToImage);']] },
  { key: 'sum-not-mean', check: LOSS, name: 'summed over the batch', edits: [[MEAN_LINE, 'return mul(add(imageToText, textToImage), 0.5 * N);']] },
  { key: 'scale-not-learned', check: LOSS, edits: [[LOGITS_LINE, 'return mul(matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1)), Math.exp(logitScale.data[0]));']] },
  { key: 'scale-not-learned', check: STEP, name: 'in the training step', edits: [[LOGITS_LINE, 'return mul(matmul(l2Normalize(imageEmb), transpose(l2Normalize(textEmb), 0, 1)), Math.exp(logitScale.data[0]));']] },
  { key: 'no-clamp', check: STEP, edits: [[CLAMP_LINE, '']] },
  { key: 'no-clamp', check: STEP, name: 'no lower bound', edits: [[CLAMP_LINE, 't[0] = Math.min(Math.log(100), t[0]);']] },
  { key: 'hf-logits-per-text', check: LOGITS, edits: [[LOGITS_LINE, 'return mul(matmul(l2Normalize(textEmb), transpose(l2Normalize(imageEmb), 0, 1)), exp(logitScale));']] },
]);

export const VARIANTS: LibraryVariant[] = [
  { library: 'Hugging Face', name: "logits_per_text (texts in the rows), as CLIPModel computes first", exercise: EX, check: LOGITS,
    edits: [[LOGITS_LINE, 'return mul(matmul(l2Normalize(textEmb), transpose(l2Normalize(imageEmb), 0, 1)), exp(logitScale));']] },
  { library: 'Hugging Face', name: "clip_loss's order: the caption term first, then the image term", exercise: EX, check: LOSS,
    edits: [[MEAN_LINE, 'return mul(add(textToImage, imageToText), 0.5);']] },
  { library: 'PyTorch', name: 'an epsilon in the norm, like F.normalize', exercise: EX, check: LOSS,
    edits: [['return div(x, sqrt(sum(mul(x, x), -1, true)));', 'return div(x, add(sqrt(sum(mul(x, x), -1, true)), 1e-12));']] },
];
