/**
 * Checks for the prompting lesson (prompting/prompt): few-shot prompt assembly within a character budget, the stated
 * answer parser, self-consistency voting, and all three on the bundled model, live.
 *
 * Expected values come from the references in @llm-lab/course/apps (promptBuild, promptParse, promptVotes,
 * promptGenerate), computed from copies of the inputs taken before the learner's code runs. A known wrong answer is
 * named only when the learner's result equals what that variant of the reference gives on the same input, on inputs
 * chosen so that the variants differ from the reference and from each other.
 *
 * Which check names which catalogued mistake (lessons/15b-prompting/mistakes.ts):
 *   check                                                        names
 *   buildPrompt: the template within the budget ...             drop-newest, budget-words (LangChain's: conventions),
 *                                                                cut-left
 *   buildPrompt: throws when ...                                 (plain words: no throw, or a throw when it fits exactly)
 *   parseAnswer: the first word of the first line ...            parse-skips-lines
 *   selfConsistency: seeds seed + i ...                          same-seed, null-votes, tie-last
 *   few-shot prompting of the bundled model (live) ...           (none: your parts must give the reference's table)
 * Accepted as well: prompts built by concatenation or by arrays and join, examples counted one by one or by slices,
 * a regular expression or a character loop in parseAnswer, votes counted in a Map, an object or arrays, sorted or
 * scanned for the best.
 * Not catalogued, said in plain words: another template, a prompt over the budget, an example cut in the middle, the
 * query or the instruction dropped, an example skipped while an older one is kept, input arrays modified, answers not
 * lowercased, '' for no answer, a word cut at ' or -, seeds other than seed + i, wrong votes, samples or answers.
 */
import { type Text, defineChecks, expectTrue, fail, join, t } from '@llm-lab/check';
import {
  PROMPT_TASK, type PromptExample, type PromptBuildVariant, promptBuild, promptChars, promptExamplesFor, promptParse,
  promptSamples, promptVotes,
} from '@llm-lab/course/apps';
import { shippedModel } from '@llm-lab/model';
import { PROMPTING_MISTAKES as M } from './mistakes';

type Learner = typeof import('./prompt');
type Key = keyof typeof M;

const failWith = (key: Key, detail?: Text): never => {
  const m = M[key];
  return fail(detail ? join([m.message, detail], ' ') : m.message, { hint: m.hint, convention: m.convention });
};
const show = (s: unknown): string => JSON.stringify(s);
const pct = (k: number, n: number): string => `${k}/${n} (${Math.round((100 * k) / n)}%)`;

// --- buildPrompt -------------------------------------------------------------------------------------------------------

const TEMPLATE_HINT = t('prompt = instruction + "\\n" + the kept examples, each `${e.input} ${e.output}, `, + query; at most maxChars characters.',
  'prompt = instruction + "\\n" + 保留的示例（每个写成 `${e.input} ${e.output}, `）+ query；最多 maxChars 个字符。');

function expectPrompt(m: Learner, instruction: string, examples: PromptExample[], query: string, maxChars: number): void {
  const copy = examples.map((e) => ({ ...e }));
  const want = promptBuild(instruction, copy, query, maxChars);
  const got = m.buildPrompt(instruction, examples, query, { maxChars });
  const call = `buildPrompt(${show(instruction)}, <${copy.length} examples>, ${show(query)}, { maxChars: ${maxChars} })`;
  expectTrue(examples.length === copy.length && examples.every((e, i) => e.input === copy[i].input && e.output === copy[i].output),
    t(`${call} modified the examples it was given.`, `${call} 修改了传入的 examples。`));
  if (got === want) return;
  const detail = t(`${call} returned ${show(got)}; expected ${show(want)}.`, `${call} 返回了 ${show(got)}；应为 ${show(want)}。`);
  if (typeof got !== 'string') fail(join([t('buildPrompt should return a string.', 'buildPrompt 应返回一个字符串。'), detail], ' '), { hint: TEMPLATE_HINT });
  const variant = (v: PromptBuildVariant): string | undefined => {
    try { return promptBuild(instruction, copy, query, maxChars, v); } catch { return undefined; }
  };
  if (got === variant('drop-newest')) failWith('drop-newest', detail);
  if (got === variant('words')) failWith('budget-words', detail);
  if (got === variant('cut-left')) failWith('cut-left', detail);
  if (promptChars(got) > maxChars) {
    fail(join([t(`The prompt has ${promptChars(got)} characters, over the budget of ${maxChars}.`, `提示词有 ${promptChars(got)} 个字符，超出了 ${maxChars} 的预算。`), detail], ' '),
      { hint: M['budget-words'].hint });
  }
  if (!got.startsWith(`${instruction}\n`) || !got.endsWith(query)) {
    fail(join([t('The prompt must start with the instruction and a newline and end with the query: they are never dropped or cut.',
      '提示词必须以指令加换行开头、以查询结尾：它们永远不会被丢掉或截断。'), detail], ' '), { hint: M['cut-left'].hint });
  }
  fail(detail, { hint: TEMPLATE_HINT });
}

