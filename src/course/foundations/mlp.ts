/** Course code for the foundations lesson "mlp" (references and fixtures its checks use). */
export {};
