// Waiting for something to become true: the one helper every wait of the
// end-to-end tests and the benchmarks goes through (the console, the raw
// client, a process's output), so that each times out the same way and says
// what it waited for and what it had instead.

import { setTimeout as sleep } from "node:timers/promises";

/**
 * Resolves with the first truthy value of `predicate()`. It is checked at
 * once, then on each `"change"` event of `changes` (an EventEmitter that the
 * waited-on object fires whenever it changes) or, without `changes`, every
 * `pollMs` ms; only then may the predicate be async. Rejects after `timeoutMs`
 * with an error naming `what`, followed by `seen()`: what there was instead.
 */
export function waitUntil(predicate, { timeoutMs, what, seen, changes, pollMs = 100 }) {
  const timedOut = () =>
    new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen === undefined ? "" : `; ${seen()}`}`);
  if (changes === undefined) return poll(predicate, { timeoutMs, pollMs, timedOut });
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      changes.off("change", check);
    };
    const timer = setTimeout(() => {
      settle();
      reject(timedOut());
    }, timeoutMs);
    function check() {
      let value;
      try {
        value = predicate();
      } catch (error) {
        settle();
        reject(error);
        return;
      }
      if (!value) return;
      settle();
      resolve(value);
    }
    changes.on("change", check);
    check();
  });
}

async function poll(predicate, { timeoutMs, pollMs, timedOut }) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (performance.now() >= deadline) throw timedOut();
    await sleep(pollMs);
  }
}

export { sleep };
