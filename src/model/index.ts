/**
 * @llm-lab/model: the small character-level GPT that ships with LLM Lab as an ONNX file.
 *
 *   const model = await loadModel(defaultModelPath(context.extensionPath));
 *   const ids = model.tokenizer.encode('Call me Ishmael');
 *   const { logits, attn_probs_0 } = await model.run(ids, 1, ids.length);   // (1, T, V), (1, nh, T, T)
 *   model.tokenizer.decode(await model.greedy(ids, 40));
 *
 * Reading the file (config, vocabulary, weights) needs no onnxruntime; the runtime is loaded on
 * the first run(). exportGptToOnnx writes the file; randomGptWeights makes test models.
 * Pure Node: nothing here imports 'vscode'.
 */
import { join } from 'node:path';
import { BundledModel, type ModelOptions } from './bundled-model';
import { parseModelFile, readModelFile } from './model-file';

export { BundledModel, type ModelOptions, type ModelOutputs, type OnnxRuntime, loadOnnxRuntime } from './bundled-model';
/** ONNX's protobuf messages (onnx-proto), for course code that writes graphs of its own (the serving lesson). */
export { onnx } from 'onnx-proto';
export { type GptConfig, INPUT_NAME, MODEL_FORMAT_VERSION, gptOutputShapes, gptWeightShapes, validateConfig } from './config';
export { ModelError, type ModelErrorCode, ModelFileError, ModelFormatError, ModelInputError, TokenizerError } from './errors';
export { ONNX_IR_VERSION, ONNX_OPSET, RESERVED_METADATA_KEYS, exportGptToOnnx } from './export';
export type { Float32Tensor } from './onnx-tensors';
export { type RandomWeightsOptions, mulberry32, randomGptWeights } from './random-weights';
export { CharTokenizer } from './tokenizer';
export { MODEL_PATH_ENV, findExtensionRoot, shippedModel, shippedModelPath } from './shipped';

/** Where the trained model lives inside the extension. */
export function defaultModelPath(extensionRoot: string): string {
  return join(extensionRoot, 'media', 'model', 'moby-gpt.onnx');
}

/**
 * Opens a model file: reads and validates it now (throwing ModelFileError or ModelFormatError with
 * a message naming the file), creates the onnxruntime session later, on first run().
 */
export async function loadModel(path: string, options: ModelOptions = {}): Promise<BundledModel> {
  return new BundledModel(await readModelFile(path), options);
}

/** Same as loadModel, for bytes already in memory (e.g. straight from exportGptToOnnx). */
export function loadModelFromBytes(bytes: Uint8Array, options: ModelOptions = {}, label = '<in-memory model>'): BundledModel {
  return new BundledModel(parseModelFile(bytes, label), options);
}
