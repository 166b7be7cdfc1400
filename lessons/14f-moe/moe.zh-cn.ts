/**
 * 混合专家（MoE）一课：top-k 路由、专家容量、负载均衡损失，以及一个 MoE MLP。
 *
 *   route             对专家做 softmax，取最大的 k 个，门控权重在这 k 个上重新归一化（或不归一化：Switch 的做法）
 *   expertCapacity    ceil(k · tokens / experts · capacityFactor)
 *   dispatch          哪些分配放得下：按词元顺序，专家收满 `capacity` 个后就不再接收
 *   loadBalancingLoss Switch Transformer 的 N · Σ f_i · P_i
 *   moeBlock          x + Σ kept · gate · expert(x)：被丢弃的词元只经过残差连接
 *
 * 可能用到的 kit 函数：softmax(x, -1)、linear(x, weight, bias)、gelu(x)、sum(x, dim)、mul(a, b)、tensor(data, shape)，
 * 以及用 .data（行优先的 Float32Array）读取数值。你的 moeBlock 应当调用你自己写的 route、expertCapacity、
 * dispatch 和 loadBalancingLoss。
 */
import { type Tensor, TODO } from '@llm-lab/kit';

export interface Routing {
  /** experts[t]：词元 t 被送往的 k 个专家，按概率从大到小排列（概率相同时下标小的在前）。 */
  experts: number[][];
  /** gates[t][j]：experts[t][j] 在词元 t 的输出中所占的权重。 */
  gates: number[][];
}

export interface RouteOptions {
  /** true（默认）：gates = p / （选中的 k 个 p 之和），即 Mixtral 和 GShard 的做法；false：gates = p，即 Switch 的做法。 */
  renormalize?: boolean;
}

/**
 * 对路由器 logits (T, E) 做 top-k 路由：probs = 每个词元在 E 个专家上的 softmax；取概率最大的 k 个专家，
 * 从大到小排列（概率相同时下标小的在前）；它们的门控权重重新归一化，使和为 1（opts.renormalize 为 false 时
 * 直接用原始概率）。k 不是 1 .. E 之间的整数时抛出 Error。
 */
export function route(logits: Tensor, k: number, opts: RouteOptions = {}): Routing {
  return TODO('route');
}

/** 一个专家最多接收的分配数：ceil(k · tokens / experts · capacityFactor)。 */
export function expertCapacity(tokens: number, experts: number, k: number, capacityFactor: number): number {
  return TODO('expertCapacity');
}

/**
 * kept[t][j]：把词元 t 分配给 experts[t][j] 这一项是否放得下。按词元顺序 t = 0, 1, ……，每个词元内部按名次
 * j = 0 .. k - 1；一个专家持续接收分配，直到收满 `capacity` 个，之后的分配被丢弃。
 */
export function dispatch(experts: number[][], numExperts: number, capacity: number): boolean[][] {
  return TODO('dispatch');
}

/**
 * Switch Transformer 的负载均衡损失 N · Σ_i f_i · P_i，probs 形状为 (T, N)：f_i = 在 T·k 个分配中（容量截断之前）
 * 选中专家 i 的比例，P_i = probs[:, i] 的均值。返回标量 Tensor：梯度经由 P 流入 probs（f 是计数，没有梯度）。
 * 路由完全均匀时值为 1。
 */
export function loadBalancingLoss(probs: Tensor, experts: number[][]): Tensor {
  return TODO('loadBalancingLoss');
}

/** 一个专家：与内置模型相同的 MLP，proj(gelu(fc(x)))，权重布局与 PyTorch 的 Linear 相同。 */
export interface Expert {
  fcWeight: Tensor; // (H, C)
  fcBias: Tensor; //   (H,)
  projWeight: Tensor; // (C, H)
  projBias: Tensor; // (C,)
}

export interface MoeOptions {
  k: number;
  capacityFactor: number;
  renormalize?: boolean;
}

export interface MoeOutput {
  /** (T, C)：x 加上接收了该词元的各专家经门控加权后的输出。 */
  y: Tensor;
  /** 这次路由的负载均衡损失（标量 Tensor）。 */
  aux: Tensor;
  routing: Routing;
  kept: boolean[][];
}

/**
 * 带残差连接的 MoE MLP：logits = x · routerWeightᵀ（routerWeight 形状为 (E, C)，无偏置）；路由；容量与分派；然后
 * y_t = x_t + Σ_j kept[t][j] · gates[t][j] · expert_{experts[t][j]}(x_t)。所有分配都被丢弃的词元直接通过：
 * y_t = x_t。aux = loadBalancingLoss(softmax(logits), routing.experts)。
 */
export function moeBlock(x: Tensor, routerWeight: Tensor, experts: Expert[], opts: MoeOptions): MoeOutput {
  return TODO('moeBlock');
}
