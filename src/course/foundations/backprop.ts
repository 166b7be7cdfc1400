/** Course code for the foundations lesson "backprop" (references and fixtures its checks use). */
export {};
