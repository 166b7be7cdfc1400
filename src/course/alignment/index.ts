/** @llm-lab/course/alignment: what the alignment lessons' checks share (never imported by learner code). */
export * from './baseline';
export * from './dpo-loop';
export * from './pairs';
export * from './ppo-comparison';
export * from './ppo-loop';
export * from './reward-model';
export * from './reward';
export * from './rl-model';
