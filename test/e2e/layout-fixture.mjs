// A check result that holds every artifact kind the results panel draws, at the sizes the lessons produce them,
// for the layout suite (layout.mjs): bars (parameter counts six orders apart, probabilities, signed rewards), one
// small and one large heatmap, every layer and head of a 4 x 4 model, a 31 x 31 expected/actual pair whose first
// difference lies far from the corner, a wide and long table, curves, generated text that must match and text that is
// meant to differ (LoRA before/after, in a passing check), a long log line, and one mistake repeated on six checks.
// Deterministic: the same numbers every run, so the geometry assertions are exact.

/** A small deterministic generator (mulberry32). */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Causal attention weights over n tokens: each row a probability distribution over the keys up to it. */
function attention(n, rand) {
  return Array.from({ length: n }, (_, i) => {
    const w = Array.from({ length: n }, (_, j) => (j <= i ? Math.exp(3 * rand()) : 0));
    const s = w.reduce((p, v) => p + v, 0);
    return w.map((v) => v / s);
  });
}

const TEXT = 'Call me Ishmael. Some years ago--never mind how long precisely--having little or no money in my purse';
const chars = (n, from = 0) => [...TEXT.slice(from, from + n)];

/** The bars the suite measures: for each bars artifact title, its values in order. */
export const BARS = {
  'Parameters: all of the model, and the ones LoRA trains': { labels: ['total (frozen)', 'trainable (A and B)'], values: [821120, 73728] },
  'Next character after "Call me Ishmael"': {
    labels: ['.', ',', ' ', 'e', ';', 'a', '!', '—', 's', 'i'],
    values: [0.4127, 0.2034, 0.1311, 0.0822, 0.0533, 0.0401, 0.0302, 0.0201, 0.0104, 0.0031],
  },
  'Reward of each sample': { labels: ['sample 1', 'sample 2', 'sample 3', 'sample 4'], values: [1.25, -0.75, 0.3, -1.9] },
};

export const REPEATED = {
  message: "not implemented yet: softmax still calls TODO('softmax')",
  hint: 'Subtract the largest value of each slice before exp, so exp never sees a huge number.',
  count: 6,
};

/** Where the 31 x 31 pair first differs (far from the top-left corner a small table would show). */
export const FIRST_DIFFERENCE = [17, 23];

