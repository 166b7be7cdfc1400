/** The applications part of the course layer: what the checks of the applications lessons (SFT, prompting, retrieval, CLIP, serving) share. */
export * from './sft';
export * from './prompting';
export * from './rag';
export * from './clip';
export * from './serving';
