/** Course code for the foundations lesson "optimizers" (references and fixtures its checks use). */
export {};
