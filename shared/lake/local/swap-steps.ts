/**
 * Fault injection for crash tests: the lake swap calls `swapStep` before each change it makes on disk,
 * and a test's child process kills itself at the k-th call to show that a crash at any step loses
 * nothing. Without a hook installed a step costs one comparison.
 */
let hook: ((step: string) => void) | null = null;

export function onSwapStep(fn: ((step: string) => void) | null): void {
  hook = fn;
}

export function swapStep(step: string): void {
  hook?.(step);
}
