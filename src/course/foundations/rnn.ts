/** Course code for the foundations lesson "rnn" (references and fixtures its checks use). */
export {};