const ex = (input: string, output = 'Whale'): PromptExample => ({ input, output });

// --- selfConsistency ---------------------------------------------------------------------------------------------------

interface VoteCase {
  texts: string[];
  /** The mistakes this case tells apart (each gives another answer here). */
  shows: Key[];
}

const VOTE_CASES: VoteCase[] = [
  // whale 3, ship 2, two nulls: the majority. With one seed for all, every sample is " ship".
  { texts: [' ship', '\n', ' whale', ' Whale,', '\nwhale', ' ship', ' whale'], shows: ['same-seed'] },
  // a 2–2 tie: "ship" was seen first.
  { texts: [' ship', ' whale', ' Whale', ' Ship.'], shows: ['tie-last'] },
  // four samples without an answer and one "whale": nulls never vote, so "whale" wins.
  { texts: ['\n', '', ' whale', ', and', '\n\nthe'], shows: ['null-votes'] },
  // nothing answers: the answer is null, and there are no votes.
  { texts: ['\n', ' 42', ''], shows: [] },
  // n = 1
  { texts: [' Right whale'], shows: [] },
];

function judgeConsensus(m: Learner, c: VoteCase, seed: number): void {
  const n = c.texts.length;
  const seen: number[] = [];
  const sample = (s: number): string => {
    seen.push(s);
    const i = s - seed;
    return Number.isInteger(i) && i >= 0 && i < n ? c.texts[i] : ` seed${String(s).replace(/[^0-9]/g, '')}`;
  };
  const got = m.selfConsistency(sample, n, seed);
  const call = `selfConsistency(sample, ${n}, ${seed})`;
  const wantSeeds = Array.from({ length: n }, (_, i) => seed + i);
  const sorted = [...seen].sort((a, b) => a - b); // the order of the calls is free: each sample depends on its seed only
  if (sorted.length !== n || sorted.some((s, i) => s !== wantSeeds[i])) {
    const detail = t(`(sample was called with seeds [${seen.join(', ')}]; expected [${wantSeeds.join(', ')}])`,
      `（sample 被调用时的种子为 [${seen.join(', ')}]；应为 [${wantSeeds.join(', ')}]）`);
    if (n > 1 && seen.length >= 1 && seen.every((s) => s === seen[0])) failWith('same-seed', detail);
    fail(join([t(`${call} must call sample once per sample, with seed + i for sample i = 0 .. n − 1.`,
      `${call} 必须为每个样本调用一次 sample，第 i 个样本（i = 0 .. n − 1）使用种子 seed + i。`), detail], ' '), { hint: M['same-seed'].hint });
  }
  if (!got || typeof got !== 'object') fail(t(`${call} should return { answer, samples, answers, votes }.`, `${call} 应返回 { answer, samples, answers, votes }。`));
  const samples = c.texts;
  expectTrue(Array.isArray(got.samples) && got.samples.length === n && got.samples.every((s, i) => s === samples[i]),
    t(`${call}.samples = ${show(got.samples)}; expected the n samples in order, ${show(samples)}.`, `${call}.samples = ${show(got.samples)}；应为按顺序排列的 n 个样本 ${show(samples)}。`));
  // Answers: the learner's own parseAnswer of each sample (this check is about the vote, not the parser).
  const parsed = samples.map((s) => m.parseAnswer(s));
  expectTrue(Array.isArray(got.answers) && got.answers.length === n && got.answers.every((a, i) => a === parsed[i]),
    t(`${call}.answers = ${show(got.answers)}; expected parseAnswer of each sample, ${show(parsed)}.`, `${call}.answers = ${show(got.answers)}；应为每个样本的 parseAnswer 结果 ${show(parsed)}。`));
  const votes = promptVotes(parsed);
  const want = votes.length ? votes[0].answer : null;
  const detail = t(`(${call} with answers ${show(parsed)} gave ${show(got.answer)}; expected ${show(want)})`,
    `（答案为 ${show(parsed)} 时，${call} 给出 ${show(got.answer)}；应为 ${show(want)}）`);
  if (got.answer !== want) {
    const nullWins = promptVotes(parsed, 'null-votes')[0];
    if (c.shows.includes('null-votes') && (got.answer === null || (got.answer as unknown) === 'null') && nullWins?.answer === '\u0000null') failWith('null-votes', detail);
    if (c.shows.includes('tie-last') && got.answer === promptVotes(parsed, 'tie-last')[0]?.answer) failWith('tie-last', detail);
    fail(join([t('The answer is not the majority of the parsed answers (nulls never vote; ties go to the answer seen first).',
      '答案不是解析结果中的多数（null 不算票；平票时先出现的答案胜出）。'), detail], ' '), { hint: M['tie-last'].hint });
  }
  const sameVotes = Array.isArray(got.votes) && got.votes.length === votes.length
    && got.votes.every((v, i) => v && v.answer === votes[i].answer && v.count === votes[i].count);
  if (!sameVotes) {
    const vd = t(`(${call}.votes = ${show(got.votes)}; expected ${show(votes)})`, `（${call}.votes = ${show(got.votes)}；应为 ${show(votes)}）`);
    if (Array.isArray(got.votes) && got.votes.some((v) => v && (v.answer === null || (v.answer as unknown) === 'null'))) failWith('null-votes', vd);
    fail(join([t('votes must list every answer that got a vote with its count, most votes first, equal counts in the order first seen; null is not an answer.',
      'votes 必须列出每个得到过票的答案及其票数，票数多的在前，票数相同时按首次出现的顺序；null 不是答案。'), vd], ' '), { hint: M['tie-last'].hint });
  }
}

