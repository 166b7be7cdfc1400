/**
 * The model that ships with LLM Lab (media/model/moby-gpt.onnx), found and opened once per process.
 *
 * Lesson checks run in the runner process, where this module is dist/model.js; tests and scripts run
 * it as src/model/shipped.ts under tsx. Both sit below the extension's root folder, so the file is
 * found by walking up from here to the folder whose package.json is named "llm-lab". The environment
 * variable LLM_LAB_MODEL points at another file instead (a model being trained, a test model).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BundledModel } from './bundled-model';
import { ModelFileError } from './errors';
import { readModelFile } from './model-file';

/** The environment variable that overrides where the shipped model is read from. */
export const MODEL_PATH_ENV = 'LLM_LAB_MODEL';

/** The extension's root folder: the nearest folder at or above `from` whose package.json is named "llm-lab". */
export function findExtensionRoot(from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    try {
      // In the runner, Node's permission model allows reading only the extension's own package.json: a
      // folder it may not look into throws instead of answering, and is not ours either.
      if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'llm-lab') return dir;
    } catch {
      // An unreadable package.json is not ours; keep walking up.
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Where the shipped model is: $LLM_LAB_MODEL if set, else media/model/moby-gpt.onnx under the extension root. */
export function shippedModelPath(): string {
  const override = process.env[MODEL_PATH_ENV];
  if (override) return override;
  const root = findExtensionRoot();
  if (!root) {
    throw new ModelFileError('MODEL_FILE_MISSING', 'media/model/moby-gpt.onnx',
      `cannot find the LLM Lab folder (a package.json named "llm-lab") above ${__dirname}; set ${MODEL_PATH_ENV} to the model file`);
  }
  return join(root, 'media', 'model', 'moby-gpt.onnx');
}

let cached: { path: string; model: Promise<BundledModel> } | undefined;

/**
 * The shipped model, loaded on first call and shared afterwards (by every check in a run). A failed
 * load is not cached, so the next call tries again; a changed $LLM_LAB_MODEL loads the new file.
 */
export function shippedModel(): Promise<BundledModel> {
  const path = shippedModelPath();
  if (cached?.path !== path) {
    const model = readModelFile(path).then((file) => {
      if (!process.env[MODEL_PATH_ENV]) checkAgainstCard(file.bytes, path);
      return new BundledModel(file);
    });
    cached = { path, model };
    model.catch(() => {
      if (cached?.model === model) cached = undefined;
    });
  }
  return cached.model;
}

/**
 * The shipped file must be the one its model card describes: the card beside it (MODEL_CARD.md) records the
 * file's SHA-256. A changed or damaged file is a problem of the installation, named with both hashes.
 */
export function checkAgainstCard(bytes: Uint8Array, path: string): void {
  let card: string;
  try {
    card = readFileSync(join(dirname(path), 'MODEL_CARD.md'), 'utf8');
  } catch {
    throw new ModelFileError('MODEL_FILE_CORRUPT', path, `the model card beside ${path} is missing, so the model file cannot be checked: reinstall LLM Lab`);
  }
  const recorded = /File SHA-256 \| `([0-9a-f]{64})`/.exec(card)?.[1];
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (!recorded) throw new ModelFileError('MODEL_FILE_CORRUPT', path, `the model card beside ${path} records no SHA-256 for ${basename(path)}: reinstall LLM Lab`);
  if (recorded !== actual) {
    throw new ModelFileError('MODEL_FILE_CORRUPT', path,
      `model file ${path} is not the one its model card describes (SHA-256 ${actual.slice(0, 16)}…, the card says ${recorded.slice(0, 16)}…): it was changed or damaged; reinstall LLM Lab`);
  }
}
