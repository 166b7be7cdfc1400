export function forbidden(name: string, target: string): string | undefined;
export function packageTests(opts: { root: string }): Promise<{ passed: number; failed: number }>;
