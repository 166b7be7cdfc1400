/**
 * MLP 这一课，练习 2：三个损失。每个都返回一个标量 Tensor，即批次上的平均值，而且 logits 大到 ±1000 时
 * 也必须给出精确、有限的结果（float32 在 e^89 处溢出）。用库里的运算搭建它们，梯度由
 * 自动求导给出。
 *
 * 可能用得上的库函数：
 *   sub、mul、add、exp、log、mean(x)、sum(x, dim, keepdim)
 *   gather(x, 1, ids, [N, 1])                     取第 n 行的第 ids[n] 个元素：(N, C) -> (N, 1)
 *   new Tensor(data, shape)                       一个常量张量（不带梯度），例如各行的最大值 (N, 1)
 */
import { Tensor, TODO, add, exp, gather, log, mean, mul, sub, sum } from '@llm-lab/kit';

/** 对所有元素求 mean((pred - target)²)。pred 和 target 形状不同时抛出错误（不做广播）。 */
export function mseLoss(pred: Tensor, target: Tensor): Tensor {
  return TODO('mseLoss');
}

/**
 * logits (N, C)，targets：N 个类别编号 -> 对各行 n 求  -log softmax(logits_n)[targets[n]]
 *                                                   =  logsumexp(logits_n) - logits_n[targets[n]]  的平均。
 * logits 不是二维、targets.length 不等于 N、或某个目标不是 [0, C) 中的整数时，抛出错误。
 */
export function crossEntropyLoss(logits: Tensor, targets: ArrayLike<number>): Tensor {
  // TODO：取指数之前先减去每行的最大值（取为常量）；永远不要对 softmax 取对数。
  return TODO('crossEntropyLoss');
}

/**
 * 对形状相同的 logits x 和 [0, 1] 中的目标 y 求二元交叉熵，对所有元素求平均：
 *   -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))  =  log(1 + e^x) - x·y。
 * logits 和 targets 形状不同时抛出错误。
 */
export function bceWithLogitsLoss(logits: Tensor, targets: Tensor): Tensor {
  // TODO：log(1 + e^x) 在 x = 1000 时会溢出：对 [0, x] 使用 log-sum-exp 技巧。
  return TODO('bceWithLogitsLoss');
}
