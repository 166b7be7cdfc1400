/**
 * The serving lesson's catalogue of known mistakes, in English and Chinese: the export with a KV cache
 * (serving/export) and the streaming server (serving/server). Shared by export.checks.ts, server.checks.ts and the
 * catalogue runner (test/unit/mistakes/serving.ts puts each one into a reference solution and runs the check that
 * names it).
 */
import { defineMistakes, t } from '@llm-lab/check';

export const EXPORT_MISTAKES = defineMistakes({
  'no-position-offset': {
    message: t(
      'The new tokens were given positions 0, 1, ..., T − 1, not P, P + 1, ..., P + T − 1: the position embeddings ignore the past. After a past of P tokens, the next token sits at position P, so it must add row P of wpe.',
      '新 token 的位置取成了 0, 1, ..., T − 1，而不是 P, P + 1, ..., P + T − 1：位置嵌入忽略了过去的长度。在 P 个过去 token 之后，下一个 token 位于位置 P，应当加上 wpe 的第 P 行。',
    ),
    hint: t('positions = Range(P, P + T, 1) with P = the length of axis 2 of past_key_0; Gather those rows of wpe.',
      'positions = Range(P, P + T, 1)，其中 P = past_key_0 第 2 维的长度；用 Gather 取 wpe 的这些行。'),
  },
  'concat-wrong-axis': {
    message: t(
      'The past and the new keys (or values) were concatenated on the wrong axis. The cache is (B, nh, P, hs): positions are axis 2 (axis −2 counted from the end), so the present is Concat([past, new], axis = 2), of shape (B, nh, P + T, hs).',
      '过去的键（或值）与新的键（或值）在错误的维度上拼接。缓存的形状是 (B, nh, P, hs)：位置在第 2 维（从末尾数是第 −2 维），所以 present 是 Concat([past, new], axis = 2)，形状为 (B, nh, P + T, hs)。',
    ),
    hint: t('g.op(\'Concat\', [pastKey, newKeyHeads], { axis: 2 }), with the new keys already split into heads (B, nh, T, hs).',
      'g.op(\'Concat\', [pastKey, newKeyHeads], { axis: 2 })，新的键要先拆成多头 (B, nh, T, hs)。'),
  },
  'present-without-past': {
    message: t(
      'The present holds only the new tokens\' keys and values, not the past followed by the new ones: after a past of P tokens its length should be P + T. Fed back, such a cache forgets everything before the last step.',
      'present 只包含新 token 的键和值，而不是“过去 + 新”：在 P 个过去 token 之后，它的长度应为 P + T。把这样的缓存再送回模型，它会忘掉最后一步之前的一切。',
    ),
    hint: t('present_key_i = Concat([past_key_i, k], axis = 2), and attention reads that present, not k alone.',
      'present_key_i = Concat([past_key_i, k], axis = 2)，注意力读取的也是这个 present，而不只是 k。'),
  },
  'mask-not-offset': {
    message: t(
      'The causal mask is not offset by the past length: query i was allowed keys j ≤ i instead of j ≤ P + i. With a past, the new token at row i sits at position P + i and may look at every past key and at the new keys up to itself.',
      '因果掩码没有按过去的长度偏移：查询 i 只能看到 j ≤ i 的键，而不是 j ≤ P + i。有过去时，第 i 行的新 token 位于位置 P + i，可以看到所有过去的键，以及新键中直到它自己的那些。',
    ),
    hint: t('mask = LessOrEqual(keyPositions (1, P+T), queryPositions (T, 1)) with keyPositions = Range(0, P + T) and queryPositions = Range(P, P + T).',
      'mask = LessOrEqual(keyPositions (1, P+T), queryPositions (T, 1))，其中 keyPositions = Range(0, P + T)，queryPositions = Range(P, P + T)。'),
  },
  'scale-by-C': {
    message: t(
      'The attention scores were divided by sqrt(C), the width of the whole model, instead of sqrt(hs), the width of one head: each head\'s dot product has hs terms, so its scale is 1/sqrt(hs).',
      '注意力分数除以了 sqrt(C)（整个模型的宽度），而不是 sqrt(hs)（一个头的宽度）：每个头的点积只有 hs 项，缩放因子是 1/sqrt(hs)。',
    ),
    hint: t('g.op(\'Div\', [scores, g.float(Math.sqrt(config.nEmbd / config.nHead))]).', 'g.op(\'Div\', [scores, g.float(Math.sqrt(config.nEmbd / config.nHead))])。'),
  },
  'unknown-op': {
    message: t(
      'The graph uses an op type that ONNX opset 17 does not have, so onnxruntime cannot load it. Op types are case-sensitive (MatMul, not Matmul), and some ops are newer than opset 17 (Gelu arrived in opset 20): build those from primitives.',
      '图中用了 ONNX opset 17 中没有的算子类型，onnxruntime 无法加载它。算子类型区分大小写（MatMul，而不是 Matmul），有些算子比 opset 17 新（Gelu 在 opset 20 才出现）：用基本算子拼出来。',
    ),
    hint: t('Use only opset-17 op types, e.g. GELU from Mul, Add and Tanh as geluNode does.', '只使用 opset 17 的算子类型，例如像 geluNode 那样用 Mul、Add 和 Tanh 拼出 GELU。'),
  },
});

