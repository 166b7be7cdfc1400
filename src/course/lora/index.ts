/** @llm-lab/course/lora: what the lora lessons' checks share (never imported by learner code). */
export * from './excerpts';
export * from './lora-helpers';
export * from './reference';
export * from './training';
