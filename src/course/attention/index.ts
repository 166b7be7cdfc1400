/** @llm-lab/course/attention: what the attention lessons' checks share (never imported by learner code). */
export * from './gpt-reference';
export * from './model-fixture';
export * from './multihead-reference';
export * from './reference';