export type ExportMistake = keyof typeof EXPORT_MISTAKES;

export const SERVER_MISTAKES = defineMistakes({
  'no-flush': {
    message: t(
      'The events were not sent as the tokens were made: they all arrived together at the end of the generation, although the event loop was free. Streaming means one write per token, while generating, not a buffer sent at the end.',
      '事件没有在 token 生成时就发送出去：它们在生成结束时一起到达，尽管事件循环并没有被阻塞。流式输出意味着每生成一个 token 就写一次，而不是最后把缓冲一次性发出。',
    ),
    hint: t('Inside the generation loop: res.write(`data: ${JSON.stringify({ token })}\\n\\n`) as soon as a piece is safe to send.', '在生成循环里：一旦某段文本可以安全发送，就立即 res.write(`data: ${JSON.stringify({ token })}\\n\\n`)。'),
  },
  'blocking-loop': {
    message: t(
      'Generation kept the event loop to itself: other requests (and the check\'s own probe) could not run until the answer was done. Either the loop never yields, or it yields to something that comes back before any I/O is read: a microtask (await Promise.resolve()), or setTimeout(0) while each token takes longer than the timer\'s 1 ms, so the timer is always already due.',
      '生成过程独占了事件循环：在回答完成之前，其他请求（以及检查自己的探针）都无法运行。要么循环从不让出控制权，要么让出给了一个在读取任何 I/O 之前就会回来的东西：微任务（await Promise.resolve()），或者在每个 token 耗时都超过 1 ms 时使用 setTimeout(0)，定时器因此总是已经到期。',
    ),
    hint: t('After each token, await a macrotask: await new Promise((r) => setImmediate(r)). (await Promise.resolve() is a microtask and does not let other requests in.)',
      '每生成一个 token 后 await 一个宏任务：await new Promise((r) => setImmediate(r))。（await Promise.resolve() 只是微任务，不会让别的请求进来。）'),
  },
  'stop-split': {
    message: t(
      'A stop sequence that spans several tokens was missed: each token is one character here, so a stop sequence of two or more characters is never inside a single token. Look for it in the whole generated text after every token.',
      '漏掉了跨越多个 token 的停止序列：这里每个 token 是一个字符，所以两个或更多字符的停止序列永远不会出现在单个 token 里。每生成一个 token，都要在已生成的全部文本中查找它。',
    ),
    hint: t('After appending the token: const at = text.indexOf(stop); if (at >= 0) { text = text.slice(0, at); finish_reason = \'stop\'; } (with several stop sequences, cut at the smallest such index).', '追加 token 之后：const at = text.indexOf(stop); if (at >= 0) { text = text.slice(0, at); finish_reason = \'stop\'; }（有多个停止序列时，在其中最小的那个下标处截断）。'),
  },
  'stop-included': {
    message: t(
      'The text ends with the stop sequence. Keeping it is Hugging Face transformers\' convention (generate(stop_strings=...) leaves the stop string in the output); this lesson\'s API follows OpenAI\'s API and vLLM\'s default, which return the text up to the stop sequence, not including it, so a client can show the answer as it is. Cut the text at the start of the stop sequence.',
      '文本以停止序列结尾。保留停止序列是 Hugging Face transformers 的约定（generate(stop_strings=...) 会把停止字符串留在输出中）；本课的 API 遵循 OpenAI API 和 vLLM 的默认做法，只返回停止序列之前的文本、不包含停止序列，这样客户端可以直接展示回答。请在停止序列开始处截断文本。',
    ),
    hint: t('text = text.slice(0, text.indexOf(stop)), in the answer and in the stream.', '在回答和流式输出中都用 text = text.slice(0, text.indexOf(stop))。'),
    convention: 'Hugging Face transformers',
  },
  'stream-leaks-stop': {
    message: t(
      'The stream sent the first characters of a stop sequence before it knew they were one: each character was sent as soon as it was made, so the streamed text ends with part of the stop sequence and differs from the non-streamed text.',
      '流式输出在确定之前就发出了停止序列的前几个字符：每个字符一生成就立即发送，所以流式文本的结尾带有停止序列的一部分，与非流式文本不同。',
    ),
    hint: t('Hold back the longest end of the unsent text that is the start of a stop sequence; send it only when it can no longer become one.', '未发送文本的末尾中，可能是某个停止序列开头的最长部分先暂不发送；等到它不可能再成为停止序列时才发送。'),
  },
  'no-context-check': {
    message: t(
      'A prompt that does not fit was accepted: the prompt\'s tokens plus max_tokens must be at most the context (blockSize = 128); this lesson\'s server has no sliding window, so it must answer 400 before generating.',
      '接受了一个放不下的提示词：提示词的 token 数加上 max_tokens 最多只能等于上下文长度（blockSize = 128）；本课的服务器没有滑动窗口，所以必须在生成之前返回 400。',
    ),
    hint: t('if (model.encode(prompt).length + max_tokens > model.blockSize) answer 400 with { error } giving the prompt\'s length, max_tokens and the context size model.blockSize (the check looks for 128 in the message).', 'if (model.encode(prompt).length + max_tokens > model.blockSize)，返回 400 和 { error }，在信息中写出提示词长度、max_tokens 和上下文长度 model.blockSize（检查会在信息中查找 128）。'),
  },
});

export type ServerMistake = keyof typeof SERVER_MISTAKES;
