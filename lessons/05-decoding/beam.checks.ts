/**
 * Checks for the decoding lesson, exercise 2 (decoding/beam): beam search.
 *
 * The "models" here are mostly tiny and fixed: a transition table P(next | last token), so every score
 * can be worked out by hand. Expected beams come from hand calculation, from brute force over every
 * sequence, or from a separate float64 implementation below; then, on the bundled model, beam search
 * with width 1 must walk exactly the greedy path.
 * When the learner's beams are wrong, `diagnose` looks for the classic mistakes by name (the lesson's
 * catalogue, mistakes.ts): products of probabilities instead of sums of logs, beams that share one tokens
 * array, beams that never compete; and Hugging Face's length-normalised score, named as its convention.
 * Underflow is named only where the true product of the beam's probabilities is below the smallest double.
 * The tables hand out a fresh copy of their rows, so code that rewrites what `next` returns cannot change
 * the numbers the checks score with.
 *
 * Which check names which catalogued mistake (BEAM_MISTAKES; (c) = another library's convention). Every check
 * compares the beams through diagnose(), which names:
 *
 *   catalogued mistake            where it can be named
 *   product-of-probabilities      every check
 *   sum-of-probabilities          every check
 *   length-normalised (c)         every check with steps > 1 (the catalogue's cases: width 2 finds S-B-A, 500 steps)
 *   underflow                     scores are summed log-probabilities: 500 steps ... (the only case whose true
 *                                 product is below the smallest double)
 *   shared-tokens                 every check with width >= 2 (width 2 finds S-B-A, beams stay separate, ...)
 *   own-best                      every check with width >= 2 and steps >= 2
 *   worst-first                   every check with width >= 2
 *
 * Not catalogued, told in plain words: a kept token of probability 0 and width < 1 not refused (a token of
 * probability 0 never makes a beam ...), a changed prompt (beams stay separate ...), beams of the wrong length or
 * count, a score that does not belong to its tokens, a search that leaves the greedy path (the bundled model).
 */
import { type Mistake, type Text, defineChecks, expectEqual, expectThrows, expectTrue, fail, mistake, t } from '@llm-lab/check';
import { PROMPT, lessonModel, logitsOf, shown, withDetails } from '@llm-lab/course/decoding';
import { mulberry32 } from '@llm-lab/model';
import { BEAM_MISTAKES as BEAM } from './mistakes';

type Learner = typeof import('./beam');

interface RefBeam {
  tokens: number[];
  logProb: number;
}

/** A bigram "model": the next token's probabilities depend on the last token only. */
type Table = readonly (readonly number[])[];

/**
 * A fresh copy of the row at every call, so that code which rewrites the array it is given (logs in place, say)
 * cannot change the table the checks score with. A token the table does not have gives undefined.
 */
const fromTable = (table: Table) => (tokens: readonly number[]) => table[tokens[tokens.length - 1]]?.slice() as ArrayLike<number>;

// ---------------------------------------------------------------------------------------------------------
// Independent references

type Variant = 'correct' | 'own-best';

/** Beam search in float64. 'own-best': after the first step every beam only follows its own most likely token. */
function beamSearch64(next: (t: readonly number[]) => ArrayLike<number>, prompt: readonly number[], steps: number, width: number, variant: Variant = 'correct'): RefBeam[] {
  let beams: RefBeam[] = [{ tokens: [...prompt], logProb: 0 }];
  for (let s = 0; s < steps; s++) {
    const candidates: RefBeam[] = [];
    for (const b of beams) {
      const p = next(b.tokens);
      const options = Array.from({ length: p.length }, (_, t) => t).filter((t) => p[t] > 0);
      const chosen = variant === 'own-best' && s > 0 ? [options.reduce((best, t) => (p[t] > p[best] ? t : best), options[0])] : options;
      for (const t of chosen) candidates.push({ tokens: [...b.tokens, t], logProb: b.logProb + Math.log(p[t]) });
    }
    candidates.sort((a, b) => b.logProb - a.logProb);
    beams = candidates.slice(0, width);
  }
  return beams;
}

