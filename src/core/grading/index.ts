/** @llm-lab/check: what lesson checks import. */
export * from './assert';
export { defineChecks, checkId, seededRandom, type CheckContext, type CheckSpec, type ExerciseChecks } from './define';
export type * from './result';