// --- the live evaluation -----------------------------------------------------------------------------------------------

interface LiveRow {
  query: string;
  zero: string | null;
  few: string | null;
  sc: string | null;
  votes: string;
}

export default defineChecks<Learner>({
  exports: ['buildPrompt', 'parseAnswer', 'selfConsistency'],
  checks: [
    {
      name: t('buildPrompt: the template within the budget, oldest examples dropped first', 'buildPrompt：预算之内的模板，先丢最旧的示例'),
      task: 'buildPrompt',
      run: (m, ctx) => {
        const instruction = 'Kinds of whale:';
        const four = [ex('Sperm'), ex('Right'), ex('White'), ex('Greenland')];
        // hand-worked: 16 + 3 characters are fixed; Greenland (17) and White (13) fit in 55, Right would not.
        expectPrompt(m, instruction, four, 'Fin', 55);
        expectTrue(promptBuild(instruction, four, 'Fin', 55) === 'Kinds of whale:\nWhite Whale, Greenland Whale, Fin', t('internal: hand-worked prompt', '内部：手算的提示词'));
        expectPrompt(m, instruction, four, 'Fin', 200); //                 everything fits
        expectPrompt(m, instruction, four, 'Fin', 49); //                  exactly White and Greenland: the budget is inclusive
        expectPrompt(m, instruction, four, 'Fin', 48); //                  one short: Greenland only
        expectPrompt(m, instruction, four, 'Fin', 19); //                  no example fits, the instruction and query do
        expectPrompt(m, instruction, [], 'Fin', 30); //                    zero-shot
        // a long example between short ones: the run at the end stops at it, even though an older one would fit
        expectPrompt(m, 'Q', [ex('a', 'b'), ex('cc', 'dd'), ex('a-much-longer-input', 'and-output'), ex('e', 'f'), ex('g', 'h')], 'z?', 20);
        // random words and budgets, other instructions
        const pool = ['whale', 'ship', 'sea', 'harpoon', 'Queequeg', 'Ahab', 'deck', 'mast', 'oil', 'line', 'boat', 'night'];
        const word = () => pool[Math.floor(ctx.random() * pool.length)];
        for (let r = 0; r < 4; r++) {
          const k = 3 + Math.floor(ctx.random() * 5);
          const examples = Array.from({ length: k }, () => ex(word(), `${word()} ${word()}`));
          const instr = r % 2 ? 'Continue the list:' : 'Words — from the book';
          const q = word();
          const full = promptChars(promptBuild(instr, examples, q, 10_000));
          const fixed = promptChars(`${instr}\n${q}`);
          expectPrompt(m, instr, examples, q, fixed + Math.floor(ctx.random() * (full - fixed)));
        }
      },
    },
    {
      name: t('buildPrompt: throws when the instruction and the query alone do not fit', 'buildPrompt：单是指令和查询就放不下时抛出错误'),
      task: 'buildPrompt',
      run: (m) => {
        const instruction = 'Kinds of whale:';
        let err: unknown;
        let got: unknown;
        try { got = m.buildPrompt(instruction, [ex('Sperm')], 'Fin', { maxChars: 19 }); } catch (e) { if ((e as Error)?.name === 'NotImplementedError') throw e; err = e; }
        expectTrue(err === undefined && got === 'Kinds of whale:\nFin',
          t(`buildPrompt("Kinds of whale:", [...], "Fin", { maxChars: 19 }) ${err ? `threw ${show(String(err))}` : `returned ${show(got)}`}; the instruction and the query take exactly 19 characters, so it must return "Kinds of whale:\\nFin" (the budget is inclusive).`,
            `buildPrompt("Kinds of whale:", [...], "Fin", { maxChars: 19 }) ${err ? `抛出了 ${show(String(err))}` : `返回了 ${show(got)}`}；指令和查询恰好 19 个字符，所以应返回 "Kinds of whale:\\nFin"（预算包含等号）。`),
          t('Throw only when the length is strictly greater than maxChars.', '只有长度严格大于 maxChars 时才抛出。'));
        for (const maxChars of [18, 5, 0]) {
          let threw = false;
          let got: unknown;
          try { got = m.buildPrompt(instruction, [ex('Sperm')], 'Fin', { maxChars }); } catch { threw = true; }
          expectTrue(threw, t(`buildPrompt("Kinds of whale:", [...], "Fin", { maxChars: ${maxChars} }) returned ${show(got)}: the instruction, "\\n" and the query take 19 characters, so it must throw a RangeError (never drop or cut them).`,
            `buildPrompt("Kinds of whale:", [...], "Fin", { maxChars: ${maxChars} }) 返回了 ${show(got)}：指令、"\\n" 和查询共 19 个字符，所以必须抛出 RangeError（永远不要丢掉或截断它们）。`),
          M['cut-left'].hint);
        }
      },
    },
    {
      name: t('parseAnswer: the first word of the first line, lowercased, or null', 'parseAnswer：第一行的第一个单词（小写），或 null'),
      task: 'parseAnswer',
      run: (m) => {
        const cases = [' Whale, and so', 'Whale', '\tRight-whale\'s back', '', '   ', '\nWhale', ' \n whale', ', whale', ' 42 whales',
          'whale-', 'o\'er the sea\nx', ' SPERM', 'Whale\nship', ' \t Fin-Back.'];
        for (const text of cases) {
          const want = promptParse(text);
          const got = m.parseAnswer(text);
          if (got === want) continue;
          const detail = t(`parseAnswer(${show(text)}) returned ${show(got)}; expected ${show(want)}.`, `parseAnswer(${show(text)}) 返回了 ${show(got)}；应为 ${show(want)}。`);
          if (want === null && got !== null && got === promptParse(text, 'skip-lines')) failWith('parse-skips-lines', detail);
          if (want === null && got === '') {
            fail(join([t('No answer is null, not the empty string: an empty string would be counted as a vote.', '没有答案应返回 null，而不是空字符串：空字符串会被当作一票。'), detail], ' '),
              { hint: M['null-votes'].hint });
          }
          if (typeof got === 'string' && want !== null && got.toLowerCase() === want) {
            fail(join([t('The answer must be lowercased, so that "Whale" and "whale" are one answer in the vote.', '答案必须转成小写，这样 "Whale" 和 "whale" 在投票中才是同一个答案。'), detail], ' '),
              { hint: t('return match[1].toLowerCase()', 'return match[1].toLowerCase()') });
          }
          fail(join([t('The rule: on the first line only, after spaces and tabs, the word at its start (letters, with \' or - between letters), lowercased; null if the line does not start with a letter.',
            '规则是：只看第一行，跳过空格和制表符后，取行首的单词（由字母组成，字母之间可以有 \' 或 -），转成小写；该行不以字母开头时返回 null。'), detail], ' '),
          { hint: t('const m = /^[ \\t]*([A-Za-z]+(?:[\'-][A-Za-z]+)*)/.exec(text.split("\\n")[0]); return m ? m[1].toLowerCase() : null;',
            'const m = /^[ \\t]*([A-Za-z]+(?:[\'-][A-Za-z]+)*)/.exec(text.split("\\n")[0]); return m ? m[1].toLowerCase() : null;') });
        }
      },
    },
    {
      name: t('selfConsistency: seeds seed + i, a majority vote, ties to the first seen, nulls never vote', 'selfConsistency：种子 seed + i，多数投票，平票取先出现者，null 不算票'),
      task: 'selfConsistency',
      run: (m, ctx) => {
        for (const c of VOTE_CASES) judgeConsensus(m, c, 1 + Math.floor(ctx.random() * 10_000));
        for (const n of [0, -2, 2.5]) {
          let threw = false;
          try { m.selfConsistency(() => ' whale', n, 1); } catch { threw = true; }
          expectTrue(threw, t(`selfConsistency(sample, ${n}, 1) should throw a RangeError: n must be a positive integer.`, `selfConsistency(sample, ${n}, 1) 应抛出 RangeError：n 必须是正整数。`),
            t('if (!Number.isInteger(n) || n < 1) throw new RangeError(...)', 'if (!Number.isInteger(n) || n < 1) throw new RangeError(...)'));
        }
      },
    },
    {
      name: t('few-shot prompting of the bundled model (live): zero-shot, few-shot and self-consistency', '内置模型上的少样本提示（实时）：零样本、少样本与自洽性'),
      task: 'selfConsistency',
      timeoutSeconds: 60,
      run: async (m, ctx) => {
        const model = await shippedModel();
        const { instruction, queries, answer, maxNew, n } = PROMPT_TASK;
        const maxChars = model.config.blockSize - maxNew; // prompt + new characters fit the context
        const prompts = queries.map((query, i) => {
          const examples = promptExamplesFor(i);
          const zero = m.buildPrompt(instruction, [], query, { maxChars });
          const few = m.buildPrompt(instruction, examples, query, { maxChars });
          const wantFew = promptBuild(instruction, examples, query, maxChars);
          expectTrue(zero === promptBuild(instruction, [], query, maxChars) && few === wantFew,
            t(`buildPrompt gives another prompt for "${query}" (${show(few)}; expected ${show(wantFew)}): pass the buildPrompt checks first.`,
              `对 "${query}"，buildPrompt 给出了另一个提示词（${show(few)}；应为 ${show(wantFew)}）：请先通过 buildPrompt 的检查。`));
          return { query, zero, few };
        });
        const base = PROMPT_TASK.seed; // stated in the lesson: query i's samples use seeds base + 1000·i + j
        const t0 = performance.now();
        const samples = await promptSamples(model, prompts, base);
        const seconds = (performance.now() - t0) / 1000;
        const rows: LiveRow[] = [];
        const ref: LiveRow[] = [];
        samples.forEach((s, i) => {
          const seed = base + 1000 * i;
          const c = m.selfConsistency((k) => s.fewSamples[k - seed] ?? '', n, seed);
          rows.push({ query: s.query, zero: m.parseAnswer(s.zeroSample), few: m.parseAnswer(s.fewSamples[0]), sc: c.answer,
            votes: (c.votes ?? []).map((v) => `${v.answer}×${v.count}`).join(' ') });
          const answers = s.fewSamples.map((x) => promptParse(x));
          const votes = promptVotes(answers);
          ref.push({ query: s.query, zero: promptParse(s.zeroSample), few: answers[0], sc: votes[0]?.answer ?? null,
            votes: votes.map((v) => `${v.answer}×${v.count}`).join(' ') });
        });
        const right = (a: string | null) => (a === answer ? 1 : 0);
        const count = (rs: LiveRow[], k: 'zero' | 'few' | 'sc') => rs.reduce((acc, r) => acc + right(r[k]), 0);
        const greedyZero = samples.reduce((acc, s) => acc + right(promptParse(s.zeroGreedy)), 0);
        const greedyFew = samples.reduce((acc, s) => acc + right(promptParse(s.fewGreedy)), 0);
        const Q = queries.length;
        const mark = (a: string | null) => `${a === null ? '—' : a}${a === answer ? ' ✓' : ''}`;
        const line = (p: string) => p.replace(/\n/g, '⏎');
        ctx.artifact({
          kind: 'text',
          title: t(`The prompts (⏎ is a newline; at most ${maxChars} characters): the zero-shot prompt of the first query, then every few-shot prompt`,
            `提示词（⏎ 表示换行；最多 ${maxChars} 个字符）：第一个查询的零样本提示词，然后是每个少样本提示词`),
          text: [line(prompts[0].zero), '', ...prompts.map((p) => line(p.few))].join('\n'),
        });
        ctx.artifact({
          kind: 'table',
          title: t(`Kinds of whale: one sample zero-shot, ${n} samples few-shot and their vote (temperature ${PROMPT_TASK.temperature}, seeds ${base} + 1000·i + j)`,
            `鲸的种类：零样本 1 个样本、少样本 ${n} 个样本及其投票（温度 ${PROMPT_TASK.temperature}，种子 ${base} + 1000·i + j）`),
          columns: [t('query', '查询'), t('zero-shot sample', '零样本采样结果'), t('answer', '答案'), t('few-shot samples', '少样本采样结果'),
            t('votes', '投票'), t('self-consistency', '自洽性')],
          rows: rows.map((r, i) => [r.query, show(samples[i].zeroSample), mark(r.zero), samples[i].fewSamples.map((x) => show(x)).join(' '),
            r.votes || '—', mark(r.sc)]),
        });
        ctx.artifact({
          kind: 'table', title: t(`Accuracy over ${Q} queries (the answer "whale")`, `${Q} 个查询上的准确率（答案为 "whale"）`),
          columns: [t('method', '方法'), t('yours', '你的实现'), t('reference', '参考实现')],
          rows: [
            [t('zero-shot, one sample', '零样本，1 个样本'), pct(count(rows, 'zero'), Q), pct(count(ref, 'zero'), Q)],
            [t('few-shot, one sample', '少样本，1 个样本'), pct(count(rows, 'few'), Q), pct(count(ref, 'few'), Q)],
            [t(`few-shot, self-consistency (${n} samples)`, `少样本，自洽性（${n} 个样本）`), pct(count(rows, 'sc'), Q), pct(count(ref, 'sc'), Q)],
            [t('zero-shot, greedy (reference only)', '零样本，贪心解码（仅参考实现）'), '', pct(greedyZero, Q)],
            [t('few-shot, greedy (reference only)', '少样本，贪心解码（仅参考实现）'), '', pct(greedyFew, Q)],
            [t('sampling time (s)', '采样耗时（秒）'), '', Math.round(seconds * 10) / 10],
          ],
        });
        rows.forEach((r, i) => {
          const w = ref[i];
          expectTrue(r.zero === w.zero && r.few === w.few && r.sc === w.sc && r.votes === w.votes,
            t(`for "${r.query}" your parts give zero-shot ${show(r.zero)}, few-shot ${show(r.few)}, vote ${show(r.votes)} → ${show(r.sc)}; the reference gives ${show(w.zero)}, ${show(w.few)}, ${show(w.votes)} → ${show(w.sc)} on the same samples.`,
              `对 "${r.query}"，你的实现给出零样本 ${show(r.zero)}、少样本 ${show(r.few)}、投票 ${show(r.votes)} → ${show(r.sc)}；在相同样本上参考实现给出 ${show(w.zero)}、${show(w.few)}、${show(w.votes)} → ${show(w.sc)}。`),
            t('Pass the quick checks of parseAnswer and selfConsistency first.', '请先通过 parseAnswer 和 selfConsistency 的快速检查。'));
        });
        expectTrue(count(rows, 'sc') > count(rows, 'zero'),
          t(`self-consistency over few-shot samples was right for ${count(rows, 'sc')} of ${Q} queries, zero-shot sampling for ${count(rows, 'zero')}: it should be more.`,
            `基于少样本采样的自洽性在 ${Q} 个查询中答对了 ${count(rows, 'sc')} 个，零样本采样答对了 ${count(rows, 'zero')} 个：前者应当更多。`));
      },
    },
  ],
});
