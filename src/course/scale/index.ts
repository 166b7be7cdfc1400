/** The efficiency-and-scale part of the course layer: what the checks of lessons 28-34 (quantization to parallel training) share. */
export * from './quantization';
export * from './pruning';
export * from './distillation';
export * from './flash';
export * from './paged';
export * from './moe';
export * from './parallel';
