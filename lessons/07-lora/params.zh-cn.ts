/**
 * LoRA 一课，练习 1：为什么用 LoRA。算一算全量微调要训练多少参数，以及 LoRA 适配器只需训练多少。
 *
 * 这里没有张量，只有对形状的算术。GPT 的权重采用 PyTorch 的 (out, in) 布局，命名与 nanoGPT 相近（wte、wpe、
 * h.<i>、ln_1、ln_2、ln_f），不同之处在于：q、k、v 是三个独立的 Linear 层，而 nanoGPT 和 GPT-2 用的是一个融合的
 * c_attn；proj、fc 对应 c_proj、c_fc：
 *   wte (V, C), wpe (blockSize, C)                  词嵌入和位置嵌入；语言模型头与 wte 共享权重
 *   每个块：   ln_1.weight, ln_1.bias（各 C 个）
 *              attn.q, attn.k, attn.v, attn.proj   Linear C -> C：权重 (C, C)，偏置 (C)
 *              ln_2.weight, ln_2.bias（各 C 个）
 *              mlp.fc                              Linear C -> 4C：权重 (4C, C)，偏置 (4C)
 *              mlp.proj                            Linear 4C -> C：权重 (C, 4C)，偏置 (C)
 *   ln_f.weight, ln_f.bias（各 C 个）
 * 一个输入 dIn、输出 dOut 的 Linear 上的 LoRA 适配器由 A (r, dIn) 和 B (dOut, r) 组成。
 */
import { TODO } from '@llm-lab/kit';

export interface ModelConfig {
  vocabSize: number; // V
  blockSize: number; // 最长的上下文长度
  nLayer: number;
  nHead: number;
  nEmbd: number; //    C
}

/** 可以加适配器的 Linear 层（权重名中 h.<i>. 之后的部分）。 */
export type LoRATarget = 'attn.q' | 'attn.k' | 'attn.v' | 'attn.proj' | 'mlp.fc' | 'mlp.proj';

/** 在一个输入 dIn、输出 dOut 的 Linear 层上，秩为 r 的适配器有多少个可训练的数。 */
export function loraParams(dIn: number, dOut: number, r: number): number {
  return TODO('loraParams');
}

/** GPT 的全部参数（权重、偏置、LayerNorm、嵌入）：全量微调要训练的数量。 */
export function gptParams(config: ModelConfig): number {
  return TODO('gptParams');
}

/** 每个块在 `targets` 的每一层上都加一个秩为 r 的适配器、其余都不训练时，可训练的数有多少。 */
export function countTrainable(config: ModelConfig, targets: readonly LoRATarget[], r: number): number {
  return TODO('countTrainable');
}
