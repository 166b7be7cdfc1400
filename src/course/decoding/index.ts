/** @llm-lab/course/decoding: what the decoding lessons' checks share (never imported by learner code). */
export * from './details';
export * from './model-helpers';
export * from './model-parts';
