/**
 * The prompting lesson's catalogue of known mistakes (and of LangChain's conventions, which are not mistakes): what a
 * learner is told when a check recognises one. The checks and the test that feeds every entry through the runner
 * (test/unit/mistakes/prompting.ts) share these words.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const PROMPTING_MISTAKES = defineMistakes({
  'drop-newest': {
    convention: 'LangChain',
    message: t(
      'This is LangChain\'s convention (LengthBasedExampleSelector keeps the examples from the start of the list while they fit and stops at the first that does not, so the newest are dropped first); this lesson drops the OLDEST first, because the examples nearest the query weigh most on the continuation (the recency bias Zhao et al. 2021 measured). Keep the longest run of examples at the END of the list that fits.',
      '这是 LangChain 的约定（LengthBasedExampleSelector 从列表开头起依次保留放得下的示例，遇到第一个放不下的就停，所以最新的示例最先被丢掉）；本课先丢最旧的示例，因为离查询最近的示例对续写的影响最大（即 Zhao 等人 2021 年测得的近因偏差）。请保留列表末尾能放下的最长一段示例。',
    ),
    hint: t(
      'Start from the last example and walk back: while the next older example still fits, add it; stop at the first that does not. The kept examples are examples.slice(from), in their order.',
      '从最后一个示例开始往回走：只要更旧的下一个示例还放得下就加上它；遇到第一个放不下的就停。保留的示例是 examples.slice(from)，顺序不变。',
    ),
  },
  'budget-words': {
    convention: 'LangChain',
    message: t(
      'This is LangChain\'s convention (LengthBasedExampleSelector measures lengths in words by default, splitting on spaces and newlines); this lesson counts the model\'s own tokens, characters, because the context of the bundled model is 128 characters, not 128 words. Measure every length with [...s].length.',
      '这是 LangChain 的约定（LengthBasedExampleSelector 默认按词计算长度，以空格和换行切分）；本课按模型自己的 token（也就是字符）计数，因为内置模型的上下文是 128 个字符，而不是 128 个词。请用 [...s].length 计算每个长度。',
    ),
    hint: t(
      'The budget is in characters: the prompt\'s [...prompt].length must be at most maxChars. An example costs [...`${e.input} ${e.output}, `].length characters.',
      '预算以字符为单位：提示词的 [...prompt].length 不能超过 maxChars。一个示例占 [...`${e.input} ${e.output}, `].length 个字符。',
    ),
  },
  'cut-left': {
    message: t(
      'The prompt was cut to the budget from its start: the instruction (and possibly part of an example) is gone, and the model no longer sees what it is asked. Whole examples are dropped to fit; the instruction and the query are never cut.',
      '提示词是从开头截断到预算长度的：指令（可能还有某个示例的一部分）被截掉了，模型再也看不到要它做什么。为了放得下，应整个丢弃示例；指令和查询永远不截断。',
    ),
    hint: t(
      'Count instruction + "\\n" + query first (throw a RangeError if they alone exceed maxChars), then add whole examples from the newest back while they fit.',
      '先算 instruction + "\\n" + query 的长度（如果只有它们就超过 maxChars，抛出 RangeError），再从最新的示例往回整个地加入，直到放不下为止。',
    ),
  },
  'parse-skips-lines': {
    message: t(
      'parseAnswer looks past the first line: when the first line has no answer it takes a word from a later line, so a continuation that ends the line at once (the model did not answer) still counts as an answer.',
      'parseAnswer 越过了第一行：第一行没有答案时，它从后面的行里取了一个词，于是一个立刻换行的续写（模型并没有作答）仍被当成了答案。',
    ),
    hint: t(
      'Cut the text at the first "\\n" before anything else (text.split("\\n")[0]); trim() or \\s also eat newlines, so skip only spaces and tabs ([ \\t]*).',
      '先在第一个 "\\n" 处截断文本（text.split("\\n")[0]），再做别的；trim() 或 \\s 也会吃掉换行符，所以只跳过空格和制表符（[ \\t]*）。',
    ),
  },
  'same-seed': {
    message: t(
      'Every sample was drawn with the same seed: the n samples are copies of one, so the vote is that one sample counted n times, and self-consistency adds nothing.',
      '每个样本都用同一个种子采样：n 个样本都是同一个样本的副本，投票只是把这一个样本数了 n 遍，自洽性（self-consistency）没有带来任何好处。',
    ),
    hint: t(
      'Sample i uses seed + i: for (let i = 0; i < n; i++) samples.push(sample(seed + i)).',
      '第 i 个样本用种子 seed + i：for (let i = 0; i < n; i++) samples.push(sample(seed + i))。',
    ),
  },
  'null-votes': {
    message: t(
      'Samples without an answer (parseAnswer gave null) were counted as votes: "no answer" can then win the vote although some samples did answer.',
      '没有答案的样本（parseAnswer 返回 null）被算作了投票：于是即使有样本给出了答案，“没有答案”也可能赢得投票。',
    ),
    hint: t(
      'Skip null before counting: if (a !== null) counts.set(a, (counts.get(a) ?? 0) + 1). The answer is null only when no sample had one.',
      '计数前跳过 null：if (a !== null) counts.set(a, (counts.get(a) ?? 0) + 1)。只有没有任何样本给出答案时，结果才是 null。',
    ),
  },
  'tie-last': {
    message: t(
      'A tie went to the answer seen last: the stated rule gives it to the answer seen first (in sample order).',
      '平票时胜出的是最后出现的答案：规定的规则是让（按样本顺序）先出现的答案胜出。',
    ),
    hint: t(
      'Count in a Map (it keeps the order of first insertion), then sort the votes by count only with a stable sort, or replace the best only when a count is strictly larger.',
      '用 Map 计数（它保持首次插入的顺序），然后只按票数做稳定排序；或者只在票数严格更大时才替换当前最佳答案。',
    ),
  },
});
