/** Course code for the foundations lesson "autograd" (references and fixtures its checks use). */
export {};
