/**
 * The ways loading or running the bundled model can fail, as typed errors with a stable `code`,
 * so the UI can tell "the model file is damaged, reinstall" from "your input is too long".
 * Messages name the file, the value and the limit: they are shown to learners as they are.
 */

export type ModelErrorCode =
  /** The file does not exist or cannot be read. */
  | 'MODEL_FILE_MISSING'
  /** The bytes are not a (complete) ONNX model. */
  | 'MODEL_FILE_CORRUPT'
  /** A valid ONNX model, but not one exported by LLM Lab (or from an incompatible version). */
  | 'MODEL_FORMAT'
  /** onnxruntime refused the graph. */
  | 'MODEL_RUNTIME'
  /** The caller's ids, B, T or output names do not fit the model. */
  | 'MODEL_INPUT'
  /** The text contains a character the model has never seen, or an id is outside the vocabulary. */
  | 'TOKENIZER'
  /** The model was used after dispose(). */
  | 'MODEL_DISPOSED';

export class ModelError extends Error {
  constructor(readonly code: ModelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Missing, unreadable, truncated or corrupt model file. */
export class ModelFileError extends ModelError {
  constructor(code: 'MODEL_FILE_MISSING' | 'MODEL_FILE_CORRUPT', readonly path: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The file is ONNX but lacks what an LLM Lab model must have (metadata, outputs, weights). */
export class ModelFormatError extends ModelError {
  constructor(readonly path: string, message: string) {
    super('MODEL_FORMAT', message);
  }
}

/** Bad arguments to run()/greedy(): sequence too long, ids and B*T disagree, unknown output... */
export class ModelInputError extends ModelError {
  constructor(message: string) {
    super('MODEL_INPUT', message);
  }
}

/** Text that cannot be encoded, or ids that cannot be decoded. */
export class TokenizerError extends ModelError {
  constructor(message: string) {
    super('TOKENIZER', message);
  }
}
