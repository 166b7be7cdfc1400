/**
 * The model the extension ships, ready to use: config, vocabulary, tokenizer and weights straight
 * from the file, and a forward pass through onnxruntime that is only loaded when first needed.
 *
 * Loading onnxruntime-node means a native library of tens of megabytes; most lessons never run the
 * model, so the session (and the `import` of onnxruntime itself) waits for the first run().
 * Arguments are checked here, before onnxruntime sees them, so a learner reads
 * "sequence length 200 exceeds the model's context of 128" rather than a broadcasting error
 * from deep inside the runtime.
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { GptConfig } from './config';
import { ModelError, ModelInputError } from './errors';
import type { ModelFile } from './model-file';
import { type Float32Tensor, readFloatTensorProto } from './onnx-tensors';
import { CharTokenizer } from './tokenizer';

export interface ModelOptions {
  /**
   * Threads onnxruntime may use inside one operator. Default 1: the model is small, and the
   * editor, the learner's code and the language servers share the same cores.
   */
  intraOpNumThreads?: number;
}

/** Output name -> values, e.g. { logits: { data, shape: [B, T, V] } }. */
export type ModelOutputs = Record<string, Float32Tensor>;

export class BundledModel {
  readonly config: GptConfig;
  /** The tokenizer's characters; index = token id. */
  readonly vocab: readonly string[];
  readonly tokenizer: CharTokenizer;
  /** Every metadata_props entry (format_version, config, vocab, and whatever training added). */
  readonly metadata: Readonly<Record<string, string>>;
  /** All graph outputs: logits, embeddings, attn_probs_i, attn_out_i, block_out_i. */
  readonly outputNames: readonly string[];
  /** The file (or in-memory label) this model came from. */
  readonly source: string;

  private session: Promise<InferenceSession> | undefined;
  /** Runs in progress: dispose() lets them finish before releasing the session under them. */
  private readonly running = new Set<Promise<unknown>>();
  private disposed = false;

  constructor(private readonly file: ModelFile, private readonly options: ModelOptions = {}) {
    this.config = file.config;
    this.vocab = file.vocab;
    this.tokenizer = new CharTokenizer(file.vocab);
    this.metadata = file.metadata;
    this.outputNames = file.outputNames;
    this.source = file.source;
  }

  /** True once the onnxruntime session has been asked for (run, greedy). */
  get sessionStarted(): boolean {
    return this.session !== undefined;
  }

  /** Names of all weights, in the order they are stored. */
  get weightNames(): string[] {
    return [...this.file.initializers.keys()];
  }

  /** One weight, decoded from the file: a fresh Float32Array the caller may modify. */
  weight(name: string): Float32Tensor {
    const tensor = this.file.initializers.get(name);
    if (!tensor) {
      throw new ModelInputError(`the model has no weight named '${name}'; it has ${this.weightNames.join(', ')}`);
    }
    return readFloatTensorProto(tensor);
  }

  /** Every weight by name (for lessons that load the trained GPT into the learner's own code). */
  weights(): Map<string, Float32Tensor> {
    return new Map(this.weightNames.map((name) => [name, this.weight(name)]));
  }

  /**
   * One forward pass. `ids` holds B sequences of T token ids, row-major (sequence b is
   * ids[b*T .. (b+1)*T)). Returns the requested outputs (default: all of them), e.g.
   * logits (B, T, V), attn_probs_0 (B, nh, T, T).
   */
  async run(ids: ArrayLike<number>, B: number, T: number, outputs: readonly string[] = this.outputNames): Promise<ModelOutputs> {
    this.checkNotDisposed();
    const input = this.checkInput(ids, B, T);
    for (const name of outputs) {
      if (!this.outputNames.includes(name)) {
        throw new ModelInputError(`the model has no output '${name}'; its outputs are ${this.outputNames.join(', ')}`);
      }
    }
    if (outputs.length === 0) throw new ModelInputError('run() needs at least one output name');

    const session = await this.getSession();
    const { Tensor } = await loadOnnxRuntime();
    this.checkNotDisposed(); // dispose() may have happened while the session was loading
    const pending = session.run({ input_ids: new Tensor('int64', input, [B, T]) }, [...outputs]);
    this.running.add(pending);
    let results: InferenceSession.OnnxValueMapType;
    try {
      results = await pending;
    } catch (err) {
      throw new ModelError('MODEL_RUNTIME', `onnxruntime failed to run model ${this.source}: ${(err as Error).message}`, { cause: err });
    } finally {
      this.running.delete(pending);
    }
    const out: ModelOutputs = {};
    for (const name of outputs) {
      const tensor = results[name];
      out[name] = { data: tensor.data as Float32Array, shape: tensor.dims.map(Number) };
    }
    return out;
  }

