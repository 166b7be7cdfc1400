/** The applications part of the course layer: what the checks of the applications lessons (SFT, retrieval, CLIP...) share. */
export * from './sft';
export * from './rag';
export * from './clip';
