/** The foundations part of the course layer: what the checks of lessons 2-8 (autograd to recurrent networks) share. */
export * from './autograd';
export * from './backprop';
export * from './mlp';
export * from './optimizers';
export * from './regularisation';
export * from './makemore';
export * from './rnn';
