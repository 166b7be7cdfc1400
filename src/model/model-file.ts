/**
 * Reads an LLM Lab .onnx file without onnxruntime: the protobuf is decoded with onnx-proto, then
 * checked for everything the rest of the extension relies on (metadata, graph input and outputs,
 * every weight with its shape). Anything wrong becomes a ModelFileError or ModelFormatError whose
 * message names the file and the problem, before a session is ever created.
 */
import { readFile } from 'node:fs/promises';
import { onnx } from 'onnx-proto';
import { FLOAT16_SUFFIX, type GptConfig, INPUT_NAME, MODEL_FORMAT_VERSION, gptOutputShapes, gptWeightShapes, validateConfig } from './config';
import { ModelFileError, ModelFormatError } from './errors';
import { int64ToNumber } from './onnx-tensors';

/** A decoded, validated model file. */
export interface ModelFile {
  /** Where it came from (a path, or a label for in-memory bytes); used in error messages. */
  source: string;
  /** The file's bytes, handed to onnxruntime when the session is created. */
  bytes: Uint8Array;
  config: GptConfig;
  vocab: string[];
  /** All metadata_props, including format_version, config and vocab as JSON text. */
  metadata: Record<string, string>;
  /** The weights as stored: decoded to Float32Array only when asked for. */
  initializers: Map<string, onnx.ITensorProto>;
  /** The graph's output names, in graph order. */
  outputNames: string[];
}

/** Reads and validates `path`. Throws ModelFileError (missing/corrupt) or ModelFormatError. */
export async function readModelFile(path: string): Promise<ModelFile> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String((err as Error).message);
    throw new ModelFileError('MODEL_FILE_MISSING', path, `model file ${path} is missing or unreadable: ${reason}`, { cause: err });
  }
  return parseModelFile(bytes, path);
}

/** Decodes and validates model bytes; `source` names them in error messages. */
export function parseModelFile(bytes: Uint8Array, source: string): ModelFile {
  const corrupt = (reason: string, cause?: unknown): ModelFileError =>
    new ModelFileError('MODEL_FILE_CORRUPT', source, `model file ${source} is corrupt or truncated: ${reason}`, { cause });
  const notOurs = (reason: string): ModelFormatError =>
    new ModelFormatError(source, `model file ${source} is an ONNX file but not an LLM Lab model: ${reason}`);

  if (bytes.length === 0) throw corrupt('the file is empty (0 bytes)');
  let proto: onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (err) {
    // protobufjs reports a cut-off file as "index out of range" and garbage as "invalid wire type".
    throw corrupt(`${(err as Error).message} (${bytes.length} bytes could not be decoded as ONNX)`, err);
  }
  const graph = proto.graph;
  if (!graph || int64ToNumber(proto.irVersion) === 0 || !graph.node || graph.node.length === 0) {
    throw corrupt(`no ONNX graph found in its ${bytes.length} bytes`);
  }

  // --- Metadata: format version, config, vocabulary ---
  const metadata: Record<string, string> = {};
  for (const entry of proto.metadataProps ?? []) metadata[entry.key ?? ''] = entry.value ?? '';
  const formatVersion = metadata['format_version'];
  if (formatVersion === undefined) throw notOurs(`it has no 'format_version' metadata`);
  if (formatVersion !== String(MODEL_FORMAT_VERSION)) {
    throw notOurs(`it uses model format ${formatVersion}, this version of LLM Lab reads format ${MODEL_FORMAT_VERSION}`);
  }
  const raw = parseJsonMetadata(metadata, 'config', notOurs) as Partial<GptConfig> | null;
  const config: GptConfig = {
    vocabSize: raw?.vocabSize as number, blockSize: raw?.blockSize as number, nLayer: raw?.nLayer as number,
    nHead: raw?.nHead as number, nEmbd: raw?.nEmbd as number,
  };
  try {
    validateConfig(config);
  } catch (err) {
    throw notOurs(`its 'config' metadata is invalid: ${(err as Error).message}`);
  }
  const vocab = parseJsonMetadata(metadata, 'vocab', notOurs);
  if (!Array.isArray(vocab) || vocab.length !== config.vocabSize || !vocab.every((ch) => typeof ch === 'string')) {
    throw notOurs(`its 'vocab' metadata must be a JSON array of ${config.vocabSize} strings`);
  }

  // --- Graph interface: the input and every output the lessons read ---
  const inputNames = (graph.input ?? []).map((v) => v.name);
  if (!inputNames.includes(INPUT_NAME)) throw notOurs(`the graph has no '${INPUT_NAME}' input (inputs: ${inputNames.join(', ') || 'none'})`);
  const outputNames = (graph.output ?? []).map((v) => v.name ?? '');
  for (const name of gptOutputShapes(config).keys()) {
    if (!outputNames.includes(name)) throw notOurs(`the graph has no '${name}' output`);
  }

  // --- Weights: present, float32 or float16, right shape ---
  const initializers = new Map<string, onnx.ITensorProto>();
  for (const tensor of graph.initializer ?? []) {
    // A half-precision weight '<name>.fp16' stands for '<name>' (the graph casts it to float32).
    const name = tensor.name ?? '';
    const isHalf = tensor.dataType === onnx.TensorProto.DataType.FLOAT16 && name.endsWith(FLOAT16_SUFFIX);
    initializers.set(isHalf ? name.slice(0, -FLOAT16_SUFFIX.length) : name, tensor);
  }
  for (const [name, shape] of gptWeightShapes(config)) {
    const tensor = initializers.get(name);
    if (!tensor) throw notOurs(`weight '${name}' is missing`);
    const dims = (tensor.dims ?? []).map(int64ToNumber);
    if (dims.join(',') !== shape.join(',')) {
      throw notOurs(`weight '${name}' has shape [${dims.join(', ')}], the config needs [${shape.join(', ')}]`);
    }
    if (tensor.dataType !== onnx.TensorProto.DataType.FLOAT && tensor.dataType !== onnx.TensorProto.DataType.FLOAT16) {
      throw notOurs(`weight '${name}' is neither float32 nor float16`);
    }
  }

  return { source, bytes, config, vocab, metadata, initializers, outputNames };
}

function parseJsonMetadata(metadata: Record<string, string>, key: string, notOurs: (reason: string) => Error): unknown {
  const text = metadata[key];
  if (text === undefined) throw notOurs(`it has no '${key}' metadata`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw notOurs(`its '${key}' metadata is not valid JSON (${(err as Error).message})`);
  }
}