  /**
   * Greedy decoding: append the most likely next token, n times. Each step runs the whole
   * (cropped) sequence again; with no KV cache that is the simplest correct loop, and cheap for a
   * tiny model. Like nanoGPT's generate(), the context is cropped to the last blockSize tokens and
   * the result is the prompt followed by the n new tokens. Ties go to the lowest id.
   */
  async greedy(prompt: ArrayLike<number>, n: number): Promise<Int32Array> {
    if (prompt.length === 0) throw new ModelInputError('greedy decoding needs a prompt of at least one token');
    if (!Number.isInteger(n) || n < 0) throw new ModelInputError(`the number of tokens to generate must be a non-negative integer, got ${n}`);
    const { blockSize, vocabSize: V } = this.config;
    const tokens = Array.from(prompt);
    for (let step = 0; step < n; step++) {
      const context = tokens.slice(-blockSize); // at most blockSize tokens fit the position table
      const T = context.length;
      const { logits } = await this.run(context, 1, T, ['logits']); // (1, T, V)
      const last = logits.data.subarray((T - 1) * V, T * V); // (V,): only the last position predicts the next token
      tokens.push(argmax(last));
    }
    return Int32Array.from(tokens);
  }

  /** Releases the onnxruntime session. The model cannot run afterwards; weights() still works. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const pending = this.session;
    this.session = undefined;
    if (!pending) return;
    await Promise.allSettled([...this.running]);
    try {
      await (await pending).release();
    } catch {
      // A session that failed to load has nothing to release.
    }
  }

  private checkNotDisposed(): void {
    if (this.disposed) throw new ModelError('MODEL_DISPOSED', `model ${this.source} has been disposed and cannot run`);
  }

  /** Validates ids, B and T and converts the ids to the int64 array onnxruntime wants. */
  private checkInput(ids: ArrayLike<number>, B: number, T: number): BigInt64Array {
    const { blockSize, vocabSize: V } = this.config;
    if (!Number.isInteger(B) || B < 1 || !Number.isInteger(T) || T < 1) {
      throw new ModelInputError(`batch size and sequence length must be positive integers, got B=${B}, T=${T}`);
    }
    if (T > blockSize) {
      throw new ModelInputError(
        `sequence length ${T} exceeds the model's context of ${blockSize} tokens (keep only the last ${blockSize})`,
      );
    }
    if (ids.length !== B * T) {
      throw new ModelInputError(`batch mismatch: ids has ${ids.length} values but B × T = ${B} × ${T} = ${B * T}`);
    }
    const input = new BigInt64Array(ids.length);
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      if (!Number.isInteger(id) || id < 0 || id >= V) {
        throw new ModelInputError(
          `token id ${id} (sequence ${Math.floor(k / T)}, position ${k % T}) is outside the vocabulary 0..${V - 1}`,
        );
      }
      input[k] = BigInt(id);
    }
    return input;
  }

  /** The session, created on first use; a failed attempt is forgotten so the next call retries. */
  private getSession(): Promise<InferenceSession> {
    this.session ??= this.createSession().catch((err: unknown) => {
      this.session = undefined;
      throw err;
    });
    return this.session;
  }

  private async createSession(): Promise<InferenceSession> {
    const { InferenceSession } = await loadOnnxRuntime();
    try {
      return await InferenceSession.create(this.file.bytes, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'basic', // the graph is small: 'all' takes 2-3x longer to set up for no faster runs (measured)
        intraOpNumThreads: this.options.intraOpNumThreads ?? 1,
        interOpNumThreads: 1,
        logSeverityLevel: 3, // errors only: onnxruntime's warnings mean nothing to a learner
      });
    } catch (err) {
      throw new ModelError('MODEL_RUNTIME', `onnxruntime could not load model ${this.source}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** The onnxruntime-node module's type (course code that runs graphs of its own takes it from here). */
export type OnnxRuntime = typeof import('onnxruntime-node');

/** onnxruntime-node, imported on first use only (see the header). */
export async function loadOnnxRuntime(): Promise<OnnxRuntime> {
  return import('onnxruntime-node');
}

/** Index of the largest value; the first one on ties. */
function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
