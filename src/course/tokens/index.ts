/** The tokens-and-pretraining part of the course layer: what the checks of lessons 14-20 (BPE to evaluation) share. */
export * from './bpe';
export * from './subword';
export * from './positions';
export * from './pretraining';
export * from './precision';
export * from './objectives';
export * from './evaluation';