/** Every sequence of `steps` tokens after the prompt, scored exactly: the answer when the beam is wide enough. */
function bruteForce(next: (t: readonly number[]) => ArrayLike<number>, prompt: readonly number[], steps: number): RefBeam[] {
  let all: RefBeam[] = [{ tokens: [...prompt], logProb: 0 }];
  for (let s = 0; s < steps; s++) {
    all = all.flatMap((b) => Array.from(next(b.tokens), (p, t) => ({ tokens: [...b.tokens, t], logProb: b.logProb + Math.log(p) })));
  }
  return all.sort((a, b) => b.logProb - a.logProb);
}

/** log-probability, product and sum of the probabilities of the generated part of `tokens`. */
function scoresOf(next: (t: readonly number[]) => ArrayLike<number>, tokens: readonly number[], promptLength: number) {
  let logProb = 0;
  let product = 1;
  let sum = 0;
  for (let i = promptLength; i < tokens.length; i++) {
    const p = Number(next(tokens.slice(0, i))[tokens[i]]);
    logProb += Math.log(p);
    product *= p;
    sum += p;
  }
  return { logProb, product, sum };
}

/** P(token | prefix) from the check's model; undefined when the model cannot say (an index out of range, a prefix it refuses). */
function probabilityOf(next: (t: readonly number[]) => ArrayLike<number>, prefix: readonly number[], token: number): number | undefined {
  try {
    const p = next(prefix)[token];
    return typeof p === 'number' ? p : undefined;
  } catch {
    return undefined;
  }
}

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
const fmtBeams = (beams: readonly RefBeam[], name: (t: number) => string) =>
  beams.map((b) => `${b.tokens.map(name).join('')} (${b.logProb.toFixed(4)})`).join(', ');

interface Case {
  what: string;
  next: (t: readonly number[]) => ArrayLike<number>;
  prompt: readonly number[];
  steps: number;
  width: number;
  name: (t: number) => string;
}

/** A catalogued mistake, with the details of this case after it (in both languages). */
function failWith(m: Mistake, details: Text): never {
  return fail(...mistake(withDetails(m, details)));
}

/**
 * Compares the learner's beams with the expected ones. On a mismatch, names the classic mistake it looks
 * like (in the catalogue's words) before falling back to "expected ..., got ...".
 */
