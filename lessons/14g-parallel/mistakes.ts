/**
 * The parallel-training lesson's catalogue of known mistakes, in English and Chinese. Shared by parallel.checks.ts
 * and the catalogue runner (test/unit/mistakes/parallel.ts puts each one into the reference solution and runs the
 * check that names it).
 */
import { defineMistakes, t } from '@llm-lab/check';

export const PARALLEL_MISTAKES = defineMistakes({
  'deadlock': {
    message: t(
      'Your all-reduce deadlocked: every rank waited to receive a message that no rank had sent, until the time limit ended the wait. A ring step must send before it receives (or, with blocking sends, alternate the order on even and odd ranks).',
      '你的 all-reduce 死锁了：每个 rank 都在等待一条没有任何 rank 发出的消息，直到超时才结束等待。环形算法的每一步都必须先发送再接收（如果发送是阻塞的，则让偶数和奇数 rank 交替顺序）。',
    ),
    hint: t(
      'In each of the 2(p − 1) steps: comm.send(next, chunk) first, then const got = comm.recv(prev). Sends here only wait when the previous message to that rank is still unread, so "send then receive" cannot deadlock.',
      '在 2(p − 1) 步中的每一步：先 comm.send(next, chunk)，再 const got = comm.recv(prev)。这里的发送只有在发给那个 rank 的上一条消息尚未被读取时才会等待，所以“先发后收”不会死锁。',
    ),
  },
  'averaged-twice': {
    message: t(
      'The gradients were averaged twice: every rank got the sum divided by world², not by world. (Dividing before the all-reduce AND after it, or an all-reduce that already averages followed by another division.) The data-parallel step is then world times smaller than the single-process step.',
      '梯度被平均了两次：每个 rank 得到的是总和除以 world²，而不是除以 world。（在 all-reduce 之前和之后都除了一次，或者 all-reduce 已经求了平均，后面又除了一次。）这样数据并行的一步就比单进程的一步小了 world 倍。',
    ),
    hint: t('Sum with the all-reduce, then divide by comm.world exactly once.', '先用 all-reduce 求和，然后只除以 comm.world 一次。'),
  },
  'not-averaged': {
    message: t(
      'The gradients were summed, not averaged: every rank got the sum over the ranks. Each rank\'s gradient is already a mean over its share of the batch, so the whole batch\'s gradient is the mean of the ranks\' gradients; the sum makes every step world times too large.',
      '梯度只求了和，没有求平均：每个 rank 得到的是所有 rank 的总和。每个 rank 的梯度已经是它那一份批次上的平均值，所以整个批次的梯度是各 rank 梯度的平均；用总和会让每一步都大 world 倍。',
    ),
    hint: t('After the all-reduce, divide every entry by comm.world.', 'all-reduce 之后，把每个元素除以 comm.world。'),
  },
  'bias-every-rank': {
    message: t(
      'The row-parallel layer\'s bias was added on every rank before the all-reduce, so the output holds world · b2 instead of b2. Each rank\'s partial product is summed by the all-reduce, and the bias must be added once: after the all-reduce (or on rank 0 only, before it).',
      '行并行层的偏置在 all-reduce 之前被每个 rank 都加了一次，所以输出里是 world · b2，而不是 b2。all-reduce 会把各 rank 的部分乘积相加，偏置只能加一次：在 all-reduce 之后加（或者只在 rank 0 上、在它之前加）。',
    ),
    hint: t('y = allReduce(gelu(x W1ᵢ + b1ᵢ) W2ᵢ), then y += b2.', 'y = allReduce(gelu(x W1ᵢ + b1ᵢ) W2ᵢ)，然后 y += b2。'),
  },
  'two-allreduces': {
    message: t(
      'Your tensor-parallel MLP communicates more than one all-reduce\'s worth of bytes in the forward pass. With W1 split by columns, each rank\'s hidden units are complete (gelu works on them locally); only the second layer\'s partial sums need the one all-reduce.',
      '你的张量并行 MLP 在前向计算中通信的字节数超过了一次 all-reduce。W1 按列切分后，每个 rank 的隐藏单元都是完整的（gelu 可以在本地计算）；只有第二层的部分和需要那一次 all-reduce。',
    ),
    hint: t('No communication between the two layers: hidden = gelu(x W1ᵢ + b1ᵢ) stays on the rank.', '两层之间不需要通信：hidden = gelu(x W1ᵢ + b1ᵢ) 留在本 rank 上。'),
  },
});
