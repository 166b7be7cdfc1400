/**
 * The KV-cache lesson's known wrong answers, in English and Chinese: what a learner is told when their cached
 * attention, cached step or cached generation matches one. cache.checks.ts simulates each of them with a
 * separate reference and names it with these words; test/unit/mistakes/decoding.ts puts each one into the
 * reference solution to prove it is recognised.
 */
import { defineMistakes, t } from '@llm-lab/check';

export const CACHE_MISTAKES = defineMistakes({
  'mask-first-only': {
    message: t(
      'The new query only attended to the first cached position: a causal mask built for this step compared key j with the query\'s index in the step (0) instead of its position in the sequence.',
      '新查询只关注了第一个缓存位置：为这一步构造的因果掩码拿键 j 和查询在本步中的下标（0）比较，而不是和它在序列中的位置比较。',
    ),
    hint: t(
      'With a cache, the single new query comes after every cached position, so it may see all of them: no mask is needed at all. (A mask kept from full attention must be aligned bottom-right, the query at position cache length - 1, not top-left like torch.tril or is_causal=True.)',
      '有了缓存，唯一的新查询排在所有缓存位置之后，所以它可以看到全部位置：根本不需要掩码。（如果保留全注意力里的掩码，它必须按右下角对齐，即查询位于位置“缓存长度 - 1”，而不是像 torch.tril 或 is_causal=True 那样按左上角对齐。）',
    ),
  },
  'exclude-self': {
    message: t(
      'The new query attended to every cached position except the newest one, its own. A causal mask allows j <= i: a token also attends to itself.',
      '新查询关注了除最新位置（也就是它自己）以外的所有缓存位置。因果掩码允许 j <= i：一个 token 也要关注它自己。',
    ),
    hint: t(
      'Append the new key and value to the cache BEFORE attending, and attend over all of cache.keys.',
      '在做注意力“之前”就把新的键和值追加到缓存里，并对 cache.keys 中的所有位置做注意力。',
    ),
  },
  'no-scale': {
    message: t(
      'The scores were not divided by sqrt(hs). Attention uses q . k / sqrt(hs), with hs = C / nHead the head size.',
      '注意力分数没有除以 sqrt(hs)。注意力用的是 q . k / sqrt(hs)，其中 hs = C / nHead 是每个头的维度。',
    ),
    hint: t('scores_j = q . k_j / Math.sqrt(hs), for each head over its own hs channels.', '对每个头在它自己的 hs 个通道上计算 scores_j = q . k_j / Math.sqrt(hs)。'),
  },
  'one-head': {
    message: t(
      'You computed one attention over all C channels. Each head h has its own scores and softmax, over its own channels [h*hs, (h+1)*hs).',
      '你在全部 C 个通道上只算了一次注意力。每个头 h 都有自己的分数和 softmax，作用在它自己的通道 [h*hs, (h+1)*hs) 上。',
    ),
    hint: t(
      'Head h uses channels [h*hs, (h+1)*hs) of q, of every key and of every value, and writes the same channels of the output.',
      '头 h 使用 q、每个键和每个值的通道 [h*hs, (h+1)*hs)，并写入输出的相同通道。',
    ),
  },
  'position-zero': {
    message: t(
      'Every token got position 0: the position embedding restarted for each new token. A token fed to the cache sits at position cache length (the number of tokens before it).',
      '每个 token 的位置都是 0：位置嵌入对每个新 token 都从头开始了。送入缓存的 token 位于“缓存长度”这个位置（即它之前的 token 数）。',
    ),
    hint: t(
      'position = cache.layers[0].keys.length, read before this step appends anything; then model.embed(token, position).',
      'position = cache.layers[0].keys.length，要在这一步追加任何东西之前读取；然后 model.embed(token, position)。',
    ),
  },
  'values-not-appended': {
    message: t(
      'The keys were cached but the values were not appended.',
      '键被缓存了，但值没有被追加进去。',
    ),
    hint: t(
      'Attention needs both: keys to compute the weights, values to average. Push v into layer.values next to k.',
      '注意力两者都需要：用键计算权重，用值做加权平均。把 v 压入 layer.values，与 k 并列。',
    ),
  },
  'values-are-keys': {
    message: t(
      'The value cache holds the keys: you appended k where v belongs. Attention then averages keys instead of values.',
      '值缓存里存的是键：你在该放 v 的地方追加了 k。于是注意力平均的是键而不是值。',
    ),
    hint: t('layer.keys.push(k); layer.values.push(v): the key goes to the key cache, the value to the value cache.', 'layer.keys.push(k); layer.values.push(v)：键放进键缓存，值放进值缓存。'),
  },
  'shared-layer': {
    message: t(
      'Every layer used the cache of layer 0. Each layer has its own keys and values: use cache.layers[l] in layer l.',
      '每一层都用了第 0 层的缓存。每一层都有自己的键和值：在第 l 层使用 cache.layers[l]。',
    ),
    hint: t('const layer = cache.layers[l]; inside the loop over layers.', '在遍历各层的循环里写 const layer = cache.layers[l];。'),
  },
  'recomputes-context': {
    message: t(
      'generate() does not use the cache: it pushes positions through the model again that the cache already holds.',
      'generate() 没有利用缓存：它把缓存里已有的位置又送进模型重新计算了一遍。',
    ),
    hint: t(
      'Each new token should cost one step(): feed it to the cache you already have. Start a new cache only when the window is full (blockSize positions).',
      '每个新 token 只应花费一次 step()：把它送进你已有的缓存。只有在窗口满了（blockSize 个位置）时才新建缓存。',
    ),
  },
});