function diagnose(got: unknown, expected: readonly RefBeam[], c: Case): void {
  const { what, next, prompt, steps, width, name } = c;
  if (!Array.isArray(got)) {
    const type = got === undefined ? 'undefined' : typeof got;
    fail(t(`${what} returned ${type}, expected an array of beams { tokens, logProb }`, `${what} 返回了 ${type}，应返回由束 { tokens, logProb } 组成的数组`),
      { hint: got === undefined ? t('Did you forget to `return` the beams?', '是不是忘了 `return` 这些束？') : undefined });
  }
  const beams = got as unknown[];
  for (const [i, b] of beams.entries()) {
    const ok = typeof b === 'object' && b !== null && Array.isArray((b as RefBeam).tokens) && typeof (b as RefBeam).logProb === 'number';
    if (!ok) fail(t(`${what}[${i}] is not a beam { tokens: number[], logProb: number }`, `${what}[${i}] 不是一条束 { tokens: number[], logProb: number }`));
  }
  const mine = beams as RefBeam[];
  // A token of probability 0 in a beam: a dead end that was kept (only visible when fewer than `width` live
  // candidates exist). Asked of the check's own model, never of the learner's code.
  for (const [i, b] of mine.entries()) {
    for (let j = prompt.length; j < b.tokens.length; j++) {
      if (probabilityOf(next, b.tokens.slice(0, j), b.tokens[j]) !== 0) continue;
      const seq = b.tokens.map(name).join('');
      fail(t(`${what}[${i}] is ${seq} (logProb ${b.logProb}), but its token ${name(b.tokens[j])} at position ${j} has probability 0 after ${b.tokens.slice(0, j).map(name).join('')}`,
        `${what}[${i}] 是 ${seq}（logProb ${b.logProb}），但它在位置 ${j} 的 token ${name(b.tokens[j])} 接在 ${b.tokens.slice(0, j).map(name).join('')} 之后的概率是 0`), {
        hint: t('A token of probability 0 can never be part of a beam (log 0 = -Infinity), even when fewer than `width` candidates are left: skip tokens with p[t] = 0, and return fewer beams if that is all there is.',
          '概率为 0 的 token 绝不能成为束的一部分（log 0 = -Infinity），即使剩下的候选不足 `width` 个也一样：跳过 p[t] = 0 的 token，候选不够时就返回更少的束。'),
      });
    }
  }
  if (mine.length !== expected.length) {
    const why = expected.length < width
      ? t(`only ${expected.length} continuations have a probability above 0; the width is ${width}`, `只有 ${expected.length} 个续写的概率大于 0；束宽是 ${width}`)
      : t('the width', '即束宽');
    fail(t(`${what} returned ${mine.length} beams, expected ${expected.length} (${why.en})`, `${what} 返回了 ${mine.length} 条束，应为 ${expected.length} 条（${why['zh-cn']}）`),
      { hint: t('After every step keep the best `width` candidates: candidates.slice(0, width) after sorting.', '每一步之后保留最好的 `width` 个候选：排序后取 candidates.slice(0, width)。') });
  }
  const length = prompt.length + steps;
  for (const [i, b] of mine.entries()) {
    if (mine.some((o, j) => j !== i && o.tokens === b.tokens)) {
      const j = mine.findIndex((o, k) => k !== i && o.tokens === b.tokens);
      failWith(BEAM['shared-tokens'], t(`(${what}: beams ${i} and ${j} are one array.)`, `（${what}：第 ${i} 条和第 ${j} 条束是同一个数组。）`));
    }
    if (b.tokens.length !== length) {
      fail(t(`${what}[${i}].tokens has ${b.tokens.length} tokens, expected ${length} (the ${prompt.length}-token prompt plus ${steps} new ones)`,
        `${what}[${i}].tokens 有 ${b.tokens.length} 个 token，应为 ${length} 个（${prompt.length} 个 token 的提示加上 ${steps} 个新 token）`), {
        hint: b.tokens.length > length
          ? t('Extra tokens usually mean the candidates of one beam share one array: pushing token t onto beam.tokens adds it for every candidate. Copy instead: [...beam.tokens, t].',
            '多出来的 token 通常说明同一条束的候选共用了一个数组：把 token t push 到 beam.tokens 上，会让每个候选都多出它。应当复制：[...beam.tokens, t]。')
          : t('Return the whole sequence: the prompt, then one new token per step.', '返回完整的序列：先是提示，然后每步一个新 token。'),
      });
    }
    if (prompt.some((tok, j) => b.tokens[j] !== tok)) {
      fail(t(`${what}[${i}].tokens does not start with the prompt [${prompt.join(', ')}]`, `${what}[${i}].tokens 不是以提示 [${prompt.join(', ')}] 开头的`),
        { hint: t('Start from one beam holding a copy of the prompt, with logProb 0.', '从一条束开始：它持有提示的一份拷贝，logProb 为 0。') });
    }
  }
  for (const [i, b] of mine.entries()) {
    const s = scoresOf(next, b.tokens, prompt.length);
    if (close(b.logProb, s.logProb)) continue;
    if (close(b.logProb, s.product, 1e-6)) {
      failWith(BEAM['product-of-probabilities'], t(`(${what}[${i}].logProb is ${b.logProb}; its summed log-probability is ${s.logProb}.)`,
        `（${what}[${i}].logProb 是 ${b.logProb}；它的对数概率之和是 ${s.logProb}。）`));
    }
    if (close(b.logProb, s.sum, 1e-6)) {
      failWith(BEAM['sum-of-probabilities'], t(`(${what}[${i}].logProb is ${b.logProb}; the sum of the logarithms is ${s.logProb}.)`,
        `（${what}[${i}].logProb 是 ${b.logProb}；对数之和是 ${s.logProb}。）`));
    }
    // Hugging Face's final beam score: the sum divided by the length (length_penalty 1.0), new tokens only or the whole sequence.
    if (steps > 0 && (close(b.logProb, s.logProb / steps) || close(b.logProb, s.logProb / b.tokens.length))) {
      failWith(BEAM['length-normalised'], t(`(${what}[${i}].logProb is ${b.logProb}; its summed log-probability is ${s.logProb}.)`,
        `（${what}[${i}].logProb 是 ${b.logProb}；它的对数概率之和是 ${s.logProb}。）`));
    }
    // Underflow only where it can happen: the true probability of these tokens is below the smallest double.
    if ((b.logProb === 0 || b.logProb === -Infinity) && Math.exp(s.logProb) === 0) {
      failWith(BEAM.underflow, t(`(${what}[${i}].logProb is ${b.logProb} after ${steps} steps.)`, `（${steps} 步之后 ${what}[${i}].logProb 是 ${b.logProb}。）`));
    }
    const seq = b.tokens.map(name).join('');
    fail(t(`${what}[${i}] is ${seq} with logProb ${b.logProb}, but those tokens have log-probability ${s.logProb}`,
      `${what}[${i}] 是 ${seq}，logProb 为 ${b.logProb}，但这些 token 的对数概率是 ${s.logProb}`), {
      hint: t('A beam\'s score must belong to its own tokens: logProb = parent.logProb + Math.log(p[t]) for the token t you appended.',
        '一条束的分数必须属于它自己的 token：对你追加的 token t，logProb = parent.logProb + Math.log(p[t])。'),
    });
  }
  for (let i = 1; i < mine.length; i++) {
    if (mine[i].logProb > mine[i - 1].logProb) {
      failWith(BEAM['worst-first'], t(`(${what}: beam ${i} (logProb ${mine[i].logProb}) scores higher than beam ${i - 1} (${mine[i - 1].logProb}).)`,
        `（${what}：第 ${i} 条束（logProb ${mine[i].logProb}）的分数高于第 ${i - 1} 条（${mine[i - 1].logProb}）。）`));
    }
  }
  const seqs = (bs: readonly RefBeam[]) => JSON.stringify(bs.map((b) => b.tokens));
  if (seqs(mine) !== seqs(expected)) {
    const ownBest = beamSearch64(next, prompt, steps, width, 'own-best');
    const shown = fmtBeams(mine, name);
    if (seqs(mine) === seqs(ownBest)) {
      failWith(BEAM['own-best'], t(`(${what} returned ${shown}: ${width} separate greedy searches.)`, `（${what} 返回了 ${shown}：${width} 次各自独立的贪心搜索。）`));
    }
    const want = fmtBeams(expected, name);
    fail(t(`${what} returned ${shown}, expected ${want}`, `${what} 返回了 ${shown}，应为 ${want}`), {
      hint: t('At each step: extend every beam by every token, score each candidate by parent.logProb + Math.log(p), sort all candidates together, keep the best `width`.',
        '每一步：把每条束用每个 token 各扩展一次，用 parent.logProb + Math.log(p) 给每个候选打分，把所有候选放在一起排序，保留最好的 `width` 个。'),
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// The hand-worked model: tokens S (start), A, B, C.

const NAMES = ['S', 'A', 'B', 'C'];
const letter = (t: number) => NAMES[t] ?? `#${t}`;
const HAND: Table = [
  /* after S */ [0, 0.5, 0.4, 0.1],
  /* after A */ [0, 0.34, 0.33, 0.33],
  /* after B */ [0, 0.5, 0.45, 0.05],
  /* after C */ [0, 0.2, 0.4, 0.4],
];

/** Seeded random transition table with every probability in a narrow band around 1/V (no zeros, no near-ties). */
function randomTable(V: number, seed: number): number[][] {
  const random = mulberry32(seed);
  return Array.from({ length: V }, () => {
    const w = Array.from({ length: V }, () => 0.5 + random());
    const s = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / s);
  });
}

export default defineChecks<Learner>({
  exports: ['beamSearch'],
  checks: [
    {
      name: t('width 2 finds S-B-A, which greedy misses (worked by hand)', '束宽 2 找到了贪心错过的 S-B-A（手算验证）'),
      task: 'beamSearch',
      run: (m, ctx) => {
        const next = fromTable(HAND);
        const got = m.beamSearch(next, [0], 2, 2);
        // Step 1 keeps A (0.5) and B (0.4). Step 2: AA 0.17, AB 0.165, AC 0.165, BA 0.2, BB 0.18, BC 0.02.
        const expected = [{ tokens: [0, 2, 1], logProb: Math.log(0.4 * 0.5) }, { tokens: [0, 2, 2], logProb: Math.log(0.4 * 0.45) }];
        ctx.artifact({
          kind: 'table', title: t('P(next | last) and the two searches', 'P(下一个 | 上一个) 与两种搜索'),
          columns: [t('after', '上一个'), 'A', 'B', 'C'],
          rows: [
            ...HAND.map((row, i) => [letter(i), row[1], row[2], row[3]]),
            [t('greedy', '贪心'), 'S-A-A', 'P = 0.5 × 0.34', '= 0.17'],
            [t('beam, width 2', '束搜索，束宽 2'), 'S-B-A', 'P = 0.4 × 0.5', '= 0.20'],
          ],
        });
        diagnose(got, expected, { what: 'beamSearch(table, [S], 2 steps, width 2)', next, prompt: [0], steps: 2, width: 2, name: letter });
      },
    },
    {
      name: t('width 1 is greedy decoding', '束宽 1 就是贪心解码'),
      task: 'beamSearch',
      run: (m) => {
        const next = fromTable(HAND);
        const got = m.beamSearch(next, [0], 3, 1);
        // Greedy: S -> A (0.5) -> A (0.34) -> A (0.34).
        diagnose(got, [{ tokens: [0, 1, 1, 1], logProb: Math.log(0.5 * 0.34 * 0.34) }], { what: 'beamSearch(table, [S], 3 steps, width 1)', next, prompt: [0], steps: 3, width: 1, name: letter });
      },
    },
    {
      name: t('a beam as wide as all sequences is exhaustive: it agrees with brute force', '束宽覆盖所有序列时就是穷举：结果与暴力搜索一致'),
      task: 'beamSearch',
      run: (m) => {
        // With width >= V^(steps-1) nothing is ever dropped before the last step, so beam search must return
        // exactly the `width` best of all V^steps sequences.
        const V = 4;
        const table = randomTable(V, 11);
        const next = fromTable(table);
        const prompt = [2];
        const width = V * V;
        const expected = bruteForce(next, prompt, 3).slice(0, width);
        diagnose(m.beamSearch(next, prompt, 3, width), expected, { what: 'beamSearch(random 4-token table, [2], 3 steps, width 16)', next, prompt, steps: 3, width, name: (tok) => 'abcd'[tok] ?? `#${tok}` });
      },
    },
    {
      name: t('scores are summed log-probabilities: 500 steps do not underflow', '分数是对数概率之和：500 步也不会下溢'),
      task: 'beamSearch',
      run: (m) => {
        const V = 12;
        const table = randomTable(V, 5);
        const next = fromTable(table);
        const steps = 500;
        const expected = beamSearch64(next, [0], steps, 3);
        const product = Math.exp(expected[0].logProb);
        expectTrue(product === 0, t('check bug: the test sequence should be long enough for its probability to underflow', '检查本身有误：测试序列应当足够长，使其概率下溢'));
        diagnose(m.beamSearch(next, [0], steps, 3), expected, { what: `beamSearch(random 12-token table, [0], ${steps} steps, width 3)`, next, prompt: [0], steps, width: 3, name: (tok) => `${tok} ` });
      },
    },
    {
      name: t('beams stay separate, the prompt is not modified, and 0 steps returns the prompt', '各条束互不干扰，提示不被修改，0 步时返回提示本身'),
      task: 'beamSearch',
      run: (m) => {
        const next = fromTable(HAND);
        const prompt = [0, 1];
        const got = m.beamSearch(next, prompt, 3, 3);
        expectEqual(prompt, [0, 1], 'the prompt after beamSearch',
          t('Copy the prompt into the first beam ([...prompt]); never push onto the array you were given.', '把提示复制到第一条束里（[...prompt]）；永远不要往传进来的数组上 push。'));
        diagnose(got, beamSearch64(next, prompt, 3, 3), { what: 'beamSearch(table, [S, A], 3 steps, width 3)', next, prompt, steps: 3, width: 3, name: letter });
        const start = [0];
        const none = m.beamSearch(next, start, 0, 2);
        expectEqual(none.map((b) => ({ tokens: b.tokens, logProb: b.logProb })), [{ tokens: [0], logProb: 0 }], 'beamSearch(table, [S], 0 steps, width 2)',
          t('With no steps there is one beam: the prompt itself, with logProb 0 (log 1).', '没有步数时只有一条束：提示本身，logProb 为 0（即 log 1）。'));
        expectTrue(none[0].tokens !== start,
          t('beamSearch(table, [S], 0 steps, width 2)[0].tokens is the prompt array you were given, not a copy', 'beamSearch(table, [S], 0 steps, width 2)[0].tokens 就是传进来的提示数组本身，而不是它的拷贝'),
          t('Start from a copy, { tokens: [...prompt], logProb: 0 }: whoever changes a returned beam would change the caller\'s prompt too.', '从一份拷贝开始：{ tokens: [...prompt], logProb: 0 }。否则谁改动返回的束，就连调用者的提示也一起改了。'));
      },
    },
    {
      name: t('a token of probability 0 never makes a beam, and width < 1 throws', '概率为 0 的 token 绝不会成为束，width < 1 时抛出错误'),
      task: 'beamSearch',
      run: (m) => {
        // After S only A and B can follow, after A only B, after B only A and C: three sequences of two steps have a
        // probability above 0 (SAB 0.6, SBA 0.24, SBC 0.16), fewer than the width of 4.
        const DEAD: Table = [
          [0, 0.6, 0.4, 0],
          [0, 0, 1, 0],
          [0, 0.6, 0, 0.4],
          [0.25, 0.25, 0.25, 0.25],
        ];
        const next = fromTable(DEAD);
        const expected = beamSearch64(next, [0], 2, 4);
        diagnose(m.beamSearch(next, [0], 2, 4), expected, { what: 'beamSearch(table with zeros, [S], 2 steps, width 4)', next, prompt: [0], steps: 2, width: 4, name: letter });
        for (const width of [0, -1]) {
          expectThrows(() => m.beamSearch(fromTable(HAND), [0], 2, width), `beamSearch(table, [S], 2 steps, width ${width})`,
            t('Throw an Error when width < 1: a search that may keep no beam has nothing to return.', 'width < 1 时抛出 Error：一个可能一条束都不保留的搜索没有任何东西可返回。'));
        }
      },
    },
    {
      name: t('on the bundled model, width 1 walks exactly the greedy path', '在随附模型上，束宽 1 恰好走贪心路径'),
      task: 'beamSearch',
      run: async (m, ctx) => {
        const model = await lessonModel();
        const prompt = Array.from(model.tokenizer.encode(PROMPT));
        const steps = 30;
        const path = Array.from(await model.greedy(prompt, steps)); // prompt + 30 greedy tokens
        const logits = await logitsOf(model, path.slice(0, -1)); // row i predicts token i + 1
        const V = model.config.vocabSize;
        const onPath = (tokens: readonly number[]) => tokens.length >= prompt.length && tokens.length < path.length && tokens.every((tok, i) => tok === path[i]);
        const next = (tokens: readonly number[]) => {
          if (!onPath(tokens)) {
            const after = model.tokenizer.decode(tokens.slice(-20));
            fail(t(`with width 1, beamSearch asked for the next character after "…${after}", which greedy decoding never reaches`,
              `束宽为 1 时，beamSearch 请求了 "…${after}" 之后的下一个字符，而贪心解码根本不会走到这里`), {
              hint: t('Width 1 keeps only the single best candidate after each step, so it must follow the greedy path exactly.',
                '束宽 1 每一步之后只保留唯一最好的候选，所以它必须与贪心路径完全一致。'),
            });
          }
          const row = logits.subarray((tokens.length - 1) * V, tokens.length * V);
          const max = Math.max(...row);
          const e = Array.from(row, (l) => Math.exp(l - max));
          const s = e.reduce((a, b) => a + b, 0);
          return e.map((x) => x / s);
        };
        const got = m.beamSearch(next, prompt, steps, 1);
        let logProb = 0;
        for (let i = prompt.length; i < path.length; i++) logProb += Math.log(next(path.slice(0, i))[path[i]]);
        diagnose(got, [{ tokens: path, logProb }], { what: `beamSearch(model, prompt, ${steps} steps, width 1)`, next, prompt, steps, width: 1, name: (tok) => model.vocab[tok] ?? '?' });
        ctx.artifact({ kind: 'text', title: t(`Width 1 = greedy (${steps} characters, log-probability ${logProb.toFixed(2)})`, `束宽 1 = 贪心（${steps} 个字符，对数概率 ${logProb.toFixed(2)}）`), text: shown(`${PROMPT}[${model.tokenizer.decode(path.slice(prompt.length))}]`) });
      },
    },
  ],
});
