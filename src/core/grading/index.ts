/** @llm-lab/check: what lesson checks (and the course layer) import. */
export * from './assert';
export * from './helpers';
export * from './mistakes';
export * from './text';
export {
  defineChecks, checkId, localize, seededRandom,
  type CheckContext, type CheckSpec, type ExerciseChecks, type LocalArtifact, type Localizable, type SharedResult,
} from './define';
export type * from './result';
