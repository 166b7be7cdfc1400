/**
 * The BPE lesson's catalogue of known mistakes (and one convention): what a learner is told when a check recognises
 * one. The checks and the test that feeds every entry through the runner (test/unit/mistakes/bpe.ts) share the words.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const BPE_MISTAKES = defineMistakes({
  'tie-first-occurrence': {
    convention: 'minbpe',
    message: t(
      'Among pairs with the same count you took the one that occurs first in the text. This is minbpe\'s convention (Python\'s max() over a dict returns the first pair counted); this lesson breaks ties by the smallest pair (a, b), because that does not depend on the order in which pairs were counted or stored (a Map, an object, chunks grouped by word all give the same merges). Change the tie rule to match.',
      '在计数相同的词对中，你选了在文本里最先出现的那一个。这是 minbpe 的约定（Python 对 dict 调用 max() 会返回最先计入的词对）；本课规定平局时取最小的词对 (a, b)，因为这个规则与词对被计数、被存储的顺序无关（用 Map、用对象、把相同的块合并计数，结果都一样）。请改成本课的平局规则。',
    ),
    hint: t(
      'When a pair\'s count equals the best count so far, take it if it is smaller: a < bestA, or a === bestA and b < bestB (with the key a * 1048576 + b: key < bestKey).',
      '当某个词对的计数等于目前最大计数时，如果它更小就换成它：a < bestA，或 a === bestA 且 b < bestB（用键 a * 1048576 + b 时就是 key < bestKey）。',
    ),
  },
  'merge-overlap': {
    message: t(
      'The merge replaced overlapping occurrences: with the pair (a, a), "aaa" holds one merge, not two. Occurrences are replaced left to right, and an id that was just merged cannot be the start of the next pair, so "aaa" becomes [aa, a] (minbpe, Hugging Face and tiktoken all do this).',
      '合并替换了相互重叠的出现：对词对 (a, a) 来说，"aaa" 里只能合并一次，而不是两次。出现位置从左到右替换，刚被合并掉的 id 不能再作为下一个词对的开头，所以 "aaa" 变成 [aa, a]（minbpe、Hugging Face 和 tiktoken 都是这样）。',
    ),
    hint: t(
      'Walk with an index i: if ids[i], ids[i + 1] is the pair, push the new id and skip both (i += 2); otherwise push ids[i] and go on (i += 1).',
      '用下标 i 遍历：如果 ids[i]、ids[i + 1] 正是这个词对，就放入新 id 并跳过这两个（i += 2）；否则放入 ids[i] 并继续（i += 1）。',
    ),
  },
  'across-pretokens': {
    message: t(
      'Pairs were counted or merged across pre-token boundaries: the bytes of the whole text were treated as one sequence, so a merge can join the end of one word to the next word\'s leading space. The text is first cut into chunks with the pattern, and every pair lives inside one chunk.',
      '词对的计数或合并跨越了预分词的边界：整段文本的字节被当成了一个序列，于是一个合并可能把一个词的结尾和下一个词开头的空格连在一起。文本要先用正则模式切成块，每个词对都只在一个块的内部。',
    ),
    hint: t(
      'chunks = pretokenize(text, pattern).map(toBytes); count pairs inside each chunk (for (const c of chunks) for (i...) pair c[i], c[i + 1]) and merge each chunk separately. In encode, encode each chunk on its own and concatenate.',
      'chunks = pretokenize(text, pattern).map(toBytes)；在每个块内部计数（for (const c of chunks) 再对 i 取 c[i]、c[i + 1]），并对每个块分别合并。encode 里也要逐块编码，再把结果拼接起来。',
    ),
  },
  'decode-per-token': {
    message: t(
      'decode turned each token into text on its own: a token whose bytes end in the middle of a multi-byte UTF-8 character (the next token holds the rest) becomes U+FFFD (�) instead of the character. Concatenate the bytes of ALL the ids first, then UTF-8-decode once.',
      'decode 把每个词元单独转成了文本：如果一个词元的字节停在某个多字节 UTF-8 字符的中间（其余字节在下一个词元里），它就变成了 U+FFFD（�），而不是那个字符。应先把所有 id 的字节拼接起来，再做一次 UTF-8 解码。',
    ),
    hint: t(
      'const bytes: number[] = []; for (const id of ids) bytes.push(...vocab[id]); return new TextDecoder(\'utf-8\').decode(Uint8Array.from(bytes));',
      'const bytes: number[] = []; for (const id of ids) bytes.push(...vocab[id]); return new TextDecoder(\'utf-8\').decode(Uint8Array.from(bytes));',
    ),
  },
  'special-as-text': {
    message: t(
      'A special token was encoded as ordinary text (its bytes, merged like any other text) instead of as its one id. Special tokens are found in the text FIRST; each becomes its id from opts.special, and only the text between them goes through the pre-tokenizer and the merges.',
      '特殊词元被当成普通文本编码了（拆成字节，再像普通文本一样合并），而不是编码成它自己的那一个 id。要先在文本中找出特殊词元，每个都变成 opts.special 里它的 id，只有它们之间的文本才经过预分词和合并。',
    ),
    hint: t(
      'Split the text at the special strings, keeping them: text.split(new RegExp(`(${names.map(escape).join(\'|\')})`)) puts them at odd indices; map those to opts.special[part], encode the others normally.',
      '在特殊词元处切分文本，并保留它们：text.split(new RegExp(`(${names.map(escape).join(\'|\')})`)) 会把它们放在奇数下标处；这些部分映射成 opts.special[part]，其余部分正常编码。',
    ),
  },
  'encode-leftmost': {
    message: t(
      'encode merged the first mergeable pair from the left instead of the pair with the lowest merge index. Merges must be applied in the order they were learned: at each step, among the adjacent pairs that have a merge, the one learned first (the smallest index), wherever it is.',
      'encode 合并的是从左数第一个可合并的词对，而不是合并序号最小的词对。合并必须按学到的先后顺序应用：每一步在所有有合并规则的相邻词对中，选最先学到的那个（序号最小），不管它在哪个位置。',
    ),
    hint: t(
      'In each round scan ALL adjacent pairs, keep the smallest rank (ranks.get(key)), then merge that pair everywhere in the chunk; stop when no pair has a rank.',
      '每一轮扫描所有相邻词对，记下最小的序号（ranks.get(key)），再在整个块中合并这个词对；当没有任何词对有序号时停止。',
    ),
  },
});

export type BpeMistake = keyof typeof BPE_MISTAKES;
