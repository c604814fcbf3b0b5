// One run of /api/stream as the tests and benchmarks drive and check it: a
// reader that stalls part-way and then hangs up, and the check every cancel
// test shares, that nothing was made after the cancel.

import assert from "node:assert/strict";
import { rawGet } from "./raw-http.js";
import { summaryOf } from "./workerd.js";
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
