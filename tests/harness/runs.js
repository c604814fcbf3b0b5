// Runs of /api/stream as the tests and benchmarks drive and check them: a
// reader that stalls part-way and then hangs up, the check every cancel test
// shares, that nothing was made after the cancel, and what many stalled
// clients cost the workerd process.

import assert from "node:assert/strict";
import { rawGet } from "./raw-http.js";
import { rssMb, startWorker, summaryOf, workerdPid } from "./workerd.js";
import { sleep } from "./wait.js";

/**
 * Reads 1% of `/api/stream?count=<count>&<query>` from `worker` (`{ url,
 * console }`) over a raw socket, then stops reading for `stallMs`, calls
 * `whileStalled(id)`, and hangs up. Returns the client, the run's id and
 * summary, and what `whileStalled` gave (`stalled`).
 */
export async function stallAtOnePercent(worker, query, count, { stallMs = 1500, whileStalled = () => undefined } = {}) {
  const client = rawGet(worker.url, `/api/stream?count=${count}&${query}`);
  await client.until((c) => c.lines.length >= count / 100, 30_000, `1% of ${count} values`);
  client.pause();
  const id = client.headers["x-run-id"];
  await sleep(stallMs);
  const stalled = await whileStalled(id);
  client.destroy();
  const summary = await worker.console.summaryOf(id, 10_000);
  return { client, id, summary, stalled };
}

/**
 * Asserts that a cancelled run made nothing after its cancel. `lines` are the
 * run's bare lines (`Console.texts`), taken a while after `summary` came, so
 * that a late value would show. The cancel line (`<reason>: stream cancelled
 * after <sent> values sent`, with `reason` if given, any otherwise) is
 * followed by `generator dropped after yielding <produced> values` and the
 * summary, and nothing else; each value produced was logged as yielded
 * before the cancel, where the stream logs its values.
 */
export function assertNothingMadeAfterCancel(lines, summary, { reason } = {}) {
  const cancelLine = `: stream cancelled after ${summary.sent} values sent`;
  const cancel = lines.findIndex((line) =>
    reason === undefined ? line.endsWith(cancelLine) : line === `${reason}${cancelLine}`,
  );
  assert.ok(cancel > 0, `no line "${reason ?? "<reason>"}${cancelLine}" after the start:\n${lines.join("\n")}`);
  assert.deepEqual(
    lines.slice(cancel + 1, -1),
    [`generator dropped after yielding ${summary.produced} values`],
    `only the dropped generator between the cancel and the summary; no value made after the cancel:\n${lines.join("\n")}`,
  );
  assert.deepEqual(summaryOf(lines.at(-1)), summary, "the summary is the run's last line");
  // A stream logs `yielding <n>` for each value only when it paces them
  // (produceMs > 0, src/stream/mod.rs); then it yielded each before the cancel.
  const produceMs = lines[0].match(/^stream started: .*\bproduceMs=(\d+)\b/)?.[1];
  assert.ok(produceMs !== undefined, `the run's first line is not its start:\n${lines.join("\n")}`);
  if (Number(produceMs) > 0) {
    assert.equal(lines.filter((line) => line.startsWith("yielding")).length, summary.produced);
  }
}

/**
 * Opens one raw client per path, waits until each has its first bytes, then
 * stops reading on all of them; gives the clients once the process's memory
 * has settled.
 */
async function stallAll(worker, paths) {
  const clients = paths.map((path) => rawGet(worker.url, path));
  for (const client of clients) {
    await client.until((c) => c.body.length > 0, 30_000, "the first bytes");
    client.pause();
  }
  // Let every producer run until it is held back (pull) or stopped (push).
  await sleep(3_000);
  return clients;
}

/**
 * How much a workerd of its own running `workerSpec` grows, in MB of resident
 * memory, while one client per path stalls; calls `whileStalled(worker,
 * clients)`, then closes the clients. The worker is left running: the caller
 * disposes of it (`dispose`).
 */
export async function growthWhileStalled(workerSpec, paths, whileStalled = async () => {}) {
  const worker = await startWorker(workerSpec);
  try {
    const pid = await workerdPid();
    // Warm the isolate first, so that the baseline includes the module.
    const warm = rawGet(worker.url, paths[0].replace(/count=\d+/, "count=10"));
    await warm.until((c) => c.ended, 10_000, "a warm-up stream");
    await sleep(500);
    const before = await rssMb(pid);
    const clients = await stallAll(worker, paths);
    const during = await rssMb(pid);
    await whileStalled(worker, clients);
    for (const client of clients) client.destroy();
    return { worker, growthMb: during - before, clients, dispose: worker.dispose };
  } catch (error) {
    await worker.dispose();
    throw error;
  }
}
