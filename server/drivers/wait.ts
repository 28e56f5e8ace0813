/** Polls `probe` until it returns true; `check` may throw to stop early with a better error. */
export async function waitFor(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  message: string,
  check?: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  let last: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      last = error;
    }
    if (check) await check();
    if (Date.now() > deadline) {
      throw new Error(`${message} (${timeoutMs / 1000} s)${last instanceof Error ? ` : ${last.message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
}
