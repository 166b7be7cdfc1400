/**
 * LoRA 微调一课，练习 1：用你自己的 LoRA 层微调内置的 GPT。
 *
 * 这个文件建立在 LoRA 一课之上：它从 ../07-lora/ 导入 LoRALinear 和 merge，也就是你写的那些文件（它们就在
 * 你的 llm-lab/ 文件夹里、本文件夹的旁边）。如果 LoRA 一课还没有通过，请先完成它；这里的第一个检查
 * 测试的就是这次导入。
 *
 * 两个任务：
 *   addLoRA    冻结模型的全部参数，然后在每个块的每个目标层上放一个 LoRALinear
 *   mergeLoRA  把每个适配器换成一个普通的 Linear，其权重为合并后的 W + (alpha / r) B A
 * 其余的由检查完成：它们把训练好的模型载入库中的 GPT，调用 addLoRA，在国情咨文上训练适配器，
 * 然后调用 mergeLoRA，把合并后的模型导出为 ONNX，并用 onnxruntime 运行。
 */
import { type Block, type GPT, Linear, Rng, TODO, noGrad } from '@llm-lab/kit';
import { LoRALinear } from '../07-lora/layer';
import { merge } from '../07-lora/merge';

// 重新导出，好让检查先测试你在 LoRA 一课写的代码。
export { LoRALinear, merge };

export type LoRATarget = 'attn.q' | 'attn.k' | 'attn.v' | 'attn.proj' | 'mlp.fc' | 'mlp.proj';

export interface LoRAConfig {
  r: number;
  alpha: number;
  /** 每个块中要加适配器的 Linear 层。 */
  targets: readonly LoRATarget[];
  /** 唯一那个 Rng 的种子：所有适配器的 A 矩阵都按顺序从它抽取（先块 0，目标层按给定顺序）。 */
  seed: number;
}

/**
 * 某个目标层在块中的位置：slot(block, 'attn.q') 是 { parent: block.attn, key: 'q' }，所以
 * parent[key] 就是该层，而 `parent[key] = other` 会替换它。
 */
export function slot(block: Block, target: LoRATarget): { parent: Record<string, Linear>; key: string } {
  const [part, key] = target.split('.') as ['attn' | 'mlp', string];
  return { parent: block[part] as unknown as Record<string, Linear>, key };
}

/** 冻结模型并包装每个目标层；按名字返回这些适配器，例如 'h.0.attn.q'。 */
export function addLoRA(model: GPT, config: LoRAConfig): Map<string, LoRALinear> {
  return TODO('addLoRA');
}

/** 在每个适配器的位置放回一个带合并后权重的 Linear。 */
export function mergeLoRA(model: GPT, adapters: Map<string, LoRALinear>): void {
  TODO('mergeLoRA');
}