/** The RunResult and its title, as the extension posts it to the results panel. */
export function layoutFixture(file) {
  const rand = random(20240613);
  const loc = (line) => ({ file, line, column: 3 });
  const check = (name, status, extra = {}) => ({
    id: name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, ''), name, status, durationMs: 3 + Math.round(rand() * 400), artifacts: [], ...extra,
  });
  const bars = (title) => ({ kind: 'bars', title, ...BARS[title] });

  // 31 x 31 scores around 1e-6 (numbers that print in exponent form), one cell off at FIRST_DIFFERENCE.
  const n = 31;
  const expected = Array.from({ length: n * n }, (_, i) => (i % 7 === 0 ? 0 : (rand() - 0.5) * 2e-5));
  const actual = expected.slice();
  const [fr, fc] = FIRST_DIFFERENCE;
  actual[fr * n + fc] = expected[fr * n + fc] + 8.525e-7;

  const steps = Array.from({ length: 60 }, (_, i) => i * 5);
  const loss = steps.map((s) => 2.9 * Math.exp(-s / 90) + 1.55 + 0.05 * rand());
  const val = steps.filter((_, i) => i % 6 === 0);
  const layers = 4, heads = 4, T = 32;
  const table = {
    kind: 'table', title: 'Loss per layer and step (nats per character)',
    columns: ['step', ...Array.from({ length: 11 }, (_, j) => `layer ${j}`)],
    rows: Array.from({ length: 40 }, (_, i) => [i * 25, ...Array.from({ length: 11 }, () => (rand() < 0.3 ? (rand() - 0.5) * 3e-7 : 1.5 + rand() * 2))]),
  };

  const checks = [
    check('LoRA trains a small fraction of the parameters', 'passed', {
      artifacts: [
        bars('Parameters: all of the model, and the ones LoRA trains'),
        { kind: 'curve', title: 'Training and validation loss', xLabel: 'step', yLabel: 'loss (nats per character)',
          series: [{ name: 'training', x: steps, y: loss }, { name: 'validation', x: val, y: val.map((s) => 2.9 * Math.exp(-s / 90) + 1.6) }] },
        { kind: 'generation', title: 'Greedy continuations, before and after fine-tuning', prompt: 'The state of the ',
          expected: { label: 'before: the pretrained model', text: 'whale was a sea of the sea, and the sea was the' },
          actual: { label: 'after: with your LoRA adapters', text: 'Union is strong, and the people of the nation h' } },
      ],
    }),
    check('the next-character distribution is a probability distribution', 'passed', { artifacts: [bars('Next character after "Call me Ishmael"')] }),
    check('rewards of the samples', 'passed', { artifacts: [bars('Reward of each sample')] }),
    check('the bundled model: your attention reproduces every layer and head', 'passed', {
      artifacts: [{
        kind: 'heatmaps', title: 'Attention of every layer and head', rows: chars(T), columns: chars(T), rowTitle: 'query', columnTitle: 'key',
        axes: ['layer', 'head'], maps: Array.from({ length: layers * heads }, (_, k) => ({ at: [Math.floor(k / heads), k % heads], values: attention(T, rand) })),
      }],
    }),
    check('a worked example: 8 tokens', 'failed', {
      message: 'The scores are not scaled by 1/√d: every row is too peaked.', hint: 'Divide q·kᵀ by Math.sqrt(d) before the softmax.',
      expected: { kind: 'tensor', shape: [8, 8], data: attention(8, rand).flat() }, actual: { kind: 'tensor', shape: [8, 8], data: attention(8, rand).flat() },
      firstDifference: { index: [1, 0], expected: 0.5, actual: 0.7 }, location: loc(12),
      artifacts: [{ kind: 'heatmap', title: 'Your attention weights', rows: chars(8), columns: chars(8), values: attention(8, rand) }],
    }),
    check('attention over a long context (96 tokens)', 'failed', {
      message: 'Position 40 attends to a later position: the causal mask is missing.', location: loc(20),
      artifacts: [{ kind: 'heatmap', title: 'Attention over 96 tokens', rows: chars(96), columns: chars(96), values: attention(96, rand) }],
    }),
    check('scores of 31 tokens equal the float64 reference', 'failed', {
      message: 'The scores differ from the reference at [17, 23] by 8.525e-7, more than the tolerance 1e-9.', location: loc(30),
      expected: { kind: 'tensor', shape: [n, n], data: expected }, actual: { kind: 'tensor', shape: [n, n], data: actual },
      firstDifference: { index: FIRST_DIFFERENCE, expected: expected[fr * n + fc], actual: actual[fr * n + fc] },
    }),
    check('the loss table', 'passed', { artifacts: [table] }),
    check('50 greedy characters from your model equal onnxruntime\'s', 'failed', {
      message: 'Your model\'s text parts ways with onnxruntime\'s at character 12.', location: loc(44),
      artifacts: [{ kind: 'generation', title: 'Greedy decoding after "Call me", 50 characters', prompt: 'Call me',
        expected: { label: 'onnxruntime', text: ' Ishmael. Some years ago--never mind how long prec' },
        actual: { label: 'your model', text: ' Ishmael. Sothe the the the the the the the the th' } }],
    }),
    check('the tokenizer round-trips a long line', 'passed', {
      artifacts: [{ kind: 'text', title: 'Tokens of the first line', text: Array.from({ length: 60 }, (_, i) => `${i}:${TEXT.charCodeAt(i)}`).join(' ') }],
    }),
    ...Array.from({ length: REPEATED.count }, (_, i) => check(`softmax case ${i + 1}: ${['rows sum to one', 'a huge logit', 'all equal', '-1e9 mask', 'one element', 'a batch of 3'][i]}`, 'failed', {
      task: 'softmax', message: REPEATED.message, hint: REPEATED.hint, location: loc(60),
    })),
    check('matmul of a (2, 3) and a (3, 2) tensor', 'error', {
      message: 'matmul() threw TypeError: Cannot read properties of undefined (reading \'length\')', location: loc(80),
      stack: `TypeError: Cannot read properties of undefined (reading 'length')\n    at matmul (${file}:80:21)\n    at check (${file}:1:1)`,
    }),
  ];
  const result = {
    exerciseId: 'layout/every-artifact', file, status: 'failed', checks, logs: ['a log line', 'x'.repeat(300)], durationMs: 4321,
  };
  return { title: 'Every artifact kind', result };
}
